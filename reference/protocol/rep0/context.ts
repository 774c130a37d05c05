import { createRepLogic, type RepImplementation, repCompiled } from "../../../spec/machines/rep.ts";
import type { RecvOptions, SendOptions } from "../../core/call-options.ts";
import { SPError } from "../../core/errors.ts";
import { type SendData, toOwnedBuffer } from "../../core/socket.ts";
import { createSpecActor } from "../../core/spec-actor.ts";
import { Waiter } from "../../core/waiter.ts";
import {
  type AnswerArg,
  type AnswerEventArgs,
  HeldQuestion,
  type Question,
} from "../shared/answer.ts";
import { type ContextLink, SocketContext } from "../shared/contexts.ts";

/** The compiled `rep` table the reference runs (or one regenerated from an edited draft). */
export type RepMachine = typeof repCompiled;

/** A request received and not yet answered. */
export type RepIncoming = Question;

/** What a {@link RepContext} needs from its socket (the shared request queue). */
export interface RepContextHost extends ContextLink<RepContext> {
  /** Takes a queued request, or parks `w` for `ctx` until one arrives. */
  take(ctx: RepContext, w: Waiter<Buffer>): void;
}

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
export class RepContext extends SocketContext<RepContextHost> {
  /** The request this context answers (SP-REQREP-13..19). */
  private readonly question: HeldQuestion;
  /** This context's parked recv, failed with ECLOSED on close. */
  private pending: Waiter<Buffer> | null = null;
  private readonly actor;

  constructor(host: RepContextHost, machine: RepMachine = repCompiled) {
    super(host);
    this.question = new HeldQuestion((stat) => host.count(stat), "no request to reply to");
    const names = { hold: "holdRequest", abandon: "abandonRequest", send: "sendReply" } as const;
    const impl: RepImplementation<AnswerEventArgs> = {
      actions: this.question.actions(names),
      guards: {},
      delays: {},
    };
    this.actor = createSpecActor(createRepLogic(impl, machine));
    this.actor.start();
  }

  /**
   * Receives the next request body and holds its backtrace for this context's `send`.
   * ETIMEDOUT after `recvTimeout` (or `opts.timeoutMs`), ECANCELED when
   * `opts.signal` aborts; a recv that gave up takes no request (the next recv
   * gets it) and leaves the request held so far as it was.
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
   * Answers the request this context last received. ESTATE when none is held.
   * Never waits (a reply its pipe cannot take now is dropped, SP-REQREP-18), so
   * only an already aborted `opts.signal` matters: the request stays held.
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
    // A pipe that copies the reply as it queues it needs no private copy of the caller's buffer.
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
   * Closes the context; a held request is abandoned.
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

  /** Socket → context: `item` is now the request this context answers. */
  handOut(item: RepIncoming): Buffer {
    if (this.actor.getSnapshot().status === "active")
      this.actor.send({ type: "deliver", arg: item });
    return item.body;
  }
}
