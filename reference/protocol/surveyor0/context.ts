import {
  createSurveyorLogic,
  type SurveyorImplementation,
  surveyorCompiled,
} from "../../../spec/machines/surveyor.ts";
import type { RecvOptions } from "../../core/call-options.ts";
import { isSPError, SPError } from "../../core/errors.ts";
import type { Pipe } from "../../core/pipe.ts";
import { RingQueue } from "../../core/queue.ts";
import { createSpecActor } from "../../core/spec-actor.ts";
import type { Waiter } from "../../core/waiter.ts";
import { AskingContext, type ContextLink } from "../shared/contexts.ts";
import { carriesId } from "../shared/request-ids.ts";

/** The compiled `surveyor` table the reference runs (or one regenerated from an edited draft). */
export type SurveyorMachine = typeof surveyorCompiled;

/** What each `surveyor` event carries in `arg` (the payload map the machine is bound with). */
interface SurveyorArgs {
  /** The survey body. */
  send: Buffer;
  /** The caller's pending recv. */
  recv: Waiter<Buffer>;
  /** A whole response, survey id word first. */
  response: Buffer;
  close: undefined;
}

/** What a {@link SurveyorContext} needs from its socket (shared pipes, the one id map). */
export interface SurveyorContextHost
  extends ContextLink<
    SurveyorContext,
    { readonly surveyTime: number; readonly recvTimeout: number }
  > {
  /** The pipes a survey goes to. */
  pipes(): Iterable<Pipe>;
  /** A fresh survey id, unique on the socket (SP-SURVEY-5), mapped to `ctx` in its id map. */
  claimId(ctx: SurveyorContext): number;
  /** Forgets `id` in the socket's id map. */
  releaseId(id: number): void;
}

/** Why a survey ended: replaced by a new one, closed, or its deadline passed. */
type SurveyEnd = "ECANCELED" | "ECLOSED" | "ETIMEDOUT";

/**
 * One SURVEYOR context (as nng's `nng_ctx`): its own survey in progress,
 * deadline and responses, driven by its own `surveyor` actor. Contexts share
 * the socket's pipes; responses reach the right context through the socket's
 * survey-id map. The socket's own `send`/`recv` use a default context.
 *
 * @example
 * ```ts
 * const ctx = surveyor.openContext();
 * await ctx.send("status?");
 * const first = await ctx.recv();
 * ```
 */
export class SurveyorContext extends AskingContext<SurveyorContextHost> {
  /** The survey in progress: its id (-1 when none) and `[id]` word. */
  private surveyId = -1;
  private idWord: Buffer | null = null;
  private body: Buffer | null = null;
  /** Responses (id stripped) not yet handed to recv. */
  private readonly responses: RingQueue<Buffer>;
  /** Pending recv operations, oldest first. */
  private readonly waiters = new RingQueue<Waiter<Buffer>>();
  /** How the last survey ended (null while one is in progress, or before the first). */
  private lastEnd: SurveyEnd | null = null;
  private readonly actor;

  constructor(
    host: SurveyorContextHost,
    machine: SurveyorMachine = surveyorCompiled,
    responseQueueSize = 128,
  ) {
    super(host);
    this.responses = new RingQueue<Buffer>(responseQueueSize);
    const impl: SurveyorImplementation<SurveyorArgs> = {
      actions: {
        newSurvey: ({ event }) => {
          // SP-SURVEY-3/-5: the next id, top bit set, unique across the socket's contexts.
          this.forgetId();
          this.lastEnd = null;
          this.surveyId = host.claimId(this);
          const word = Buffer.allocUnsafe(4);
          word.writeUInt32BE(this.surveyId, 0);
          this.idWord = word;
          this.body = event.arg;
        },
        broadcast: () => {
          // SP-SURVEY-6: exactly `[id] body`. SP-SURVEY-7: a copy to every pipe,
          // best effort (SP-SURVEY-28); with no pipe the survey is discarded but its
          // deadline runs.
          const word = this.idWord;
          const body = this.body;
          if (!word || !body) return;
          // SP-FRAMEWORK-27: a pipe that is not ready (its respondent stopped reading) is
          // skipped, as SP-SURVEY-28 permits, so surveys never pile up for it.
          for (const pipe of host.pipes()) {
            if (pipe.writable) pipe.send(word, body);
            else host.count("txDropped");
          }
          this.body = null; // surveys are never resent
        },
        // SP-SURVEY-14: a new survey ends the old one; SP-SURVEY-25: close fails recv with ECLOSED.
        cancelSurvey: ({ event }) =>
          this.endSurvey(event.type === "close" ? "ECLOSED" : "ECANCELED"),
        // SP-SURVEY-9: at the deadline a waiting recv fails with ETIMEDOUT and the
        // survey's unread responses are discarded; later ones fail idMatches.
        expireSurvey: () => this.endSurvey("ETIMEDOUT"),
        awaitResponse: ({ event }) => {
          const w = event.arg;
          // SP-SURVEY-12: a response kept from before this recv is handed out first.
          const kept = this.responses.shift();
          if (kept) w.resolve(kept);
          else this.waiters.push(w);
        },
        deliverResponse: ({ event }) => {
          // SP-SURVEY-12: the id word is stripped; responses go out in arrival order.
          const body = event.arg.subarray(4);
          for (;;) {
            const w = this.waiters.shift();
            if (!w) break;
            if (w.resolve(body)) return; // a waiter that timed out is skipped
          }
          // SP-SURVEY-13: a bounded buffer; responses beyond it are dropped.
          if (!this.responses.push(body)) host.count("rxQueueFull");
        },
        // SP-SURVEY-11: responses that do not answer the survey in progress are ignored.
        dropResponse: () => host.count("rxDropped"),
        failRecvState: ({ event }) => {
          // SP-SURVEY-10: recv with no survey in progress fails.
          event.arg.fail(new SPError("ESTATE", "no survey in progress"));
        },
      },
      guards: {
        // SP-SURVEY-11: at least 4 bytes, top bit set, and the id of the survey in progress.
        idMatches: ({ event }) => carriesId(event.arg, this.surveyId),
      },
      delays: {
        // SP-SURVEY-8: the deadline, read from the live option at each survey.
        surveyTime: () => host.options.surveyTime,
      },
    };
    this.actor = createSpecActor(createSurveyorLogic(impl, machine));
    this.actor.start();
  }

