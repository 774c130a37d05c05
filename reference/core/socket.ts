import type { RecvOptions, SendOptions } from "./call-options.ts";
import { SPError } from "./errors.ts";
import {
  lookupOption,
  type OptionName,
  resolveOptions,
  type SocketOptions,
  validateOption,
} from "./options.ts";
import type { Pipe } from "./pipe.ts";
import {
  classifyStat,
  instrumentPipe,
  newSocketCounters,
  type PipeCounters,
  type PipeEvent,
  type SocketStatsSnapshot,
} from "./stats.ts";
import { PipeEventFeed } from "./stats-events.ts";
import type {
  Dialer,
  EndpointOptions,
  Listener,
  PipeHost,
  ProtocolIdentity,
  Transport,
} from "./transport.ts";
import { parseUrl } from "./url.ts";

/** Lets a timer not keep Node alive (a no-op where timers are plain numbers, e.g. browsers). */
function unrefTimer(t: unknown): void {
  (t as { unref?: () => void } | null)?.unref?.();
}

/** What `send` accepts: bytes, or a string sent as UTF-8. */
export type SendData = Uint8Array | string;

/**
 * The `this` type of a `send` a receive-only protocol (SUB, PULL) declares:
 * no socket has it, so calling such a socket's `send` does not compile, while
 * the socket stays a {@link SocketBase} (whose `send`, called through that
 * type, rejects with ENOTSUP).
 */
export type CannotSend<P extends string> = `a ${P} socket cannot send`;

/** As {@link CannotSend}, for `recv` on a send-only protocol (PUB, PUSH). */
export type CannotRecv<P extends string> = `a ${P} socket cannot receive`;

/**
 * Copies user data into a Buffer the stack owns (the caller may reuse its
 * array right after `send` resolves, while the write is still queued).
 */
export function toOwnedBuffer(data: SendData): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (data instanceof Uint8Array) return Buffer.from(data);
  throw new SPError("EINVAL", "send needs a Uint8Array or a string");
}

/**
 * The protocol-independent part of a socket: options, listeners, dialers,
 * the pipe set, idempotent close (also as `Symbol.asyncDispose`, for
 * `await using`) and the async iterator. A protocol extends it and
 * implements `send`, `recv` and the pipe hooks.
 *
 * @example
 * ```ts
 * await using s = req0(); // closed when the block ends
 * const l = await s.listen("tcp://127.0.0.1:0");
 * for await (const msg of s) { ... } // ends when the socket closes
 * ```
 */
export abstract class SocketBase implements PipeHost, AsyncIterable<Buffer>, AsyncDisposable {
  readonly identity: ProtocolIdentity;
  readonly options: SocketOptions;
  /** Pipes attached now, in attach order. */
  protected readonly pipes = new Set<Pipe>();
  private readonly listeners = new Set<Listener>();
  private readonly dialers = new Set<Dialer>();
  private readonly transports: ReadonlyMap<string, Transport>;
  private readonly diag = new Map<string, number>();
  /** Summary counters (messages, bytes, drops, protocol errors, connects, disconnects). */
  private readonly counters = newSocketCounters();
  /** Per-pipe counters of the pipes attached now. */
  private readonly pipeCounters = new Map<Pipe, PipeCounters>();
  private readonly feed = new PipeEventFeed();
  private closing: Promise<void> | undefined;

  protected constructor(
    identity: ProtocolIdentity,
    options: Partial<SocketOptions> | undefined,
    transports: readonly Transport[],
  ) {
    this.identity = identity;
    this.options = resolveOptions(options);
    this.transports = new Map(transports.map((t) => [t.scheme, t]));
  }

  /** True once `close` was called. */
  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Sends one message. `opts.signal` and `opts.timeoutMs` bound this call
   * (see {@link SendOptions}); a protocol that cannot send rejects with ENOTSUP.
   */
  abstract send(data: SendData, opts?: SendOptions): Promise<void>;
  /**
   * Receives one message. `opts.signal` and `opts.timeoutMs` bound this call
   * (see {@link RecvOptions}); a protocol that cannot receive rejects with ENOTSUP.
   */
  abstract recv(opts?: RecvOptions): Promise<Buffer>;
  /** Protocol hook: a pipe is ready for use. */
  protected abstract pipeAdded(pipe: Pipe): void;
  /** Protocol hook: a pipe went away. */
  protected abstract pipeRemoved(pipe: Pipe): void;
  /** Protocol hook: fail pending operations with ECLOSED (SP-FRAMEWORK-19). */
  protected abstract protocolClose(): void;

