/**
 * What the protocols with contexts (REQ, REP, SURVEYOR; nng's `nng_ctx`) have
 * in common: the socket keeps a set of contexts, one of them the default that
 * its own `send`/`recv` use, and closes them all when it closes; a context is
 * closed when it or its socket is, and refuses calls once closed.
 */
import {
  type CallOptions,
  callTimeout,
  type RecvOptions,
  type SendOptions,
} from "../../core/call-options.ts";
import type { SPError } from "../../core/errors.ts";
import type { NoOptionRows, OptionInit, OptionRows, OptionSet } from "../../core/options.ts";
import { type SendData, SocketBase, toOwnedBuffer } from "../../core/socket.ts";
import type { PipeHost, Transport } from "../../core/transport.ts";
import { Waiter } from "../../core/waiter.ts";
import { callRefusal } from "./call-refusal.ts";

/** What every context asks of its socket; `O` is the part of the socket's options it reads. */
export interface ContextLink<C, O = { readonly recvTimeout: number }> {
  /** The socket's live options. */
  readonly options: O;
  readonly isClosed: boolean;
  /** Forgets a closed context. */
  forget(ctx: C): void;
  count: PipeHost["count"];
}

/**
 * One context of a socket: closed by its own `close` or with its socket, and
 * disposable (`using` / `await using`).
 *
 * @example
 * ```ts
 * class MyContext extends SocketContext<MyHost> {
 *   close(): void { if (this.closedFlag) return; this.closedFlag = true; this.host.forget(this); }
 * }
 * ```
 */
/** What a context reads of its socket itself. */
export interface ContextSocketState {
  readonly isClosed: boolean;
  readonly options: { readonly recvTimeout: number };
}

export abstract class SocketContext<H extends ContextSocketState> {
  protected closedFlag = false;

  constructor(protected readonly host: H) {}

  /** True once this context (or its socket) is closed. */
  get isClosed(): boolean {
    return this.closedFlag || this.host.isClosed;
  }

  /** Closes the context; idempotent. */
  abstract close(): void;

  /**
   * Closes the context, as {@link SocketContext.close}: what `using` calls.
   *
   * @example
   * ```ts
   * using ctx = sock.openContext();
   * ```
   */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * As {@link SocketContext.close}, for `await using`.
   *
   * @example
   * ```ts
   * await using ctx = sock.openContext();
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  /** Why a call on this context must fail now (see {@link callRefusal}). */
  protected refusal(opts: CallOptions | undefined): SPError | undefined {
    return callRefusal(this.isClosed, opts);
  }

  /**
   * The waiter of one recv: it fails with ETIMEDOUT after the socket's
   * `recvTimeout` (or `opts.timeoutMs`) and with ECANCELED when `opts.signal`
   * aborts; `unlink` then runs, if given.
   */
  protected recvWaiter(
    opts: RecvOptions | undefined,
    unlink?: (gone: Waiter<Buffer>) => void,
  ): Waiter<Buffer> {
    return new Waiter<Buffer>(
      callTimeout(opts, this.host.options.recvTimeout),
      unlink,
      opts?.signal,
    );
  }
}

/**
 * A context of an asking socket (REQ, SURVEYOR): `send` starts a new request
 * or survey on this context, ending only this context's outstanding one.
 *
 * @example
 * ```ts
 * class MyContext extends AskingContext<MyHost> {
 *   protected ask(body: Buffer): void { this.actor.send({ type: "send", arg: body }); }
 * }
 * ```
 */
export abstract class AskingContext<H extends ContextSocketState> extends SocketContext<H> {
  /** Hands the body of a new request or survey to this context's machine. */
  protected abstract ask(body: Buffer): void;

  /**
   * Starts a request (REQ) or survey (SURVEYOR) on this context, cancelling
   * only this context's outstanding one. Never waits: a request with no pipe
   * waits in the context (SP-REQREP-12), a survey is delivered best effort
   * (SP-SURVEY-7, SP-SURVEY-28). So only an already aborted `opts.signal` matters: it fails
   * the call before the outstanding request or survey is touched.
   *
   * @example
   * ```ts
   * await ctx.send("ping");
   * ```
   */
  async send(data: SendData, opts?: SendOptions): Promise<void> {
    const refused = this.refusal(opts);
    if (refused) throw refused;
    this.ask(toOwnedBuffer(data));
  }
}

/**
 * A socket with contexts: it registers each one it opens, hands every context
 * the same link back to itself (`H`, see {@link ContextSocket.contextLink}),
 * keeps the default context its own `send` and `recv` use, and closes them all
 * with {@link ContextSocket.closeContexts}. `R` is the protocol's own option rows.
 *
 * @example
 * ```ts
 * class MySocket extends ContextSocket<MyContext, MyHost> {
 *   constructor() {
 *     super(protocols.req0, undefined, defaultTransports, optionRegistry.req0);
 *     this.startContexts(this.contextLink({ pickPipe: () => this.pickPipe() }));
 *   }
 *   protected makeContext() { return new MyContext(this.ctxHost); }
 * }
 * ```
 */
export abstract class ContextSocket<
  C extends { close(): void },
  H,
  R extends OptionRows = NoOptionRows,
> extends SocketBase<R> {
  /** The open contexts, the default one among them. */
  protected readonly contexts = new Set<C>();
  /** What every context of this socket is given (set by {@link ContextSocket.startContexts}). */
  protected ctxHost!: H;
  /** The context the socket's own `send` and `recv` use. */
  protected defaultCtx!: C;

  protected constructor(
    p: { number: number; peer: number; name: string; peerName: string },
    options: OptionInit<R> | undefined,
    transports: readonly Transport[],
    optionSet: OptionSet<R>,
  ) {
    super(
      { self: p.number, peer: p.peer, name: p.name, peerName: p.peerName },
      options,
      transports,
      optionSet,
    );
  }

  /** Keeps `host` for the contexts and opens the default one; the subclass's constructor ends with it. */
  protected startContexts(host: H): void {
    this.ctxHost = host;
    this.defaultCtx = this.openContext();
  }

  /** Makes a context for {@link ContextSocket.openContext}, which registers it. */
  protected abstract makeContext(): C;

  /**
   * Opens a context: its own state on this socket, independent of the others,
   * sharing the socket's pipes. ECLOSED once the socket is closed.
   *
   * @example
   * ```ts
   * const ctx = sock.openContext();
   * await ctx.send("ping");
   * ctx.close();
   * ```
   */
  openContext(): C {
    this.assertOpen();
    const ctx = this.makeContext();
    this.contexts.add(ctx);
    return ctx;
  }

  /**
   * The link a context gets to this socket: the live options and closed state,
   * `forget` and `count`, plus the protocol's own `extra` functions.
   */
  protected contextLink<X extends object>(extra: X): ContextLink<C, this["options"]> & X {
    const self = this;
    const link: ContextLink<C, this["options"]> = {
      get options() {
        return self.options;
      },
      get isClosed() {
        return self.isClosed;
      },
      forget: (ctx) => {
        this.contexts.delete(ctx);
      },
      count: (stat) => this.count(stat),
    };
    return Object.assign(link, extra);
  }

  /** Closes every open context (their pending calls fail with ECLOSED). */
  protected closeContexts(): void {
    for (const ctx of [...this.contexts]) ctx.close();
  }
}
