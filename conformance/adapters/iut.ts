/**
 * The implementation under test (IUT) as the cases see it: a handful of
 * socket operations, whatever process or library sits behind them.
 * The adapter protocol behind it is specified in conformance/ADAPTER.md.
 */
import type { CatPlan } from "./cat/plan.ts";

/** What an adapter declares in its `hello` answer. */
export interface Capabilities {
  /** Protocol names, e.g. `req0`, `rep0`. */
  protocols: string[];
  /** Transport schemes, e.g. `tcp`. */
  transports: string[];
  /** nng option names the adapter accepts in `setopt`. */
  options: string[];
  /**
   * Optional features (ADAPTER.md §3.2): `raw`, `device`, `contexts`, `pipes`, `stats`,
   * `dialers`. Absent means none.
   */
  features?: string[];
}

/** Identity and capabilities of an IUT, from `hello`. */
export interface IutInfo {
  name: string;
  version: string;
  capabilities: Capabilities;
  /**
   * The address the IUT's sockets listen on and are reached at, when the
   * adapter declares one (`hello` field `host`, ADAPTER.md §3.3); `--iut-host`
   * wins over it.
   */
  host?: string;
}

/** An operation the IUT answered with an error; `code` is an nng-style name (`ESTATE`). */
export class IutError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = "IutError";
  }
}

/** The adapter process went away or stopped answering; carries its stderr. */
export class IutDiedError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = "IutDiedError";
  }
}

/**
 * The IUT cannot perform an operation the case asks for (for example a cat-mode
 * CLI asked to reply after it started). The case gets the verdict
 * `unsupported` with this message as the reason, not `fail`.
 */
export class IutUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IutUnsupportedError";
  }
}

/** Observer of IUT operations, used to put them into a case transcript. */
export type OpObserver = (event: "request" | "answer", text: string) => void;

/** Result of an operation that is expected to fail in some cases. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

/** TLS settings of a `tls+tcp://` endpoint (ADAPTER.md §3.1): PEM texts. */
export interface TlsOptions {
  /** Our certificate chain (required on a listener). */
  cert?: string;
  /** Our private key. */
  key?: string;
  /** Trust anchors for verifying the peer. */
  ca?: string;
  /** Testing only: skip verification of the peer's certificate. */
  insecure?: boolean;
  /** Name the server certificate must carry (default: the URL's host). */
  servername?: string;
  /** Listener only: ask for client certificates and close connections without a valid one. */
  requireClientCert?: boolean;
}

/** Per-endpoint options of `listen`/`dial`. */
export interface EndpointOptions {
  tls?: TlsOptions;
}

/** Per-call options for send and recv. */
export interface IoOptions {
  /** Give up after this many milliseconds (ETIMEDOUT). Absent: the socket's own timeout. */
  timeoutMs?: number;
  /** `send` on a raw socket (feature `raw`): the SP header to send ahead of the body. */
  header?: Uint8Array;
  /** `send` (feature `pipes`): send on exactly this pipe (pair1 polyamorous). */
  pipe?: number;
}

/** Options of {@link Iut.open}. */
export interface OpenOptions {
  /** Open the raw variant of the protocol (feature `raw`). */
  raw?: boolean;
}

/** A received message with what the optional features tell about it. */
export interface IutMessage {
  /** The application body. */
  data: Uint8Array;
  /** The SP header, on raw sockets (feature `raw`); may be empty. */
  header?: Uint8Array;
  /** The pipe it arrived on (feature `pipes`). */
  pipe?: number;
}

/**
 * A dialer the case created without starting it (feature `dialers`, ADAPTER.md §3.2):
 * it makes no connection attempt until {@link IutDialer.start}.
 */
export interface IutDialer {
  /** The adapter's handle for the dialer. */
  readonly handle: number;
  /** Starts it: from now on it connects and reconnects in the background, as `dial` does. */
  start(): Promise<void>;
  /** Closes only this dialer: no further attempts; its attempt or connection is closed. */
  close(): Promise<void>;
}