  /**
   * Binds a listener; resolves once bound, with the real URL in `url`.
   *
   * @example
   * ```ts
   * const { url } = await s.listen("tcp://127.0.0.1:0");
   * ```
   */
  async listen(url: string, options?: EndpointOptions): Promise<Listener> {
    this.assertOpen();
    const parsed = parseUrl(url, true);
    const transport = this.transportFor(parsed.scheme);
    const listener = await transport.listen(parsed, this, options);
    if (this.isClosed) {
      await listener.close();
      throw new SPError("ECLOSED");
    }
    this.listeners.add(listener);
    return listener;
  }

  /**
   * Starts a reconnecting dialer and returns it at once. Bad URLs throw EADDRINVAL now.
   * With `{ start: false }` the dialer is created but makes no connection attempt until
   * its `start()` is called (nng's `nng_dialer_create` / `nng_dialer_start`); closing it,
   * or the socket, before then never touches the network. A transport that cannot
   * create unstarted dialers answers ENOTSUP.
   *
   * @example
   * ```ts
   * const d = s.dial("tcp://127.0.0.1:5555");
   * await d.connected;
   *
   * const later = s.dial("tcp://127.0.0.1:5556", { start: false });
   * later.start?.(); // connects from now on; later.close() stops it
   * ```
   */
  dial(url: string, options?: EndpointOptions): Dialer {
    this.assertOpen();
    const parsed = parseUrl(url, false);
    const dialer = this.transportFor(parsed.scheme).dial(parsed, this, options);
    if (options?.start === false && dialer.start === undefined) {
      // The transport started it anyway: stop it before its first attempt gets anywhere.
      void dialer.close();
      throw new SPError("ENOTSUP", `${parsed.scheme}:// dialers cannot be created unstarted`);
    }
    this.dialers.add(dialer);
    return dialer;
  }

  /**
   * Sets an option by our name or the nng name (`req:resend-time`). EINVAL for a bad name or value.
   *
   * @example
   * ```ts
   * s.setOption("ttl-max", 4);
   * ```
   */
  setOption(name: OptionName | string, value: number): void {
    const spec = lookupOption(name);
    this.options[spec.name] = validateOption(spec, value);
    this.optionChanged(spec.name);
  }

  /**
   * Reads an option by our name or the nng name.
   *
   * @example
   * ```ts
   * s.getOption("resendTime"); // 60000
   * ```
   */
  getOption(name: OptionName | string): number {
    return this.options[lookupOption(name).name];
  }

  /** Hook for protocols that react to an option change. */
  protected optionChanged(_name: OptionName): void {}

