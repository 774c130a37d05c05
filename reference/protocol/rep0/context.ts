import { repMachine } from "../../../spec/machines/rep.ts";
import {
  callTimeout,
  type RecvOptions,
  refuseCall,
  type SendOptions,
} from "../../core/call-options.ts";
import { SPError } from "../../core/errors.ts";
import type { Pipe } from "../../core/pipe.ts";
import { type SendData, toOwnedBuffer } from "../../core/socket.ts";
import { createSpecActor } from "../../core/spec-actor.ts";
import { Waiter } from "../../core/waiter.ts";

/** The unprovided `rep` machine (or a regenerated variant with the same names). */
export type RepMachine = typeof repMachine;

/** A request received and not yet answered. */
export interface RepIncoming {
  readonly pipe: Pipe;
  readonly backtrace: Buffer;
  readonly body: Buffer;
}

/** What a {@link RepContext} needs from its socket (the shared request queue). */
export interface RepContextHost {
  readonly isClosed: boolean;
  readonly options: { readonly recvTimeout: number };
  /** Takes a queued request, or parks `w` for `ctx` until one arrives. */
  take(ctx: RepContext, w: Waiter<Buffer>): void;
  /** Forgets a closed context. */
  forget(ctx: RepContext): void;
  count(stat: string): void;
}

/** Argument of the machine's `send` event. */
interface ReplyArg {
  readonly body: Buffer;
  readonly done: Waiter<void>;
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
export class RepContext {
  private held: RepIncoming | null = null;
  private closedFlag = false;
  /** This context's parked recv, failed with ECLOSED on close. */
  private pending: Waiter<Buffer> | null = null;
  private readonly actor;

  constructor(
    private readonly host: RepContextHost,
    machine: RepMachine = repMachine,
  ) {
    const provided = machine.provide({
      actions: {
        holdRequest: ({ event }) => {
          this.held = event.arg as RepIncoming;
        },
        // SP-REQREP-19: a new recv abandons the request held so far (no reply is sent).
        abandonRequest: () => {
          this.held = null;
        },
        sendReply: ({ event }) => {
          const { body, done } = event.arg as ReplyArg;
          const held = this.held;
          this.held = null;
          // SP-REQREP-13: the backtrace goes back unchanged, ahead of the reply body.
          // SP-REQREP-17: if that pipe is gone, the reply is dropped silently.
          // SP-REQREP-18, SP-FRAMEWORK-27: so it is when the pipe is not ready (its peer
          // stopped reading): a REQ that never reads cannot make replies pile up here.
          if (held?.pipe.writable) held.pipe.send(held.backtrace, body);
          else host.count("txDropped");
          done.resolve();
        },
        failSendState: ({ event }) => {
          // SP-REQREP-16: send without a held request fails.
          (event.arg as ReplyArg).done.fail(new SPError("ESTATE", "no request to reply to"));
        },
      },
      guards: {},
      delays: {},
    });
    this.actor = createSpecActor(provided);
    this.actor.start();
  }

  /** True once this context (or its socket) is closed. */
  get isClosed(): boolean {
    return this.closedFlag || this.host.isClosed;
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
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    const refused = refuseCall(opts);
    if (refused) return Promise.reject(refused);
    const w = new Waiter<Buffer>(
      callTimeout(opts, this.host.options.recvTimeout),
      undefined,
      opts?.signal,
    );
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
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    if (opts) {
      const refused = refuseCall(opts);
      if (refused) return Promise.reject(refused);
    }
    const done = new Waiter<void>(-1);
    // A pipe that copies the reply as it queues it needs no private copy of the caller's buffer.
    const pipe = this.held?.pipe;
    const copied =
      data instanceof Uint8Array &&
      pipe !== undefined &&
      (this.held as RepIncoming).backtrace.length + data.length <= (pipe.copyLimit ?? -1);
    const arg: ReplyArg = { body: copied ? (data as Buffer) : toOwnedBuffer(data), done };
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
    this.held = null;
    this.pending?.fail(new SPError("ECLOSED"));
    this.pending = null;
    this.host.forget(this);
  }

  /**
   * Closes the context, as {@link close}: what `using` / `await using` call.
   *
   * @example
   * ```ts
   * using ctx = rep.openContext();
   * ```
   */
  [Symbol.dispose](): void {
    this.close();
  }

  /** As {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  /** Socket → context: `item` is now the request this context answers. */
  handOut(item: RepIncoming): Buffer {
    if (this.actor.getSnapshot().status === "active")
      this.actor.send({ type: "deliver", arg: item });
    return item.body;
  }
}
