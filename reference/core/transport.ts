import type { DialerEventListener, DialerEventMap } from "./dialer-driver.ts";
import type { SocketOptions } from "./options.ts";
import type { Pipe } from "./pipe.ts";
import type { DetailStat } from "./stats.ts";
import type { SPUrl } from "./url.ts";

/** The protocol identity a transport announces and checks (SP-TCP-4, SP-TCP-6). */
export interface ProtocolIdentity {
  /** Our 16-bit protocol number, e.g. 0x30 for REQ. */
  readonly self: number;
  /** The only peer number we accept, e.g. 0x31 for REP. */
  readonly peer: number;
  /** Short names, e.g. `req` / `rep`. */
  readonly name: string;
  readonly peerName: string;
}

/**
 * What a socket offers its transports: live options, the protocol identity,
 * and the hooks to attach and detach pipes.
 *
 * @example
 * ```ts
 * const host: PipeHost = socket;
 * host.options.recvMaxSize; // read at every frame, so changes apply at once
 * ```
 */
export interface PipeHost {
  readonly identity: ProtocolIdentity;
  readonly options: Readonly<SocketOptions>;
  /** True when `peer` is an acceptable peer protocol number (SP-TCP-6). */
  isPeerCompatible(peer: number): boolean;
  /** A connection finished its handshake; the protocol may now use it. */
  attachPipe(pipe: Pipe): void;
  /** A previously attached pipe is gone. */
  detachPipe(pipe: Pipe): void;
  /** Counts an event for diagnostics (a detail name of `statTable`, e.g. `"rxOversize"`). */
  count(stat: DetailStat): void;
}

/**
 * TLS settings of one listener or dialer (`tls+tcp://`, `wss://`). PEM text or
 * Buffers, as `node:tls` takes them.
 */
export interface TlsEndpointOptions {
  /** Trust anchors; default: the system's CAs (SP-TLS-7). */
  ca?: string | Buffer | (string | Buffer)[];
  /** Our certificate chain (required on a listener, SP-TLS-6). */
  cert?: string | Buffer;
  /** Our private key. */
  key?: string | Buffer;
  /** Name the server certificate must carry; default: the URL's host (SP-TLS-8). */
  servername?: string;
  /** Testing only: skip certificate verification (SP-TLS-16; never without it, SP-TLS-9). Default false. */
  insecure?: boolean;
  /** Listener only: ask for and verify client certificates (SP-TLS-17, SP-TLS-10). */
  requireClientCert?: boolean;
}

/**
 * Per-endpoint options given to `listen(url, opts)` / `dial(url, opts)` and passed to the transport.
 *
 * @example
 * ```ts
 * s.dial("tls+tcp://example.net:5555", { tls: { ca: pem } });
 * const d = s.dial("tcp://127.0.0.1:5555", { start: false }); // created, not connecting yet
 * d.start?.();
 * ```
 */
export interface EndpointOptions {
  tls?: TlsEndpointOptions;
  /**
   * Dialers only (listeners ignore it). `false` creates the dialer without starting it: it
   * makes no connection attempt until its `start()` is called, and closing it before that
   * leaves no trace on the network. Default `true`: the dialer starts at once.
   */
  start?: boolean;
  /**
   * Dialers only. `true`: the first connection attempt decides, as nng's `nng_dial` without
   * `NNG_FLAG_NONBLOCK`: if it fails, `connected` rejects with that attempt's error
   * (ECONNREFUSED, EPEERAUTH...) and the dialer closes. Once connected, the dialer
   * reconnects as usual. Default `false`: failed attempts are retried with back-off (each
   * one still an `error` event).
   */
  failFast?: boolean;
}

/**
 * A bound listener.
 *
 * @example
 * ```ts
 * await using l = await s.listen("tcp://127.0.0.1:0"); // closed at the end of the block
 * ```
 */
export interface Listener {
  /** The bound URL, with the real port when 0 was asked for. */
  readonly url: string;
  /** Stops accepting and closes the connections it accepted. Idempotent. */
  close(): Promise<void>;
  /** {@link Listener.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** The events of a dialer: an `error` for each failed connection attempt. */
export type { DialerEventListener, DialerEventMap } from "./dialer-driver.ts";

/**
 * A reconnecting dialer.
 *
 * @example
 * ```ts
 * const d = s.dial("tcp://127.0.0.1:5555", { start: false });
 * d.on("error", (e) => console.log(e.code)); // ECONNREFUSED, EPEERAUTH... per failed attempt
 * d.start?.();       // the first attempt begins
 * await d.connected;
 * await d.close();   // stops reconnecting, closes its pipe
 *
 * const once = s.dial("tcp://127.0.0.1:5556", { failFast: true });
 * await once.connected; // rejects with the first attempt's error, e.g. ECONNREFUSED
 * ```
 */
export interface Dialer {
  /** The URL being dialed. */
  readonly url: string;
  /**
   * Resolves when the first pipe is attached; rejects with ECLOSED if closed before, or,
   * when dialed with `failFast`, with the error of a failed first attempt.
   */
  readonly connected: Promise<void>;
  /**
   * Adds a listener of failed connection attempts: each gets the attempt's SPError
   * (ECONNREFUSED, EADDRINVAL when the host does not resolve, EPEERAUTH when a TLS
   * certificate does not verify, ECRYPTO, ECONNSHUT, EPROTO for a bad SP header,
   * ETIMEDOUT for a handshake that took too long) while the dialer goes on retrying.
   * With no listener the errors are dropped. (In a browser the page learns only that the
   * dial failed: ECONNREFUSED.)
   */
  on<K extends keyof DialerEventMap>(type: K, listener: DialerEventListener<K>): void;
  /** Removes a listener added with {@link Dialer.on}. */
  off<K extends keyof DialerEventMap>(type: K, listener: DialerEventListener<K>): void;
  /** {@link Dialer.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
  /**
   * Starts a dialer created with `{ start: false }`: its first connection attempt begins
   * (SP-TCP-13). Throws SPError ESTATE when the dialer has already started (every dialer
   * created without `start: false` has) and ECLOSED once it is closed.
   *
   * Optional for transports that cannot create unstarted dialers; `dial` with
   * `{ start: false }` answers ENOTSUP for those (every transport of the reference has it).
   */
  start?(): void;
  /** Stops reconnecting and closes its pipe. Idempotent. */
  close(): Promise<void>;
}

/**
 * A transport: one URL scheme with a way to listen and a way to dial.
 *
 * @example
 * ```ts
 * const l = await tcpTransport.listen(parseUrl("tcp://127.0.0.1:0", true), socket);
 * ```
 */
export interface Transport {
  readonly scheme: string;
  listen(url: SPUrl, host: PipeHost, options?: EndpointOptions): Promise<Listener>;
  dial(url: SPUrl, host: PipeHost, options?: EndpointOptions): Dialer;
}