  /** Diagnostic counters (e.g. `rxMalformed`, `rxOversize`, `rxTtlExceeded`). */
  getStats(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.diag);
  }

  count(stat: string): void {
    this.diag.set(stat, (this.diag.get(stat) ?? 0) + 1);
    const kind = classifyStat(stat);
    if (kind) this.counters[kind]++;
  }

  /**
   * A snapshot of the socket's counters and of each attached pipe's counters.
   *
   * @example
   * ```ts
   * const { socket, pipes } = sock.stats();
   * console.log(socket.msgsIn, socket.drops, pipes[0]?.bytesOut);
   * ```
   */
  stats(): SocketStatsSnapshot {
    return {
      socket: { ...this.counters, pipesOpen: this.pipes.size },
      pipes: [...this.pipeCounters.values()].map((c) => ({ ...c })),
    };
  }

  /**
   * Pipe add/remove events from now on, as an async iterable that ends when the
   * socket closes. A remove event carries the typed error that removed the pipe.
   *
   * @example
   * ```ts
   * for await (const ev of sock.pipeEvents()) {
   *   if (ev.type === "remove") console.log(ev.pipe.id, ev.error?.code);
   * }
   * ```
   */
  pipeEvents(): AsyncIterable<PipeEvent> {
    return this.feed.iterate();
  }

  isPeerCompatible(peer: number): boolean {
    // SP-FRAMEWORK-9: only the peer its protocol names (REQ and REP: each other, SP-REQREP-1).
    return peer === this.identity.peer;
  }

  attachPipe(pipe: Pipe): void {
    if (this.isClosed) {
      pipe.close();
      return;
    }
    const c = instrumentPipe(pipe, this.counters);
    this.pipeCounters.set(pipe, c);
    this.counters.connects++;
    this.pipes.add(pipe);
    this.feed.publish({ type: "add", pipe: { id: c.id, peer: c.peer, url: c.url } });
    this.pipeAdded(pipe);
  }

  detachPipe(pipe: Pipe): void {
    if (!this.pipes.delete(pipe)) return;
    const c = this.pipeCounters.get(pipe);
    this.pipeCounters.delete(pipe);
    this.counters.disconnects++;
    this.pipeRemoved(pipe);
    const info = { id: pipe.id, peer: pipe.peer, url: c?.url };
    this.pendingRemovals++;
    // The reason is known once the pipe's `closed` settles (at once, or within a tick).
    void pipe.closed.then(
      (error) => this.removed(info, error),
      () => this.removed(info, undefined),
    );
  }

  private pendingRemovals = 0;

  private removed(info: { id: number; peer: number; url?: string }, error: SPError | undefined) {
    this.feed.publish(
      error ? { type: "remove", pipe: info, error } : { type: "remove", pipe: info },
    );
    this.pendingRemovals--;
    if (this.pendingRemovals === 0 && this.closeDone) this.feed.end();
  }

  private closeDone = false;

  /**
   * Closes the socket: pending operations fail with ECLOSED, listeners,
   * dialers and pipes close. Idempotent; every call returns the same promise.
   *
   * @example
   * ```ts
   * await s.close(); await s.close(); // fine
   * ```
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      // SP-FRAMEWORK-19: closing fails every pending operation with ECLOSED.
      this.protocolClose();
      // NN_LINGER: queued writes get their chance before any pipe or endpoint closes.
      if (this.options.linger > 0 && this.pipes.size > 0) await this.lingerFlush();
      const open = [...this.pipes];
      for (const p of open) p.close();
      const closers: Promise<void>[] = [];
      for (const l of this.listeners) closers.push(l.close());
      for (const d of this.dialers) closers.push(d.close());
      await Promise.allSettled(closers);
      this.listeners.clear();
      this.dialers.clear();
      // The event feed ends once the remove events of the last pipes are out.
      const gone = Promise.allSettled(open.map((p) => p.closed));
      const bound = new Promise((r) => unrefTimer(setTimeout(r, 2000)));
      void Promise.race([gone, bound]).then(() =>
        setTimeout(() => {
          this.closeDone = true;
          if (this.pendingRemovals === 0) this.feed.end();
        }),
      );
    })();
    return this.closing;
  }

  /**
   * Closes the socket, as {@link close}: what `await using` calls when its block ends.
   *
   * @example
   * ```ts
   * {
   *   await using sub = sub0();
   *   sub.subscribe("");
   * } // closed here, also when the block throws
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Receives until the socket closes (the loop then ends quietly). Other errors propagate.
   *
   * @example
   * ```ts
   * for await (const req of rep) await rep.send(req);
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    while (!this.isClosed) {
      try {
        yield await this.recv();
      } catch (e) {
        if (e instanceof SPError && e.code === "ECLOSED") return;
        throw e;
      }
    }
  }

  /**
   * NN_LINGER: gives queued writes up to `linger` ms to reach the operating
   * system before the pipes close. A pipe may offer `flush(ms)` (resolving once
   * its write queue is empty); otherwise we wait for the transport's per-tick
   * write coalescing and for `writable` to turn true again.
   */
  private async lingerFlush(): Promise<void> {
    const ms = this.options.linger;
    if (ms <= 0 || this.pipes.size === 0) return;
    const deadline = Date.now() + ms;
    await new Promise((r) => setTimeout(r, 0));
    const waits = [...this.pipes].map(async (p) => {
      const f = (p as Pipe & { flush?: (ms: number) => Promise<void> }).flush;
      if (typeof f === "function") return f.call(p, Math.max(0, deadline - Date.now()));
      while (!p.isClosed && !p.writable && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5));
      }
    });
    await Promise.race([
      Promise.allSettled(waits),
      new Promise((r) => unrefTimer(setTimeout(r, Math.max(0, deadline - Date.now())))),
    ]);
  }

  protected assertOpen(): void {
    if (this.isClosed) throw new SPError("ECLOSED");
  }

  private transportFor(scheme: string): Transport {
    const t = this.transports.get(scheme);
    if (!t) throw new SPError("ENOTSUP", `no transport for scheme ${scheme}`);
    return t;
  }
}
