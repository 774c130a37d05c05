import { connect, type Socket } from "node:net";
import { tcpDialerMachine } from "../../../spec/machines/tcp-dialer.ts";
import {
  DialerDriver,
  type DialerEventListener,
  type DialerEventMap,
  dialFailure,
} from "../../core/dialer-driver.ts";
import { SPError } from "../../core/errors.ts";
import type { Dialer, PipeHost } from "../../core/transport.ts";
import { resolveUrl, type SPUrl } from "../../core/url.ts";
import { TcpPipe, type TcpPipeMachine } from "./pipe.ts";

/** The unprovided tcp-dialer machine (or a regenerated variant of it). */
export type TcpDialerMachine = typeof tcpDialerMachine;

/**
 * Starts one connection attempt and returns the socket (its `connect` or `error` event follows).
 * The default resolves the URL's host and connects over TCP; IPC passes a path connect.
 */
export type StreamConnect = (url: SPUrl) => Promise<Socket>;

const tcpConnect: StreamConnect = async (url) => {
  // Host names are resolved for every attempt, so a moved peer is found again.
  const addr = await resolveUrl(url);
  return connect({ host: addr.address, port: addr.port, family: addr.family });
};

/** What a {@link TcpDialer} is built with besides its URL and socket. */
export interface TcpDialerOptions {
  dialer?: TcpDialerMachine;
  pipe?: TcpPipeMachine;
  /** How to open a stream (IPC: a path); default TCP. */
  connect?: StreamConnect;
  /** Leading frame type byte (IPC); default none. */
  frameType?: number;
  /** `false`: wait for {@link TcpDialer.start}; default start at once. */
  start?: boolean;
  /** `true`: a failed first attempt rejects `connected` and closes the dialer. */
  failFast?: boolean;
  /**
   * Turns an error of the stream (its connect, or a layer above such as TLS) into the
   * attempt's SPError; default {@link dialFailure}.
   */
  failure?: (e: unknown) => SPError;
}

/**
 * A reconnecting TCP dialer driven by the `tcp-dialer` actor. A connection
 * counts as established once its SP header exchange succeeded; a refused or
 * failed attempt is an `error` event, then the dialer waits and retries
 * (SP-TCP-13); with `failFast` the first failure rejects `connected` and closes
 * the dialer instead. With `start: false` it stays idle, making no attempt,
 * until {@link TcpDialer.start}.
 *
 * @example
 * ```ts
 * const d = new TcpDialer(parseUrl("tcp://127.0.0.1:5555", false), socket);
 * d.on("error", (e) => console.log(e.code)); // ECONNREFUSED while nobody listens
 * await d.connected;
 *
 * const later = new TcpDialer(parseUrl("tcp://127.0.0.1:5555", false), socket, { start: false });
 * later.start();
 * ```
 */
export class TcpDialer implements Dialer {
  readonly url: string;
  readonly connected: Promise<void>;
  /** Increments per attempt so that late callbacks of an aborted attempt are ignored. */
  private attempt = 0;
  private socket: Socket | undefined;
  private pipe: TcpPipe | undefined;
  private closing: Promise<void> | undefined;
  private readonly driver: DialerDriver;

  constructor(url: SPUrl, host: PipeHost, machines: TcpDialerOptions = {}) {
    this.url = url.text;
    this.driver = new DialerDriver(
      host,
      {
        connect: () => this.connectOnce(url, host, machines),
        abort: () => this.abortAttempt(),
      },
      machines.dialer ?? tcpDialerMachine,
      { start: machines.start, failFast: machines.failFast },
    );
    this.connected = this.driver.connected;
  }

  /** Why the latest attempt failed; cleared when a pipe attaches. */
  get lastError(): SPError | undefined {
    return this.driver.lastError;
  }

  /**
   * Starts a dialer created with `start: false` (SP-TCP-13: the first attempt begins now).
   * SPError ESTATE when it has already started, ECLOSED after {@link TcpDialer.close}.
   *
   * @example
   * ```ts
   * const d = socket.dial("tcp://127.0.0.1:5555", { start: false });
   * d.start?.();
   * ```
   */
  start(): void {
    this.driver.startOrThrow(this.closing !== undefined);
  }

  /** Adds a listener of failed attempts (see {@link Dialer.on}). */
  on<K extends keyof DialerEventMap>(type: K, listener: DialerEventListener<K>): void {
    this.driver.events.on(type, listener);
  }

  /** Removes a listener added with {@link TcpDialer.on}. */
  off<K extends keyof DialerEventMap>(type: K, listener: DialerEventListener<K>): void {
    this.driver.events.off(type, listener);
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.driver.stop();
    const pipe = this.pipe;
    this.abortAttempt();
    this.closing = pipe ? pipe.closed.then(() => undefined) : Promise.resolve();
    return this.closing;
  }

  /** Closes the dialer (`await using d = ...`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private abortAttempt(): void {
    this.attempt++;
    this.socket?.destroy();
    this.socket = undefined;
    this.pipe?.close();
    this.pipe = undefined;
  }

  /** An attempt failed: report it, then back off or, under `failFast`, give up. */
  private failed(error: SPError): void {
    if (this.closing) return;
    if (this.driver.failed(error) === "give-up") void this.close();
  }

  private connectOnce(url: SPUrl, host: PipeHost, opts: TcpDialerOptions): void {
    const attempt = ++this.attempt;
    const stale = () => attempt !== this.attempt;
    const describe = opts.failure ?? dialFailure;
    /** The first error the stream reported in this attempt (a refusal, a TLS failure). */
    let streamError: unknown;
    const fail = (e: unknown) => {
      if (stale()) return;
      host.count("dialFailed");
      this.attempt++;
      this.socket = undefined;
      this.pipe = undefined;
      this.failed(describe(e));
    };
    (opts.connect ?? tcpConnect)(url).then((socket) => {
      if (stale()) {
        socket.destroy();
        return;
      }
      this.socket = socket;
      // ECONNREFUSED and friends: the attempt failed; the actor backs off and retries.
      socket.once("error", fail);
      socket.once("connect", () => {
        if (stale()) {
          socket.destroy();
          return;
        }
        socket.removeListener("error", fail);
        // From here the pipe owns the stream; a failure of a layer above TCP (TLS) shows
        // only as an error before the close, so keep the first one as the attempt's reason.
        const noteError = (e: unknown) => {
          streamError ??= e;
        };
        socket.on("error", noteError);
        const pipe = new TcpPipe({
          socket,
          host,
          machine: opts.pipe,
          frameType: opts.frameType,
          onAttach: () => {
            if (stale()) return;
            socket.removeListener("error", noteError);
            this.driver.attached();
          },
          onClose: (gone, attached) => {
            if (stale()) return;
            this.attempt++;
            this.socket = undefined;
            this.pipe = undefined;
            if (attached) {
              this.driver.send({ type: "pipeClosed" });
              return;
            }
            // The pipe's own reason (a bad SP header, the handshake timeout) comes first,
            // then what the stream reported; a bare close means the peer hung up.
            void gone.closed.then((reason) =>
              this.failed(
                reason ??
                  (streamError === undefined
                    ? new SPError(
                        "ECONNSHUT",
                        "the peer closed the connection during the handshake",
                      )
                    : describe(streamError)),
              ),
            );
          },
        });
        this.pipe = pipe;
      });
    }, fail);
  }
}
