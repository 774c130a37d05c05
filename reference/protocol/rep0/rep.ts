import { protocols } from "../../../spec/constants.ts";
import type { RecvOptions, SendOptions } from "../../core/call-options.ts";
import { SPError } from "../../core/errors.ts";
import type { Pipe } from "../../core/pipe.ts";
import { RingQueue } from "../../core/queue.ts";
import { ReceiveQueue } from "../../core/receive-queue.ts";
import type { PipeFlow } from "../../core/recv-flow.ts";
import type { SendData } from "../../core/socket.ts";
import type { Transport } from "../../core/transport.ts";
import type { Waiter } from "../../core/waiter.ts";
import { defaultTransports } from "../../transports.ts";
import { optionRegistry, type ProtocolOptionRows, type ProtocolOptions } from "../options.ts";
import { ContextSocket } from "../shared/contexts.ts";
import { splitBacktrace } from "./backtrace.ts";
import { RepContext, type RepContextHost, type RepIncoming, type RepMachine } from "./context.ts";

export { RepContext, type RepMachine } from "./context.ts";

/** Internal construction options: alternate machine, transports, queue size. */
export interface Rep0Internals {
  repCompiled?: RepMachine;
  transports?: readonly Transport[];
  /**
   * Requests each pipe's receive buffer holds before the socket stops reading that
   * pipe, when the `recvBuffer` option is 0 (else the draft's default, 1024). Nothing is dropped.
   */
  recvQueueSize?: number;
}

/** A parked recv and the context it is for. */
interface Taker {
  readonly ctx: RepContext;
  readonly w: Waiter<Buffer>;
}

/**
 * A cooked REP socket (protocol 0x31). `recv` hands out one request and the
 * context's `rep` actor holds its backtrace and pipe until `send` answers it.
 * The socket's `send`/`recv` use a default context; `openContext()` gives more
 * (each holds its own backtrace), to answer several requests concurrently.
 * Requests wait in their pipe's bounded receive buffer, the pipes served in
 * turn; a full buffer stops reading that pipe (SP-REQREP-25).
 *
 * @example
 * ```ts
 * const rep = rep0();
 * await rep.listen("tcp://127.0.0.1:5555");
 * for await (const req of rep) await rep.send(req);
 * ```
 */
export class Rep0Socket extends ContextSocket<
  RepContext,
  RepContextHost,
  ProtocolOptionRows<"rep0">
> {
  /** One bounded buffer per pipe, served in turn; the takers are this socket's own. */
  private readonly incoming: ReceiveQueue<RepIncoming>;
  private readonly takers = new RingQueue<Taker>();
  private readonly machine: RepMachine | undefined;

  constructor(options?: ProtocolOptions<"rep0">, internals: Rep0Internals = {}) {
    super(protocols.rep0, options, internals.transports ?? defaultTransports, optionRegistry.rep0);
    // SP-REQREP-21: each pipe gets its own receive buffer, served in turn.
    this.incoming = new ReceiveQueue<RepIncoming>(
      this.options,
      (r) => r.backtrace.length + r.body.length,
      internals.recvQueueSize,
    );
    this.machine = internals.repCompiled;
    this.startContexts(
      this.contextLink({
        take: (ctx: RepContext, w: Waiter<Buffer>) => {
          // SP-FRAMEWORK-23: taking may bring a paused pipe back under half its bounds.
          const next = this.incoming.tryTake();
          if (next) {
            w.resolve(ctx.handOut(next));
            return;
          }
          if (this.takers.length >= 32) {
            // Forget takers that timed out or closed meanwhile, so idle timed recvs do not pile up.
            for (const t of this.takers.drain())
              if (!t.w.settled && !t.ctx.isClosed) this.takers.push(t);
          }
          this.takers.push({ ctx, w });
        },
      }),
    );
  }

  /**
   * A new context, with its own held request.
   *
   * @example
   * ```ts
   * const workers = Array.from({ length: 4 }, () => rep.openContext());
   * ```
   */
  protected makeContext(): RepContext {
    return new RepContext(this.ctxHost, this.machine);
  }

  /**
   * Receives the next request body and holds its backtrace for `send`.
   * Receiving again abandons an unanswered request (SP-REQREP-19). ETIMEDOUT
   * after `recvTimeout` (or `opts.timeoutMs`), ECANCELED when `opts.signal`
   * aborts; a recv that gave up takes no request (the next recv gets it).
   *
   * @example
   * ```ts
   * const body = await rep.recv();
   * ```
   */
  recv(opts?: RecvOptions): Promise<Buffer> {
    return this.defaultCtx.recv(opts);
  }

  /**
   * Answers the request returned by the last `recv`. ESTATE when none is held.
   * Never waits; an already aborted `opts.signal` fails it and the request stays held.
   *
   * @example
   * ```ts
   * await rep.send("pong");
   * ```
   */
  send(data: SendData, opts?: SendOptions): Promise<void> {
    return this.defaultCtx.send(data, opts);
  }

  protected pipeAdded(pipe: Pipe): void {
    const flow = this.incoming.attach(pipe);
    pipe.onMessage = (msg) => this.onRequest(flow, msg);
  }

  protected pipeRemoved(pipe: Pipe): void {
    pipe.onMessage = null;
    // Requests it delivered stay to be received; their replies are dropped (SP-REQREP-17).
    this.incoming.detachPipe(pipe);
  }

  protected protocolClose(): void {
    this.closeContexts();
    // SP-REQREP-20: pending receivers fail with ECLOSED.
    for (const t of this.takers.drain()) t.w.fail(new SPError("ECLOSED"));
    this.incoming.close();
  }

  /** Data path: one received message from the pipe of `flow`. */
  private onRequest(flow: PipeFlow<RepIncoming>, msg: Buffer): void {
    if (this.isClosed) return;
    const pipe = flow.pipe;
    const r = splitBacktrace(msg, this.options.maxTtl);
    if (r.kind === "malformed") {
      // SP-REQREP-14: never answered; SP-REQREP-28: we close the pipe (as nng does), counted.
      this.count("rxMalformed");
      pipe.close(new SPError("EPROTO", "request without a request id"));
      return;
    }
    if (r.kind === "tooManyHops") {
      // SP-REQREP-15: dropped silently; SP-REQREP-29: the connection stays open.
      this.count("rxTtlExceeded");
      return;
    }
    const item: RepIncoming = { pipe, backtrace: r.backtrace, body: r.body };
    // A waiting receiver takes the request at once (nothing else is queued then).
    for (;;) {
      const t = this.takers.shift();
      if (!t) break;
      if (t.w.settled || t.ctx.isClosed) continue; // timed out or closed meanwhile
      t.w.resolve(t.ctx.handOut(item));
      return;
    }
    // SP-REQREP-25: a full buffer stops reading this pipe; the request is kept and
    // the other pipes are still served (SP-REQREP-21).
    this.incoming.deliver(flow, item);
  }
}

/**
 * Opens a REP socket.
 *
 * @example
 * ```ts
 * const s = rep0({ maxTtl: 4 });
 * ```
 */
export function rep0(options?: ProtocolOptions<"rep0">, internals?: Rep0Internals): Rep0Socket {
  return new Rep0Socket(options, internals);
}
