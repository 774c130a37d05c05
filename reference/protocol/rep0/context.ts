import { createRepLogic, type RepImplementation, repCompiled } from "../../../spec/machines/rep.ts";
import { createSpecActor } from "../../core/spec-actor.ts";
import type { AnswerEventArgs, Question } from "../shared/answer.ts";
import { AnswerContext, type AnswerContextHost } from "../shared/answer-context.ts";

/** The compiled `rep` table the reference runs (or one regenerated from an edited draft). */
export type RepMachine = typeof repCompiled;

/** A request received and not yet answered. */
export type RepIncoming = Question;

/** What a {@link RepContext} needs from its socket (the shared request queue). */
export type RepContextHost = AnswerContextHost;

/**
 * One REP context (as nng's `nng_ctx`): it holds the backtrace and pipe of the
 * request it last received, driven by its own `rep` actor, so several requests
 * can be worked on at once on one socket. Contexts take requests from the
 * socket's receive buffers (one per pipe, served in turn), in the order they
 * call `recv`.
 *
 * @example
 * ```ts
 * const ctx = rep.openContext();
 * const body = await ctx.recv();
 * await ctx.send(body);
 * ```
 */
export class RepContext extends AnswerContext {
  constructor(host: RepContextHost, machine: RepMachine = repCompiled) {
    super(host, "no request to reply to", (question) => {
      const names = { hold: "holdRequest", abandon: "abandonRequest", send: "sendReply" } as const;
      const impl: RepImplementation<AnswerEventArgs> = {
        actions: question.actions(names),
        guards: {},
        delays: {},
      };
      const actor = createSpecActor(createRepLogic(impl, machine));
      actor.start();
      return actor;
    });
  }
}
