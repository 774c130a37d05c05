import { createActor } from "xstate";
import { protocols } from "../../../spec/constants.ts";
import { repMachine } from "../../../spec/machines/rep.ts";
import { SPError } from "../../core/errors.ts";
import type { SocketOptions } from "../../core/options.ts";
import type { Pipe } from "../../core/pipe.ts";
import { RingQueue } from "../../core/queue.ts";
import { type SendData, SocketBase, toOwnedBuffer } from "../../core/socket.ts";
import type { Transport } from "../../core/transport.ts";
import { Waiter } from "../../core/waiter.ts";
import { defaultTransports } from "../../transports.ts";
import { splitBacktrace } from "./backtrace.ts";

/** The unprovided `rep` machine (or a regenerated variant with the same names). */
export type RepMachine = typeof repMachine;

/** Internal construction options: alternate machine, transports, queue size. */
export interface Rep0Internals {
  repMachine?: RepMachine;
  transports?: readonly Transport[];
  /** Requests buffered while nobody is in recv (default 128); more are dropped. */
  recvQueueSize?: number;
}

/** A request received and not yet handed out. */
interface Incoming {
  readonly pipe: Pipe;
  readonly backtrace: Buffer;
  readonly body: Buffer;
}

/** Argument of the machine's `send` event. */
interface ReplyArg {
  readonly body: Buffer;
  readonly done: Waiter<void>;
}

/**
 * A cooked REP socket (protocol 0x31). `recv` hands out one request and the
 * `rep` actor holds its backtrace and pipe until `send` answers it.
 *
 * @example
 * ```ts
 * const rep = rep0();
 * await rep.listen("tcp://127.0.0.1:5555");
 * for await (const req of rep) await rep.send(req);
 * ```
 */
export class Rep0Socket extends SocketBase {
  private readonly incoming: RingQueue<Incoming>;
  private readonly waiters = new RingQueue<Waiter<Buffer>>();
  /** The request being answered. */
  private held: Incoming | null = null;
  private readonly actor;

  constructor(options?: Partial<SocketOptions>, internals: Rep0Internals = {}) {
    const p = protocols.rep0;
    super(
      { self: p.number, peer: p.peer, name: p.name, peerName: p.peerName },
      options,
      internals.transports ?? defaultTransports,
    );
    this.incoming = new RingQueue<Incoming>(internals.recvQueueSize ?? 128);
    const machine = (internals.repMachine ?? repMachine).provide({
      actions: {
        holdRequest: ({ event }) => {
          this.held = event.arg as Incoming;
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
          if (held && !held.pipe.isClosed) held.pipe.send(held.backtrace, body);
          else this.count("txDropped");
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
    this.actor = createActor(machine);
    this.actor.start();
  }

  /**
   * Receives the next request body and holds its backtrace for `send`.
   * Receiving again abandons an unanswered request (SP-REQREP-19).
   *
   * @example
   * ```ts
   * const body = await rep.recv();
   * ```
   */
  recv(): Promise<Buffer> {
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    const next = this.incoming.shift();
    if (next) return Promise.resolve(this.handOut(next));
    const w = new Waiter<Buffer>(this.options.recvTimeout);
    this.waiters.push(w);
    return w.promise;
  }

  /**
   * Answers the request returned by the last `recv`. ESTATE when none is held.
   *
   * @example
   * ```ts
   * await rep.send("pong");
   * ```
   */
  send(data: SendData): Promise<void> {
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    const done = new Waiter<void>(-1);
    const arg: ReplyArg = { body: toOwnedBuffer(data), done };
    this.actor.send({ type: "send", arg });
    return done.promise;
  }

  protected pipeAdded(pipe: Pipe): void {
    pipe.onMessage = (msg) => this.onRequest(pipe, msg);
  }

  protected pipeRemoved(pipe: Pipe): void {
    pipe.onMessage = null;
  }

  protected protocolClose(): void {
    this.actor.send({ type: "close" });
    // SP-REQREP-20: pending receivers fail with ECLOSED.
    for (const w of this.waiters.drain()) w.fail(new SPError("ECLOSED"));
    this.incoming.drain();
  }

  /** Data path: one received message from `pipe`. */
  private onRequest(pipe: Pipe, msg: Buffer): void {
    if (this.isClosed) return;
    const r = splitBacktrace(msg, this.options.maxTtl);
    if (r.kind === "malformed") {
      // SP-REQREP-14: never answered; we close the pipe (as nng does), counted.
      this.count("rxMalformed");
      pipe.close(new SPError("EPROTO", "request without a request id"));
      return;
    }
    if (r.kind === "tooManyHops") {
      // SP-REQREP-15: dropped silently; the connection stays open.
      this.count("rxTtlExceeded");
      return;
    }
    const item: Incoming = { pipe, backtrace: r.backtrace, body: r.body };
    // SP-REQREP-21: requests are served in arrival order across pipes.
    for (;;) {
      const w = this.waiters.shift();
      if (!w) break;
      if (w.settled) continue; // timed out meanwhile
      w.resolve(this.handOut(item));
      return;
    }
    if (!this.incoming.push(item)) this.count("rxQueueFull");
  }

  /** Tells the actor that `item` is now the request being answered. */
  private handOut(item: Incoming): Buffer {
    this.actor.send({ type: "deliver", arg: item });
    return item.body;
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
export function rep0(options?: Partial<SocketOptions>, internals?: Rep0Internals): Rep0Socket {
  return new Rep0Socket(options, internals);
}
