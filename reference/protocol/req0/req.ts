import { protocols } from "../../../spec/constants.ts";
import type { RecvOptions, SendOptions } from "../../core/call-options.ts";
import type { Pipe } from "../../core/pipe.ts";
import type { SendData } from "../../core/socket.ts";
import type { Transport } from "../../core/transport.ts";
import { defaultTransports } from "../../transports.ts";
import { optionRegistry, type ProtocolOptionRows, type ProtocolOptions } from "../options.ts";
import { ContextSocket } from "../shared/contexts.ts";
import { IdMap } from "../shared/request-ids.ts";
import { ReqContext, type ReqContextHost, type ReqMachine } from "./context.ts";

export { ReqContext, type ReqMachine } from "./context.ts";

/** Internal construction options: alternate machine and transports. */
export interface Req0Internals {
  reqCompiled?: ReqMachine;
  transports?: readonly Transport[];
}

/** The request id after `id` (SP-REQREP-3); see {@link nextId}. */
export { nextId as nextRequestId } from "../shared/request-ids.ts";

/**
 * A cooked REQ socket (protocol 0x30). Each context ({@link ReqContext}) has one
 * request outstanding at a time, and its own `req` actor decides when that
 * request is transmitted, resent, cancelled, and whether a reply is accepted.
 * `send`/`recv` on the socket use its default context; `openContext()` gives
 * more, so many requests can be in flight on one socket. Replies are routed
 * to contexts by request id through one map per socket.
 *
 * @example
 * ```ts
 * const req = req0({ resendTime: 1000 });
 * req.dial("tcp://127.0.0.1:5555");
 * await req.send("ping");
 * const reply = await req.recv();
 * ```
 */
export class Req0Socket extends ContextSocket<
  ReqContext,
  ReqContextHost,
  ProtocolOptionRows<"req0">
> {
  /** Pipes in round-robin order. */
  private readonly ring: Pipe[] = [];
  private nextPipe = 0;
  /** Request id → the context whose request it is (one map per socket). */
  private readonly ids = new IdMap<ReqContext>();
  private readonly machine: ReqMachine | undefined;

  constructor(options?: ProtocolOptions<"req0">, internals: Req0Internals = {}) {
    super(protocols.req0, options, internals.transports ?? defaultTransports, optionRegistry.req0);
    this.machine = internals.reqCompiled;
    this.startContexts(
      this.contextLink({
        pipeReady: () => this.ring.some((p) => p.writable),
        pickPipe: () => this.pickPipe(),
        // SP-REQREP-23: unique among the requests in flight on this socket.
        claimId: (ctx: ReqContext) => this.ids.claim(ctx),
        releaseId: (id: number) => this.ids.release(id),
      }),
    );
  }

  /**
   * A new context (an independent request/reply state) learns the pipes there are.
   *
   * @example
   * ```ts
   * const ctxs = Array.from({ length: 10 }, () => req.openContext());
   * await Promise.all(ctxs.map(async (c, i) => { await c.send(`${i}`); return c.recv(); }));
   * ```
   */
  protected makeContext(): ReqContext {
    const ctx = new ReqContext(this.ctxHost, this.machine);
    for (const pipe of this.ring) ctx.pipeEvent("pipeAdded", pipe);
    return ctx;
  }

  /**
   * Sends a request on the default context, cancelling its outstanding one.
   * Resolves once queued: with no peer the request waits for one (SP-REQREP-12).
   * So only an already aborted `opts.signal` matters: it fails the call and the
   * outstanding request stays.
   *
   * @example
   * ```ts
   * await req.send(new Uint8Array([1, 2, 3]));
   * ```
   */
  send(data: SendData, opts?: SendOptions): Promise<void> {
    return this.defaultCtx.send(data, opts);
  }

  /**
   * Receives the reply to the default context's request (id stripped). ESTATE
   * with no request outstanding, ETIMEDOUT after `recvTimeout` (or
   * `opts.timeoutMs`), ECANCELED if `opts.signal` aborts or a new send
   * supersedes the request, ECLOSED on close. A recv that times out or is
   * aborted leaves the request outstanding: the next recv gets its reply.
   *
   * @example
   * ```ts
   * const reply = await req.recv({ timeoutMs: 1000 });
   * ```
   */
  recv(opts?: RecvOptions): Promise<Buffer> {
    return this.defaultCtx.recv(opts);
  }

  protected pipeAdded(pipe: Pipe): void {
    this.ring.push(pipe);
    pipe.onMessage = (msg) => this.onReply(msg);
    // SP-REQREP-12: requests waiting for a pipe go out now, and again whenever a pipe
    // whose write backlog was full drains.
    pipe.onWritable = () => {
      for (const ctx of this.contexts) ctx.pipeEvent("pipeAdded", pipe);
    };
    for (const ctx of this.contexts) ctx.pipeEvent("pipeAdded", pipe);
  }

  protected pipeRemoved(pipe: Pipe): void {
    const i = this.ring.indexOf(pipe);
    if (i >= 0) {
      this.ring.splice(i, 1);
      if (this.nextPipe > i) this.nextPipe--;
    }
    pipe.onMessage = null;
    pipe.onWritable = null;
    // SP-REQREP-9: losing the carrying pipe resends at once (on another pipe, if any).
    for (const ctx of this.contexts) ctx.pipeEvent("pipeRemoved", pipe);
  }

  protected protocolClose(): void {
    // SP-REQREP-20: every context's pending recv fails with ECLOSED.
    this.closeContexts();
  }

  /**
   * Data path: route a reply to the context whose request id it carries. A
   * reply that names no context (too short, unknown or stale id) goes to the
   * default context's machine, whose `idMatches` guard turns it down: the drop
   * is the machine's `dropReply` (SP-REQREP-6), not a second rule here.
   */
  private onReply(msg: Buffer): void {
    (this.ids.ownerOf(msg) ?? this.defaultCtx).reply(msg);
  }

  /** SP-REQREP-21: round robin over the pipes that can take a request now. */
  private pickPipe(): Pipe | undefined {
    const n = this.ring.length;
    for (let k = 0; k < n; k++) {
      const i = (this.nextPipe + k) % n;
      const pipe = this.ring[i] as Pipe;
      if (pipe.writable) {
        this.nextPipe = (i + 1) % n;
        return pipe;
      }
    }
    return undefined;
  }
}

/**
 * Opens a REQ socket.
 *
 * @example
 * ```ts
 * const s = req0({ resendTime: 100 });
 * ```
 */
export function req0(options?: ProtocolOptions<"req0">, internals?: Req0Internals): Req0Socket {
  return new Req0Socket(options, internals);
}
