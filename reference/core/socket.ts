import type { RecvOptions, SendOptions } from "./call-options.ts";
import { SPError } from "./errors.ts";
import {
  type CoreOptionRows,
  type CoreOptions,
  type NoOptionRows,
  type OptionInit,
  type OptionRows,
  type OptionSet,
  type OptionValue,
  type OptionValues,
  type ReadableOption,
  type SettableOption,
  validateOption,
} from "./options.ts";
import type { Pipe } from "./pipe.ts";
import {
  CountedPipe,
  DetailCounters,
  type DetailCounts,
  type DetailStat,
  newSocketCounters,
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

/** The protocol's own option rows of a socket type `S` (its entry of the option registry). */
export type OptionRowsOf<S> = S extends { readonly optionSet: OptionSet<infer R> } ? R : never;

/**
 * The names `setOption` takes on a socket of type `S`: the generic options and
 * those of its protocol, ours and nng's. On a union of socket types, the names
 * all of them have. (The generic names are listed apart so that they also
 * compile where `S` is still a type parameter.)
 */
export type SetOptionName<S> =
  | SettableOption<CoreOptionRows>
  | SettableOption<CoreOptionRows & OptionRowsOf<S>>;

/** The value `setOption(name)` takes on a socket of type `S`: a number, or bytes. */
export type SetOptionValue<S, N> =
  N extends SettableOption<CoreOptionRows>
    ? number
    : OptionValue<CoreOptionRows & OptionRowsOf<S>, N>;

/** The names `getOption` reads on a socket of type `S` (its numeric options). */
export type GetOptionName<S> =
  | ReadableOption<CoreOptionRows>
  | ReadableOption<CoreOptionRows & OptionRowsOf<S>>;

/** The bytes of a byte-valued option (a string is taken as UTF-8); EINVAL otherwise. */
function optionBytes(name: string, value: unknown): Uint8Array {
  if (typeof value === "string") return Buffer.from(value, "utf8");
  if (value instanceof Uint8Array) return value;
  throw new SPError("EINVAL", `option ${name} needs bytes (a Uint8Array or a string)`);
}

/**
 * The protocol-independent part of a socket: options, listeners, dialers,
 * the pipe set, idempotent close (also as `Symbol.asyncDispose`, for
 * `await using`) and the async iterator. A protocol extends it and
 * implements `send`, `recv` and the pipe hooks.
 *
 * `R` is the protocol's own option rows (its entry of the option registry,
 * `reference/protocol/options.ts`): `setOption`, `getOption` and the factory
 * take the generic options and those, and nothing else.
 *
 * @example
 * ```ts
 * await using s = req0(); // closed when the block ends
 * const l = await s.listen("tcp://127.0.0.1:0");
 * for await (const msg of s) { ... } // ends when the socket closes
 * ```
 */
export abstract class SocketBase<R extends OptionRows = NoOptionRows>
  implements PipeHost, AsyncIterable<Buffer>, AsyncDisposable
{
  readonly identity: ProtocolIdentity;
  /** The live option values, generic and the protocol's own, by our names. */
  readonly options: CoreOptions & OptionValues<R>;
  /** The options of this socket's protocol: its entry of the option registry. */
  readonly optionSet: OptionSet<R>;
  /**
   * Pipes attached now, in attach order: the transport's pipe, and the counting
   * view of it ({@link CountedPipe}) that the protocol was handed.
   */
  private readonly attached = new Map<Pipe, CountedPipe>();
  private readonly listeners = new Set<Listener>();
  private readonly dialers = new Set<Dialer>();
  private readonly transports: ReadonlyMap<string, Transport>;
  /** Summary counters (messages, bytes, drops, protocol errors, connects, disconnects). */
  private readonly counters = newSocketCounters();
  /** Detail counters by name (`rxMalformed`...), each adding to its summary. */
  private readonly details = new DetailCounters(this.counters);
  private readonly feed = new PipeEventFeed();
  private closing: Promise<void> | undefined;

  protected constructor(
    identity: ProtocolIdentity,
    options: OptionInit<R> | undefined,
    transports: readonly Transport[],
    optionSet: OptionSet<R>,
  ) {
    this.identity = identity;
    this.optionSet = optionSet;
    this.options = optionSet.resolve(options);
    this.transports = new Map(transports.map((t) => [t.scheme, t]));
  }

  /** The transports' pipes attached now, in attach order (a copy). */
  protected get pipes(): ReadonlySet<Pipe> {
    return new Set(this.attached.keys());
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
   * Sets an option by our name or the nng name (`req:resend-time`). Typed per
   * protocol: only the generic options and the protocol's own compile, each with
   * its value type (bytes for SUB's `subscribe`). At run time a bad value is
   * EINVAL (see {@link setOptionDynamic} for names).
   *
   * @example
   * ```ts
   * req.setOption("resendTime", 1000);
   * rep.setOption("ttl-max", 4);
   * sub.setOption("sub:subscribe", "weather.");
   * ```
   */
  setOption<S extends SocketBase<OptionRows>, N extends SetOptionName<S>>(
    this: S,
    name: N,
    value: SetOptionValue<S, N>,
  ): void {
    this.setOptionDynamic(name, value);
  }

  /**
   * {@link setOption} for a name known only at run time (a CLI flag, an adapter
   * request). EINVAL for a name no protocol has or a bad value; ENOTSUP for an
   * option of another protocol, or one this socket fixes (read-only).
   *
   * @example
   * ```ts
   * sock.setOptionDynamic(String(request.name), request.value);
   * ```
   */
  setOptionDynamic(name: string, value: unknown): void {
    const spec = this.optionSet.find(name);
    if (spec.type === "bytes") {
      this.setBytesOption(spec.name, optionBytes(spec.name, value));
      return;
    }
    if (spec.readOnly) throw new SPError("ENOTSUP", `option ${spec.name} is read-only`);
    (this.options as Record<string, number>)[spec.name] = validateOption(spec, value);
    this.optionChanged(spec.name);
  }

  /**
   * Reads a numeric option by our name or the nng name (typed as {@link setOption}).
   *
   * @example
   * ```ts
   * req.getOption("resendTime"); // 60000
   * ```
   */
  getOption<S extends SocketBase<OptionRows>>(this: S, name: GetOptionName<S>): number {
    return this.getOptionDynamic(name);
  }

  /** {@link getOption} for a name known only at run time; errors as {@link setOptionDynamic}. */
  getOptionDynamic(name: string): number {
    const spec = this.optionSet.findReadable(name);
    return (this.options as Record<string, number>)[spec.name] as number;
  }

  /** Hook for protocols that react to a numeric option change (our name). */
  protected optionChanged(_name: string): void {}

  /** Hook for the byte-valued options of a protocol (SUB's `subscribe`); ENOTSUP by default. */
  protected setBytesOption(name: string, _value: Uint8Array): void {
    throw new SPError("ENOTSUP", `option ${name} is not supported here`);
  }

  /**
   * The detail counters counted so far, by name (`rxMalformed`, `rxTtlExceeded`...;
   * see `statTable`); a name not counted yet is absent.
   */
  getStats(): DetailCounts {
    return this.details.snapshot();
  }

  /** Counts one detail event (a name of `statTable`), and the summary it adds to. */
  count(stat: DetailStat): void {
    this.details.count(stat);
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
      socket: { ...this.counters, pipesOpen: this.attached.size },
      pipes: [...this.attached.values()].map((p) => ({ ...p.counters })),
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

  /**
   * A transport attaches a pipe. The protocol is handed a {@link CountedPipe}
   * over it, which counts the pipe's traffic for {@link stats}.
   */
  attachPipe(pipe: Pipe): void {
    if (this.isClosed) {
      pipe.close();
      return;
    }
    const view = new CountedPipe(pipe, this.counters);
    const c = view.counters;
    this.attached.set(pipe, view);
    this.counters.connects++;
    this.feed.publish({ type: "add", pipe: { id: c.id, peer: c.peer, url: c.url } });
    this.pipeAdded(view);
  }

  detachPipe(pipe: Pipe): void {
    const view = this.attached.get(pipe);
    if (!view) return;
    this.attached.delete(pipe);
    this.counters.disconnects++;
    this.pipeRemoved(view);
    view.release();
    const info = { id: pipe.id, peer: pipe.peer, url: view.counters.url };
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
      if (this.options.linger > 0 && this.attached.size > 0) await this.lingerFlush();
      const open = [...this.attached.keys()];
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
    if (ms <= 0 || this.attached.size === 0) return;
    const deadline = Date.now() + ms;
    await new Promise((r) => setTimeout(r, 0));
    const waits = [...this.attached.keys()].map(async (p) => {
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
