import {
  createPairSlotLogic,
  type PairSlotEvent,
  type PairSlotImplementation,
  pairSlotCompiled,
} from "../../../spec/machines/pair-slot.ts";
import { type CallOptions, callTimeout, deadlineOf } from "../../core/call-options.ts";
import { SPError } from "../../core/errors.ts";
import type { Pipe } from "../../core/pipe.ts";
import { createSpecActor } from "../../core/spec-actor.ts";
import type { DetailStat } from "../../core/stats.ts";
import { Waiter } from "../../core/waiter.ts";
import { canWrite, watchWritable } from "./pipe-ready.ts";

/** The compiled `pair-slot` table the reference runs (or one regenerated from an edited draft). */
export type PairSlotMachine = typeof pairSlotCompiled;

/** What a monogamous PAIR socket plugs into its {@link PeerSlot}. */
export interface PeerSlotHooks {
  /** Writes one message body to the peer (adding the protocol header, if any). */
  write(pipe: Pipe, body: Buffer): void;
  /** The pipe became the peer: start reading from it. */
  attach(pipe: Pipe): void;
  /** The peer's pipe went away: stop reading from it. */
  detach(pipe: Pipe): void;
  /** The current send timeout in ms (-1 = none), read for each parked send. */
  sendTimeout(): number;
  /** Counts a diagnostic event. */
  count(stat: DetailStat): void;
}

/** A send that could not be written at once. */
interface Parked {
  readonly body: Buffer;
  readonly done: Waiter<void>;
  /** `performance.now()` time after which it fails with ETIMEDOUT; Infinity for none. */
  readonly deadline: number;
}

/** What each `pair-slot` event carries in `arg` (the payload map the machine is bound with). */
interface PairSlotArgs {
  pipeAdded: Pipe;
  pipeRemoved: Pipe;
  send: Parked;
  writable: undefined;
  close: undefined;
}

/** Longest timer xstate (setTimeout) accepts; used when no parked send has a deadline. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * The single peer slot of a monogamous PAIR socket (v0 or v1), driven by the
 * `pair-slot` machine of draft-sp-pair: the first pipe takes the slot, later
 * pipes are closed while it is taken, and sends wait while there is no peer
 * or the peer is not writable. A send to a present, writable peer with
 * nothing parked is written directly, without an actor event.
 *
 * @example
 * ```ts
 * const slot = new PeerSlot({ write: (p, b) => p.send(b), attach, detach, sendTimeout, count });
 * socketPipeAdded = (pipe) => slot.pipeAdded(pipe);
 * await slot.send(Buffer.from("hi"));
 * ```
 */
export class PeerSlot {
  private peer: Pipe | null = null;
  private parked: Parked[] = [];
  private readonly actor;

  constructor(
    private readonly hooks: PeerSlotHooks,
    machine: PairSlotMachine = pairSlotCompiled,
  ) {
    const impl: PairSlotImplementation<PairSlotArgs> = {
      actions: {
        occupy: ({ event }) => {
          // SP-PAIR-4: the first pipe (or the first after the peer left) becomes the peer.
          const pipe = event.arg;
          this.peer = pipe;
          watchWritable(pipe, () => this.lifecycle({ type: "writable" }));
          hooks.attach(pipe);
        },
        vacate: ({ event }) => {
          const pipe = event.arg;
          watchWritable(pipe, null);
          hooks.detach(pipe);
          this.peer = null;
        },
        rejectPipe: ({ event }) => {
          // SP-PAIR-3: one peer at a time; the extra pipe closes, the peer is untouched.
          hooks.count("rejectAlreadyPaired");
          event.arg.close();
        },
        parkSend: ({ event }) => {
          // SP-PAIR-5: no writable peer, so the send waits; SP-PAIR-6: in order.
          this.parked.push(event.arg);
        },
        flushSends: () => {
          // SP-PAIR-6: parked sends go out oldest first, while the peer takes them.
          const peer = this.peer;
          if (!peer) return;
          let n = 0;
          while (n < this.parked.length && canWrite(peer)) {
            const p = this.parked[n++] as Parked;
            if (p.done.settled) continue;
            hooks.write(peer, p.body);
            p.done.resolve();
          }
          this.parked = this.parked.slice(n);
        },
        expireSends: () => {
          // SP-PAIR-5: a parked send fails with ETIMEDOUT at its deadline, never silently.
          const now = performance.now();
          this.parked = this.parked.filter((p) => {
            if (p.deadline > now) return !p.done.settled;
            p.done.fail(new SPError("ETIMEDOUT", "no writable PAIR peer within the send timeout"));
            return false;
          });
        },
        failSends: () => {
          // SP-PAIR-7: closing fails parked sends with ECLOSED.
          for (const p of this.parked) p.done.fail(new SPError("ECLOSED"));
          this.parked = [];
        },
      },
      guards: {
        sendsParked: () => this.parked.length > 0,
        isOccupant: ({ event }) => event.arg === this.peer,
      },
      delays: {
        // SP-PAIR-5: the timer runs to the earliest deadline among the parked sends.
        sendTimeout: () => {
          let first = Number.POSITIVE_INFINITY;
          for (const p of this.parked) first = Math.min(first, p.deadline);
          if (!Number.isFinite(first)) return MAX_DELAY;
          return Math.max(0, Math.min(MAX_DELAY, Math.ceil(first - performance.now())));
        },
      },
    };
    this.actor = createSpecActor(createPairSlotLogic(impl, machine));
    this.actor.start();
  }

