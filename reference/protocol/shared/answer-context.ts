/**
 * One context of an answering socket (REP, RESPONDENT; nng's `nng_ctx`): it
 * holds the backtrace and pipe of the question it last received, driven by
 * its own `rep` or `respondent` actor, so several questions can be worked on
 * at once on one socket. Contexts take questions from the socket's receive
 * buffers in the order they call `recv`.
 */
import type { RecvOptions, SendOptions } from "../../core/call-options.ts";
import { SPError } from "../../core/errors.ts";
import { type SendData, toOwnedBuffer } from "../../core/socket.ts";
import { Waiter } from "../../core/waiter.ts";
import { type AnswerArg, HeldQuestion, type Question } from "./answer.ts";
import { type ContextLink, SocketContext } from "./contexts.ts";

/** What an {@link AnswerContext} needs from its socket (the shared question queue). */
export interface AnswerContextHost<C = AnswerContext> extends ContextLink<C> {
  /** Takes a queued question, or parks `w` for `ctx` until one arrives. */
  take(ctx: C, w: Waiter<Buffer>): void;
}

/** The events both answering machines take (the `rep` and `respondent` tables). */
export type AnswerEvent =
  | { type: "deliver"; arg: Question }
  | { type: "send"; arg: AnswerArg }
  | { type: "close" };

/** The part of a started answering actor a context uses. */
export interface AnswerActor {
  send(event: AnswerEvent): void;
  getSnapshot(): { status: string };
}

/**
 * A context of a REP or RESPONDENT socket. The subclass starts the actor of
 * its protocol's machine over the {@link HeldQuestion} it is given.
 *
 * @example
 * ```ts
 * class MyContext extends AnswerContext {
 *   constructor(host: AnswerContextHost) {
 *     super(host, "no request to reply to", (q) => startRepActor(q));
 *   }
 * }
 * ```
 */
export abstract class AnswerContext extends SocketContext<AnswerContextHost> {
  /** The question this context answers (SP-REQREP-13..19, SP-SURVEY-19..23). */
  private readonly question: HeldQuestion;
  /** This context's parked recv, failed with ECLOSED on close. */
  private pending: Waiter<Buffer> | null = null;
  private readonly actor: AnswerActor;

  protected constructor(
    host: AnswerContextHost,
    nothingHeld: string,
    startActor: (question: HeldQuestion) => AnswerActor,
  ) {
    super(host);
    this.question = new HeldQuestion((stat) => host.count(stat), nothingHeld);
    this.actor = startActor(this.question);
  }

  /**
   * Receives the next question body and holds its backtrace for this context's `send`.
   * ETIMEDOUT after `recvTimeout` (or `opts.timeoutMs`), ECANCELED when
   * `opts.signal` aborts; a recv that gave up takes no question (the next recv
   * gets it) and leaves the question held so far as it was.
   *
   * @example
   * ```ts
   * const body = await ctx.recv();
   * ```
   */
  recv(opts?: RecvOptions): Promise<Buffer> {
    const refused = this.refusal(opts);
    if (refused) return Promise.reject(refused);
    const w = this.recvWaiter(opts);
    this.pending = w;
    this.host.take(this, w);
    return w.promise;
  }

  /**
   * Answers the question this context last received. ESTATE when none is held.
   * Never waits (an answer its pipe cannot take now is dropped, SP-REQREP-18,
   * SP-SURVEY-22), so only an already aborted `opts.signal` matters: the
   * question stays held.
   *
   * @example
   * ```ts
   * await ctx.send("pong");
   * ```
   */
  send(data: SendData, opts?: SendOptions): Promise<void> {
    const refused = this.refusal(opts);
    if (refused) return Promise.reject(refused);
    const done = new Waiter<void>(-1);
    // SP-REQREP-35, SP-SURVEY-37: the answer uses this context's own held question
    // (backtrace and pipe), whatever other contexts hold or answered meanwhile.
    // A pipe that copies the answer as it queues it needs no private copy of the caller's buffer.
    const held = this.question.current;
    const copied =
      data instanceof Uint8Array &&
      held !== null &&
      held.backtrace.length + data.length <= (held.pipe.copyLimit ?? -1);
    const arg: AnswerArg = { body: copied ? (data as Buffer) : toOwnedBuffer(data), done };
    this.actor.send({ type: "send", arg });
    return done.promise;
  }

  /**
   * Closes the context. SP-REQREP-36: the question it holds is abandoned (no
   * answer goes out) and its waiting recv fails with ECLOSED, taking nothing.
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
    this.question.drop();
    this.pending?.fail(new SPError("ECLOSED"));
    this.pending = null;
    this.host.forget(this);
  }

  /** Socket → context: `item` is now the question this context answers. */
  handOut(item: Question): Buffer {
    if (this.actor.getSnapshot().status === "active")
      this.actor.send({ type: "deliver", arg: item });
    return item.body;
  }
}