/** One socket inside the IUT. */
export interface IutSocket {
  /** The adapter's handle for the socket. */
  readonly handle: number;
  readonly protocol: string;
  /** Listens and returns the bound URL (with the real port when port 0 was asked). */
  listen(url: string, opts?: EndpointOptions): Promise<string>;
  /** Starts a non-blocking, reconnecting dialer. */
  dial(url: string, opts?: EndpointOptions): Promise<void>;
  /**
   * Creates a dialer towards `url` without starting it (feature `dialers`); the case
   * starts and closes it through the returned handle.
   */
  dialer(url: string, opts?: EndpointOptions): Promise<IutDialer>;
  /**
   * Sets an option by its nng name (`req:resend-time`, `recv-size-max`, ...).
   * Byte-valued options (`sub:subscribe`, `sub:unsubscribe`) take a Uint8Array,
   * sent to the adapter as base64 `data`.
   */
  setopt(name: string, value: number | Uint8Array): Promise<void>;
  send(data: Uint8Array, opts?: IoOptions): Promise<void>;
  recv(opts?: IoOptions): Promise<Uint8Array>;
  /** Like `recv`, but with the header (raw sockets) and pipe (feature `pipes`) when present. */
  recvMessage(opts?: IoOptions): Promise<IutMessage>;
  /** Like `send`, but an IUT error is returned instead of thrown. */
  trySend(data: Uint8Array, opts?: IoOptions): Promise<Outcome<void>>;
  /** Like `recv`, but an IUT error is returned instead of thrown. */
  tryRecv(opts?: IoOptions): Promise<Outcome<Uint8Array>>;
  /** Like `recvMessage`, but an IUT error is returned instead of thrown. */
  tryRecvMessage(opts?: IoOptions): Promise<Outcome<IutMessage>>;
  /**
   * Opens a context on this cooked socket (feature `contexts`): a handle with its own
   * outstanding request or survey, usable for send, recv, setopt and close.
   */
  openContext(): Promise<IutSocket>;
  /** The socket's counters (feature `stats`); always has `bad-input`. */
  stats(): Promise<Record<string, number>>;
  /** Closes the socket (or only the context, for a context handle). */
  close(): Promise<void>;
}

/** What {@link Iut.beginCase} tells about the case about to run. */
export interface CaseInfo {
  readonly id: string;
  /** The case's cat-mode plan (adapters/cat/plan.ts), if it has one. */
  readonly cat?: CatPlan;
}

/** The IUT as a whole. */
export interface Iut {
  readonly info: IutInfo;
  /** Opens a fresh socket of the given protocol (`req0`, `rep0`); `raw` needs feature `raw`. */
  open(protocol: string, opts?: OpenOptions): Promise<IutSocket>;
  /**
   * Starts forwarding between two raw sockets in the background (feature `device`);
   * `b` absent: `a` reflects among its own peers. Resolves once started.
   */
  device(a: IutSocket, b?: IutSocket): Promise<void>;
  /** The counters of `sock` (feature `stats`); same as `sock.stats()`. */
  stats(sock: IutSocket): Promise<Record<string, number>>;
  /** Everything the IUT wrote to stderr since `mark` (a value returned by `stderrMark`). */
  stderrSince(mark: number): string;
  stderrMark(): number;
  /** True once the adapter process has gone away. */
  readonly dead: boolean;
  /** Asks the adapter to exit and waits for it (bounded). */
  shutdown(): Promise<void>;
  /** Installs (or removes) the observer that sees every operation of the running case. */
  setObserver(observer: OpObserver | undefined): void;
  /**
   * Called after each case: returns why its outcome says nothing about the
   * IUT (the case needed something this IUT cannot express), or undefined.
   * `failed` tells whether the case failed. A returned reason turns the
   * verdict into `unsupported`.
   */
  unsupportedReason?(failed: boolean): string | undefined;
  /**
   * Called before each case with the case about to run (its id and, for cat
   * mode, its plan); an IUT may forget per-case state here.
   */
  beginCase?(c: CaseInfo): void;
  /**
   * Starts a second, independent instance of the same IUT (another adapter
   * process from the same command), for cases about what one process must
   * not see of another (SP-INPROC-1). The caller shuts it down. Absent: the
   * case is `unsupported`.
   */
  spawnSibling?(): Promise<Iut>;
}
