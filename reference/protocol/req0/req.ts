import { createActor } from "xstate";
import { protocols } from "../../../spec/constants.ts";
import { type ReqEvent, reqMachine } from "../../../spec/machines/req.ts";
import { SPError } from "../../core/errors.ts";
import { neverIfZero, type SocketOptions } from "../../core/options.ts";
import type { Pipe } from "../../core/pipe.ts";
import { type SendData, SocketBase, toOwnedBuffer } from "../../core/socket.ts";
import type { Transport } from "../../core/transport.ts";
import { Waiter } from "../../core/waiter.ts";
import { defaultTransports } from "../../transports.ts";

/** The unprovided `req` machine (or a regenerated variant with the same names). */
export type ReqMachine = typeof reqMachine;

/** Internal construction options: alternate machine and transports. */
export interface Req0Internals {
  reqMachine?: ReqMachine;
  transports?: readonly Transport[];
}

const TOP_BIT = 0x80000000;

/**
 * Next request id: +1, wrapping within [0x80000000, 0xffffffff] so the top
 * bit stays set (SP-REQREP-3).
 */
export function nextRequestId(id: number): number {
  return id >= 0xffffffff ? TOP_BIT : id + 1;
}

/** SP-REQREP-4: ids start at a random value (top bit set). */
function randomRequestId(): number {
  return (TOP_BIT | Math.floor(Math.random() * TOP_BIT)) >>> 0;
}

/**
 * A cooked REQ socket (protocol 0x30). One request is outstanding at a time;
 * the `req` actor decides when it is transmitted, resent, cancelled, and
 * whether a reply is accepted.
 *
 * @example
 * ```ts
 * const req = req0({ resendTime: 1000 });
 * req.dial("tcp://127.0.0.1:5555");
 * await req.send("ping");
 * const reply = await req.recv();
 * ```
 */
export class Req0Socket extends SocketBase {
  /** Pipes in round-robin order. */
  private readonly ring: Pipe[] = [];
  private nextPipe = 0;
  private lastId = randomRequestId();
  /** The outstanding request: its id and the `[id] body` payload parts. */
  private reqId = -1;
  private idWord: Buffer | null = null;
  private body: Buffer | null = null;
  /** The pipe that carried the last transmission. */
  private carrier: Pipe | null = null;
  private waiter: Waiter<Buffer> | null = null;
  /** A reply that arrived before anybody called recv. */
  private kept: Buffer | null = null;
  private readonly actor;

  constructor(options?: Partial<SocketOptions>, internals: Req0Internals = {}) {
    const p = protocols.req0;
    super(
      { self: p.number, peer: p.peer, name: p.name, peerName: p.peerName },
      options,
      internals.transports ?? defaultTransports,
    );
    const replyOf = (event: ReqEvent) => event.arg as Buffer;
    const machine = (internals.reqMachine ?? reqMachine).provide({
      actions: {
        newRequest: ({ event }) => {
          // SP-REQREP-3: the next id, top bit set; the body is kept for resends.
          this.lastId = nextRequestId(this.lastId);
          this.reqId = this.lastId;
          const word = Buffer.allocUnsafe(4);
          word.writeUInt32BE(this.reqId, 0);
          this.idWord = word;
          this.body = event.arg as Buffer;
          this.kept = null;
          this.carrier = null;
        },
        transmit: () => {
          // SP-REQREP-5: the request goes out as exactly `[id] body`.
          // SP-REQREP-21: pipes are used round robin.
          const pipe = this.pickPipe();
          if (!pipe || !this.idWord || !this.body) return;
          this.carrier = pipe;
          pipe.send(this.idWord, this.body);
        },
        cancelRequest: ({ event }) => {
          // SP-REQREP-10: the old id is forgotten, so its late reply fails idMatches.
          // SP-REQREP-20: on close the pending recv fails with ECLOSED instead.
          this.reqId = -1;
          this.idWord = null;
          this.body = null;
          this.carrier = null;
          this.kept = null;
          const code = event.type === "close" ? "ECLOSED" : "ECANCELED";
          this.waiter?.fail(new SPError(code));
          this.waiter = null;
        },
        awaitReply: ({ event }) => {
          const w = event.arg as Waiter<Buffer>;
          if (this.waiter && !this.waiter.settled) {
            w.fail(new SPError("ESTATE", "another recv is already waiting"));
            return;
          }
          this.waiter = w;
        },
        deliverReply: ({ event }) => {
          // SP-REQREP-7: the id word is stripped before delivery.
          const body = replyOf(event).subarray(4);
          this.reqId = -1;
          this.idWord = null;
          this.body = null;
          this.carrier = null;
          const w = this.waiter;
          this.waiter = null;
          if (!w?.resolve(body)) this.kept = body;
        },
        // SP-REQREP-6: replies that do not answer the outstanding request are ignored.
        dropReply: () => this.count("rxDropped"),
        failRecvState: ({ event }) => {
          // SP-REQREP-11: recv with no request outstanding fails.
          (event.arg as Waiter<Buffer>).fail(new SPError("ESTATE", "no request outstanding"));
        },
      },
      guards: {
        pipeAvailable: () => this.ring.length > 0,
        // SP-REQREP-6: at least 4 bytes, top bit set, and the outstanding id.
        idMatches: ({ event }) => {
          const m = replyOf(event);
          if (m.length < 4 || this.reqId < 0) return false;
          const id = m.readUInt32BE(0);
          return (id & TOP_BIT) !== 0 && id === this.reqId;
        },
        // SP-REQREP-9: only the loss of the carrying pipe triggers a resend.
        carriedRequest: ({ event }) => event.arg === this.carrier,
      },
      delays: {
        // SP-REQREP-8: resend after resendTime; 0 means never.
        resendTime: () => neverIfZero(this.options.resendTime),
      },
    });
    this.actor = createActor(machine);
    this.actor.start();
  }