  protected ask(body: Buffer): void {
    this.actor.send({ type: "send", arg: body });
  }

  /**
   * Receives the next response to this context's survey (id stripped).
   * ETIMEDOUT at the survey's deadline or after `recvTimeout` (or
   * `opts.timeoutMs`), ECANCELED when `opts.signal` aborts. A recv that
   * gave up takes no response (the next recv gets it); the survey goes on.
   *
   * @example
   * ```ts
   * const answer = await ctx.recv();
   * ```
   */
  recv(opts?: RecvOptions): Promise<Buffer> {
    const refused = this.refusal(opts);
    if (refused) return Promise.reject(refused);
    // Unlinked lazily: deliverResponse skips a waiter that timed out or was aborted.
    const w = this.recvWaiter(opts);
    this.actor.send({ type: "recv", arg: w });
    return w.promise;
  }

  /**
   * True when no survey is in progress because the last one reached its
   * deadline (SP-SURVEY-9), as opposed to never started, replaced or closed.
   */
  get deadlinePassed(): boolean {
    return this.surveyId < 0 && this.lastEnd === "ETIMEDOUT";
  }

  /**
   * The responses to the survey in progress, until its deadline: the loop then
   * ends quietly, also when the deadline passed while the loop's body ran. It
   * ends too when the context closes; other errors (a new survey replacing
   * this one: ECANCELED; `recvTimeout`; no survey started: ESTATE) propagate.
   *
   * @example
   * ```ts
   * await ctx.send("who is there?");
   * for await (const answer of ctx) console.log(answer.toString());
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return untilDeadline(this, () => this.isClosed);
  }

  /**
   * Closes the context: its pending recvs fail with ECLOSED.
   *
   * @example
   * ```ts
   * ctx.close();
   * ```
   */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    if (this.actor.getSnapshot().status === "active") this.actor.send({ type: "close" });
    // SP-SURVEY-36: the survey's id is released, so later responses to it match no
    // context and are dropped; the other contexts keep their own ids.
    this.endSurvey("ECLOSED");
    this.host.forget(this);
  }

  /** Socket → context: a response whose id the map gave to this context (or, default context: one naming no context). */
  response(msg: Buffer): void {
    if (this.actor.getSnapshot().status === "active")
      this.actor.send({ type: "response", arg: msg });
  }

  private forgetId(): void {
    if (this.surveyId >= 0) this.host.releaseId(this.surveyId);
    this.surveyId = -1;
  }

  /** Ends the survey in progress: forget its id, drop unread responses, fail waiters with `code`. */
  private endSurvey(code: SurveyEnd): void {
    this.forgetId();
    this.lastEnd = code;
    this.idWord = null;
    this.body = null;
    this.responses.drain();
    for (const w of this.waiters.drain()) w.fail(new SPError(code));
  }
}

/**
 * Receives from `ctx` until its survey's deadline or its close, then ends
 * (see {@link SurveyorContext}'s async iterator). A recv that fails with
 * ETIMEDOUT while the survey is still in progress timed out by `recvTimeout`,
 * and that error propagates; one that fails (ETIMEDOUT, or ESTATE for a recv
 * made after the survey ended) once the deadline has passed ends the loop.
 *
 * @example
 * ```ts
 * for await (const answer of { [Symbol.asyncIterator]: () => untilDeadline(ctx, () => closed) }) {}
 * ```
 */
export async function* untilDeadline(
  ctx: Pick<SurveyorContext, "recv" | "deadlinePassed">,
  closed: () => boolean,
): AsyncGenerator<Buffer, void, undefined> {
  while (!closed()) {
    try {
      yield await ctx.recv();
    } catch (e) {
      if (isSPError(e, "ECLOSED")) return;
      if ((isSPError(e, "ETIMEDOUT") || isSPError(e, "ESTATE")) && ctx.deadlinePassed) return;
      throw e;
    }
  }
}