  /** The current peer's pipe, if any. */
  get current(): Pipe | null {
    return this.peer;
  }

  /** Number of sends waiting for a writable peer. */
  get waitingSends(): number {
    return this.parked.length;
  }

  /** The state of the slot machine (`empty`, `waiting`, `occupied`, `stalled`, `closed`). */
  get state(): string {
    return String(this.actor.getSnapshot().value);
  }

  /**
   * Sends `body` to the peer; resolves once written (queued on the pipe).
   * Waits while there is no writable peer, up to the send timeout (or
   * `opts.timeoutMs`); `opts.signal` withdraws a waiting send (ECANCELED),
   * which then is never written. The caller has checked `opts` (refuseCall).
   */
  send(body: Buffer, opts?: CallOptions): Promise<void> {
    const peer = this.peer;
    if (peer && this.parked.length === 0 && canWrite(peer)) {
      // Fast path: no actor event per message.
      this.hooks.write(peer, body);
      return Promise.resolve();
    }
    const timeout = callTimeout(opts, this.hooks.sendTimeout());
    const parked: Parked = {
      body,
      done: new Waiter<void>(-1, () => this.withdraw(parked), opts?.signal),
      deadline: deadlineOf(timeout),
    };
    this.lifecycle({ type: "send", arg: parked });
    if (this.state === "closed") parked.done.fail(new SPError("ECLOSED"));
    return parked.done.promise;
  }

  /** A pipe finished its handshake. */
  pipeAdded(pipe: Pipe): void {
    if (!this.lifecycle({ type: "pipeAdded", arg: pipe })) pipe.close();
  }

  /** A pipe went away (the peer or a rejected one). */
  pipeRemoved(pipe: Pipe): void {
    this.lifecycle({ type: "pipeRemoved", arg: pipe });
  }

  /** Closes the slot: parked sends fail with ECLOSED. */
  close(): void {
    this.lifecycle({ type: "close" });
    this.peer = null;
  }

  /**
   * An aborted send leaves the parked ones, so it is never written. When none
   * is left, the actor is nudged with `writable`, which `stalled` takes (it
   * flushes nothing) and `waiting` ignores: either way the machine's
   * eventless `sendsParked` check runs, the slot goes back to `occupied` or
   * `empty`, and the send timer stops.
   */
  private withdraw(p: Parked): void {
    const i = this.parked.indexOf(p);
    if (i < 0) return;
    this.parked.splice(i, 1);
    if (this.parked.length === 0) this.lifecycle({ type: "writable" });
  }

  /** Hands an event to the actor unless it has finished; returns whether it did. */
  private lifecycle(event: PairSlotEvent<PairSlotArgs>): boolean {
    if (this.actor.getSnapshot().status !== "active") return false;
    this.actor.send(event);
    return true;
  }
}