  /**
   * Sends a request, cancelling any outstanding one. Resolves once queued:
   * with no peer the request waits for one (SP-REQREP-12).
   *
   * @example
   * ```ts
   * await req.send(new Uint8Array([1, 2, 3]));
   * ```
   */
  async send(data: SendData): Promise<void> {
    this.assertOpen();
    this.actor.send({ type: "send", arg: toOwnedBuffer(data) });
  }

  /**
   * Receives the reply to the outstanding request (id stripped). ESTATE with
   * no request outstanding, ETIMEDOUT after `recvTimeout`, ECANCELED if a new
   * send supersedes the request, ECLOSED on close.
   *
   * @example
   * ```ts
   * const reply = await req.recv();
   * ```
   */
  recv(): Promise<Buffer> {
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    // SP-REQREP-7: a reply that came before recv was kept for it.
    if (this.kept) {
      const body = this.kept;
      this.kept = null;
      return Promise.resolve(body);
    }
    // On timeout the request stays outstanding: a later recv may still get its reply.
    const w = new Waiter<Buffer>(this.options.recvTimeout, (timedOut) => {
      if (this.waiter === timedOut) this.waiter = null;
    });
    this.actor.send({ type: "recv", arg: w });
    return w.promise;
  }

  protected pipeAdded(pipe: Pipe): void {
    this.ring.push(pipe);
    pipe.onMessage = (msg) => this.actor.send({ type: "reply", arg: msg });
    // SP-REQREP-12: a request waiting for a peer goes out now.
    this.actor.send({ type: "pipeAdded", arg: pipe });
  }

  protected pipeRemoved(pipe: Pipe): void {
    const i = this.ring.indexOf(pipe);
    if (i >= 0) {
      this.ring.splice(i, 1);
      if (this.nextPipe > i) this.nextPipe--;
    }
    pipe.onMessage = null;
    // SP-REQREP-9: losing the carrying pipe resends at once (on another pipe, if any).
    if (this.actor.getSnapshot().status === "active") {
      this.actor.send({ type: "pipeRemoved", arg: pipe });
    }
  }

  protected protocolClose(): void {
    this.actor.send({ type: "close" });
    this.waiter?.fail(new SPError("ECLOSED"));
    this.waiter = null;
    this.kept = null;
  }

  private pickPipe(): Pipe | undefined {
    const n = this.ring.length;
    if (n === 0) return undefined;
    if (this.nextPipe >= n) this.nextPipe = 0;
    const pipe = this.ring[this.nextPipe];
    this.nextPipe = (this.nextPipe + 1) % n;
    return pipe;
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
export function req0(options?: Partial<SocketOptions>, internals?: Req0Internals): Req0Socket {
  return new Req0Socket(options, internals);
}
