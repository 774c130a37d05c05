import { SPError } from "./errors.ts";
import {
  lookupOption,
  type OptionName,
  resolveOptions,
  type SocketOptions,
  validateOption,
} from "./options.ts";
import type { Pipe } from "./pipe.ts";
import type {
  Dialer,
  EndpointOptions,
  Listener,
  PipeHost,
  ProtocolIdentity,
  Transport,
} from "./transport.ts";
import { parseUrl } from "./url.ts";

/** What `send` accepts: bytes, or a string sent as UTF-8. */
export type SendData = Uint8Array | string;

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
 * the pipe set, idempotent close and the async iterator. A protocol extends
 * it and implements `send`, `recv` and the pipe hooks.
 *
 * @example
 * ```ts
 * const s = req0();
 * const l = await s.listen("tcp://127.0.0.1:0");
 * for await (const msg of s) { ... } // ends when the socket closes
 * ```
 */
export abstract class SocketBase implements PipeHost, AsyncIterable<Buffer> {
  readonly identity: ProtocolIdentity;
  readonly options: SocketOptions;
  /** Pipes attached now, in attach order. */
  protected readonly pipes = new Set<Pipe>();
  private readonly listeners = new Set<Listener>();
  private readonly dialers = new Set<Dialer>();
  private readonly transports: ReadonlyMap<string, Transport>;
  private readonly stats = new Map<string, number>();
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

  /** Sends one message. */
  abstract send(data: SendData): Promise<void>;
  /** Receives one message. */
  abstract recv(): Promise<Buffer>;
  /** Protocol hook: a pipe is ready for use. */
  protected abstract pipeAdded(pipe: Pipe): void;
  /** Protocol hook: a pipe went away. */
  protected abstract pipeRemoved(pipe: Pipe): void;
  /** Protocol hook: fail pending operations with ECLOSED (SP-REQREP-20). */
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
   *
   * @example
   * ```ts
   * const d = s.dial("tcp://127.0.0.1:5555");
   * await d.connected;
   * ```
   */
  dial(url: string, options?: EndpointOptions): Dialer {
    this.assertOpen();
    const parsed = parseUrl(url, false);
    const dialer = this.transportFor(parsed.scheme).dial(parsed, this, options);
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
    return Object.fromEntries(this.stats);
  }

  count(stat: string): void {
    this.stats.set(stat, (this.stats.get(stat) ?? 0) + 1);
  }

  isPeerCompatible(peer: number): boolean {
    // SP-REQREP-1: each of REQ and REP accepts only the other as its peer.
    return peer === this.identity.peer;
  }

  attachPipe(pipe: Pipe): void {
    if (this.isClosed) {
      pipe.close();
      return;
    }
    this.pipes.add(pipe);
    this.pipeAdded(pipe);
  }

  detachPipe(pipe: Pipe): void {
    if (!this.pipes.delete(pipe)) return;
    this.pipeRemoved(pipe);
  }

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
      // SP-REQREP-20: closing fails every pending operation with ECLOSED.
      this.protocolClose();
      const closers: Promise<void>[] = [];
      for (const l of this.listeners) closers.push(l.close());
      for (const d of this.dialers) closers.push(d.close());
      for (const p of [...this.pipes]) p.close();
      await Promise.allSettled(closers);
      this.listeners.clear();
      this.dialers.clear();
    })();
    return this.closing;
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

  protected assertOpen(): void {
    if (this.isClosed) throw new SPError("ECLOSED");
  }

  private transportFor(scheme: string): Transport {
    const t = this.transports.get(scheme);
    if (!t) throw new SPError("ENOTSUP", `no transport for scheme ${scheme}`);
    return t;
  }
}
