import {
  createRespondentLogic,
  type RespondentImplementation,
  respondentCompiled,
} from "../../../spec/machines/respondent.ts";
import { createSpecActor } from "../../core/spec-actor.ts";
import type { AnswerEventArgs } from "../shared/answer.ts";
import { AnswerContext, type AnswerContextHost } from "../shared/answer-context.ts";

/** The compiled `respondent` table the reference runs (or one regenerated from an edited draft). */
export type RespondentMachine = typeof respondentCompiled;

/**
 * One RESPONDENT context (as nng's `nng_ctx`): it holds the backtrace and pipe
 * of the survey it last received, driven by its own `respondent` actor, so
 * several surveys can be answered at once on one socket (SP-SURVEY-37).
 *
 * @example
 * ```ts
 * const ctx = respondent.openContext();
 * const question = await ctx.recv();
 * await ctx.send("here");
 * ```
 */
export class RespondentContext extends AnswerContext {
  constructor(host: AnswerContextHost, machine: RespondentMachine = respondentCompiled) {
    super(host, "no survey to respond to", (question) => {
      const names = { hold: "holdSurvey", abandon: "abandonSurvey", send: "sendResponse" } as const;
      const impl: RespondentImplementation<AnswerEventArgs> = {
        actions: question.actions(names),
        guards: {},
        delays: {},
      };
      const actor = createSpecActor(createRespondentLogic(impl, machine));
      actor.start();
      return actor;
    });
  }
}
