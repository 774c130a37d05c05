import { defaults } from "../../spec/constants.ts";
import {
  createRecvFlowLogic,
  type RecvFlowImplementation,
  recvFlowCompiled,
} from "../../spec/machines/recv-flow.ts";
import type { SocketOptions } from "./options.ts";
import type { Pipe } from "./pipe.ts";
import { RingQueue } from "./queue.ts";
import { createSpecActor } from "./spec-actor.ts";

/** The compiled `recv-flow` table the reference runs (or one regenerated from an edited draft). */
export type RecvFlowMachine = typeof recvFlowCompiled;

/** What each `recv-flow` event carries in `arg`: nothing. */
interface RecvFlowArgs {
  full: undefined;
  room: undefined;
  detach: undefined;
}

/** The options a {@link PipeFlow} reads its bounds from (live: a change applies at once). */
export type RecvBoundOptions = Pick<SocketOptions, "recvBuffer" | "recvBufferBytes">;

/** Messages a pipe's receive buffer holds at most, from `recvBuffer` (0 = the draft's default). */
export function recvBoundMessages(o: RecvBoundOptions, fallback?: number): number {
  return o.recvBuffer > 0 ? o.recvBuffer : (fallback ?? defaults.recvBufferMessages);
}

/** Bytes a pipe's receive buffer holds before it stops reading, from `recvBufferBytes`. */
export function recvBoundBytes(o: RecvBoundOptions): number {
  return o.recvBufferBytes > 0 ? o.recvBufferBytes : defaults.recvBufferBytes;
}

/**
 * The receive buffer of one pipe (framework draft, "Flow Control"): the
 * messages read from the pipe and not yet taken by the application, with
 * their count and bytes. When the buffer reaches either bound the pipe stops
 * reading (SP-FRAMEWORK-22); when the application has brought it back to half
 * of both bounds, it reads again (SP-FRAMEWORK-23). Only those two crossings
 * reach the pipe's `recv-flow` actor; queueing a message is plain code.
 *
 * @example
 * ```ts
 * const flow = new PipeFlow<Buffer>(pipe, socket.options);
 * pipe.onMessage = (m) => { flow.items.push(m); flow.added(m.length); };
 * const m = flow.items.shift(); if (m) flow.taken(m.length);
 * ```
 */
export class PipeFlow<T = Buffer> {
  /** The pipe's messages waiting for the application, oldest first. */
  readonly items = new RingQueue<T>(Number.POSITIVE_INFINITY, 4);
  /** Messages counted against the bounds now: those in {@link items}. */
  get messages(): number {
    return this.items.length;
  }
  /** Bytes counted against the bounds now. */
  bytes = 0;
  /** True while the pipe is told not to read (between `stopReading` and `startReading`). */
  paused = false;
  /** True once the pipe left the socket; its queued items may still be taken. */
  detached = false;
  /** Set by a fair queue while this flow is in its rotation. */
  queued = false;
  private readonly actor;

  /**
   * @param pipe the pipe whose reading this flow stops and resumes
   * @param options the socket's live options (`recvBuffer`, `recvBufferBytes`)
   * @param fallbackMessages the protocol's message bound when `recvBuffer` is 0
   * @param machine an alternate `recv-flow` machine (tests, regenerated drafts)
   */
  constructor(
    readonly pipe: Pipe,
    private readonly options: RecvBoundOptions,
    private readonly fallbackMessages?: number,
    machine: RecvFlowMachine = recvFlowCompiled,
  ) {
    const impl: RecvFlowImplementation<RecvFlowArgs> = {
      actions: {
        // SP-FRAMEWORK-22: a full buffer stops reading; the data stays in the transport.
        stopReading: () => {
          this.paused = true;
          pipe.pauseReading();
        },
        // SP-FRAMEWORK-23: room again: the transport delivers what it holds, in order, then reads.
        startReading: () => {
          this.paused = false;
          pipe.resumeReading();
        },
      },
      guards: {},
      delays: {},
    };
    this.actor = createSpecActor(createRecvFlowLogic(impl, machine));
    this.actor.start();
  }

  /** Counts the bytes of the message just pushed into {@link items}; stops the pipe at a bound. */
  added(bytes: number): void {
    this.bytes += bytes;
    if (this.paused || this.detached) return;
    const o = this.options;
    // SP-FRAMEWORK-21, -22: either bound, messages or bytes, stops the pipe.
    if (
      this.messages >= recvBoundMessages(o, this.fallbackMessages) ||
      this.bytes >= recvBoundBytes(o)
    ) {
      this.actor.send({ type: "full" });
    }
  }

  /** Counts the bytes of the message just shifted out of {@link items}; resumes it at half. */
  taken(bytes: number): void {
    this.bytes -= bytes;
    if (!this.paused || this.detached) return;
    const o = this.options;
    if (
      this.messages * 2 <= recvBoundMessages(o, this.fallbackMessages) &&
      this.bytes * 2 <= recvBoundBytes(o)
    ) {
      this.actor.send({ type: "room" });
    }
  }

  /** The pipe left the socket (idempotent). Queued items stay and may still be taken. */
  detach(): void {
    if (this.detached) return;
    this.detached = true;
    if (this.actor.getSnapshot().status === "active") this.actor.send({ type: "detach" });
  }
}
