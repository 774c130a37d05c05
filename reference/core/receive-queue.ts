import { abortError } from "./call-options.ts";
import { SPError } from "./errors.ts";
import type { Pipe } from "./pipe.ts";
import { RingQueue } from "./queue.ts";
import { PipeFlow, type RecvBoundOptions, type RecvFlowMachine } from "./recv-flow.ts";
import { Waiter } from "./waiter.ts";

/**
 * The receive side of a socket that hands messages from its pipes to
 * `recv` calls: one bounded buffer per pipe ({@link PipeFlow}, which stops
 * and resumes the pipe's reading, SP-FRAMEWORK-21..-24), served in turn
 * (fair queueing: one busy pipe cannot starve a quiet one), and the `recv`
 * calls waiting for a message with their own timeouts.
 *
 * A message that finds a waiting `recv` is handed over at once and never
 * counts against a bound. Nothing is ever dropped for want of room: the
 * pipe stops reading instead. Plain code on the data path; only the
 * crossings of the bounds reach an actor.
 *
 * A socket that must do more than resolve a promise when it hands a message
 * out (REP and RESPONDENT tell their actor which request is held) keeps its
 * own waiting receivers and uses only {@link deliver} and {@link tryTake}.
 *
 * @example
 * ```ts
 * const rq = new ReceiveQueue<Buffer>(socket.options, (m) => m.length);
 * const flow = rq.attach(pipe);
 * pipe.onMessage = (m) => rq.deliver(flow, m);
 * const msg = await rq.take(socket.options.recvTimeout);
 * ```
 */
export class ReceiveQueue<T> {
  /** Flows that hold at least one item, in serving order. */
  private readonly turn = new RingQueue<PipeFlow<T>>();
  private readonly waiters = new RingQueue<Waiter<T>>();
  /** Flows of attached pipes, and of detached pipes whose items are not all taken. */
  private readonly flows = new Set<PipeFlow<T>>();
  /** The flow of each attached pipe (looked up on attach and detach only). */
  private readonly byPipe = new Map<Pipe, PipeFlow<T>>();
  private count = 0;
  private closed = false;

  /**
   * @param options the socket's live options (`recvBuffer`, `recvBufferBytes`)
   * @param sizeOf the bytes one item counts against the byte bound
   * @param fallbackMessages the protocol's message bound when `recvBuffer` is 0
   * @param machine an alternate `recv-flow` machine
   */
  constructor(
    private readonly options: RecvBoundOptions,
    private readonly sizeOf: (item: T) => number,
    private readonly fallbackMessages?: number,
    private readonly machine?: RecvFlowMachine,
  ) {}

  /** Items waiting for a `recv`, over all pipes. */
  get length(): number {
    return this.count;
  }

  /**
   * Starts a pipe's buffer; pass the result to {@link deliver}, from the
   * pipe's `onMessage` (keep it in that closure: no lookup per message).
   * Attaching a pipe again returns its flow.
   */
  attach(pipe: Pipe): PipeFlow<T> {
    const known = this.byPipe.get(pipe);
    if (known) return known;
    const flow = new PipeFlow<T>(pipe, this.options, this.fallbackMessages, this.machine);
    this.flows.add(flow);
    this.byPipe.set(pipe, flow);
    return flow;
  }

  /**
   * The pipe left the socket: its reading state ends, and the messages it
   * already delivered stay to be received (a PULL loses nothing it read).
   * Stop calling {@link deliver} for it. Idempotent.
   */
  detach(flow: PipeFlow<T>): void {
    if (this.byPipe.get(flow.pipe) === flow) this.byPipe.delete(flow.pipe);
    flow.detach();
    if (flow.items.isEmpty()) this.flows.delete(flow);
  }

  /** {@link detach} by pipe; a pipe that was never attached is ignored. */
  detachPipe(pipe: Pipe): void {
    const flow = this.byPipe.get(pipe);
    if (flow) this.detach(flow);
  }

  /** One message from `flow`'s pipe: to the oldest waiting `recv`, else into its buffer. */
  deliver(flow: PipeFlow<T>, item: T): void {
    if (this.closed) return;
    for (;;) {
      const w = this.waiters.shift();
      if (!w) break;
      if (w.resolve(item)) return; // a timed-out waiter returns false
    }
    flow.items.push(item);
    this.count++;
    if (!flow.queued) {
      flow.queued = true;
      this.turn.push(flow);
    }
    // SP-FRAMEWORK-22: reaching a bound stops the pipe; nothing is dropped.
    flow.added(this.sizeOf(item));
  }

  /** The next item in turn, or undefined when none is buffered. */
  tryTake(): T | undefined {
    const flow = this.turn.peek();
    if (flow === undefined) return undefined;
    const item = flow.items.shift() as T;
    this.count--;
    // SP-PIPELINE-16, SP-REQREP-21, SP-SURVEY-18, SP-BUS-7: a pipe with more goes to the back
    // (with one pipe in the rotation, it simply stays at its head).
    if (flow.items.isEmpty()) {
      this.turn.shift();
      flow.queued = false;
      if (flow.detached) this.flows.delete(flow);
    } else if (this.turn.length > 1) this.turn.push(this.turn.shift() as PipeFlow<T>);
    // SP-FRAMEWORK-23: back under half of both bounds, the pipe reads again.
    flow.taken(this.sizeOf(item));
    return item;
  }

  /**
   * Takes the next item, waiting up to `timeoutMs` (-1 = forever); ECLOSED
   * after close, ECANCELED when `signal` aborts first (at once when it is
   * already aborted, even with an item buffered: the item stays for the next
   * call). A receiver that timed out or was aborted is skipped by
   * {@link deliver}, so it never takes a message.
   */
  take(timeoutMs: number, signal?: AbortSignal): Promise<T> {
    // SP-FRAMEWORK-33: a recv started after close fails at once and takes nothing.
    if (this.closed) return Promise.reject(new SPError("ECLOSED"));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.count > 0) return Promise.resolve(this.tryTake() as T);
    const w = new Waiter<T>(timeoutMs, undefined, signal);
    if (this.waiters.length >= 32) {
      // Forget receivers that timed out or were aborted meanwhile, so they do not pile up.
      for (const old of this.waiters.drain()) if (!old.settled) this.waiters.push(old);
    }
    this.waiters.push(w);
    return w.promise;
  }

  /**
   * Removes the buffered items `keep` refuses (a SUB purging what no longer
   * matches, SP-PUBSUB-18), keeping the order of the rest; the pipes they came
   * from may read again.
   */
  purge(keep: (item: T) => boolean): void {
    for (const flow of this.flows) {
      const n = flow.items.length;
      for (let i = 0; i < n; i++) {
        const item = flow.items.shift() as T;
        if (keep(item)) flow.items.push(item);
        else {
          this.count--;
          flow.taken(this.sizeOf(item));
        }
      }
    }
    // Rebuild the rotation without the flows that ran empty.
    const order = this.turn.drain();
    for (const flow of order) {
      if (!flow.items.isEmpty()) this.turn.push(flow);
      else {
        flow.queued = false;
        if (flow.detached) this.flows.delete(flow);
      }
    }
  }

  /** Fails every waiting `recv` with ECLOSED and forgets the buffered items. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiters.drain()) w.fail(new SPError("ECLOSED"));
    for (const flow of this.flows) {
      flow.items.drain();
      flow.queued = false;
      flow.detach();
    }
    this.flows.clear();
    this.byPipe.clear();
    this.turn.drain();
    this.count = 0;
  }
}
