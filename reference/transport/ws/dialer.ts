import { isIP } from "node:net";
import type { TLSSocket } from "node:tls";
import { type ClientOptions, WebSocket } from "ws";
import {
  DialerDriver,
  type DialerEventListener,
  type DialerEventMap,
  dialFailure,
} from "../../core/dialer-driver.ts";
import { SPError } from "../../core/errors.ts";
import type { Dialer, PipeHost, TlsEndpointOptions } from "../../core/transport.ts";
import type { SPUrl } from "../../core/url.ts";
import { refuseClientRenegotiation, tlsError } from "../tls/index.ts";
import { WsPipe, type WsPipeMachine } from "./pipe.ts";
import { subprotocolName } from "./subprotocol.ts";

/**
 * A reconnecting WebSocket dialer. Reconnection follows the `tcp-dialer`
 * machine of the TCP mapping (SP-WS-16, SP-TCP-13); each attempt offers the
 * peer's subprotocol name (SP-WS-2) and becomes a {@link WsPipe}. A failed
 * attempt is an `error` event (ECONNREFUSED, also for a refused upgrade;
 * EPEERAUTH / ECRYPTO for wss://), and with `failFast` the first one rejects
 * `connected` and closes the dialer.
 *
 * @example
 * ```ts
 * const d = new WsDialer(parseUrl("ws://127.0.0.1:5555/rpc", false), socket);
 * d.on("error", (e) => console.log(e.message));
 * await d.connected;
 * ```
 */
export class WsDialer implements Dialer {
  readonly url: string;
  readonly connected: Promise<void>;
  private attempt = 0;
  private pipe: WsPipe | undefined;
  private closing: Promise<void> | undefined;
  private readonly driver: DialerDriver;

  constructor(
    url: SPUrl,
    host: PipeHost,
    tls: TlsEndpointOptions = {},
    machine?: WsPipeMachine,
    options: { start?: boolean; failFast?: boolean } = {},
  ) {
    this.url = url.text;
    // Deferred: the attempt's pipe actor must not start inside this actor's action.
    this.driver = new DialerDriver(
      host,
      {
        connect: () =>
          queueMicrotask(() => {
            if (!this.closing) this.connectOnce(url, host, tls, machine);
          }),
        abort: () => this.abortAttempt(),
      },
      undefined,
      { start: options.start, failFast: options.failFast },
    );
    this.connected = this.driver.connected;
  }

  /** Why the latest attempt failed (HTTP status, TLS verification, refused); cleared on success. */
  get lastError(): SPError | undefined {
    return this.driver.lastError;
  }

  /**
   * Starts a dialer created with `start: false` (SP-WS-16, SP-TCP-13: the first attempt
   * begins now). SPError ESTATE when it has already started, ECLOSED once closed.
   */
  start(): void {
    this.driver.startOrThrow(this.closing !== undefined);
  }

  /** Adds a listener of failed attempts (see {@link Dialer.on}). */
  on<K extends keyof DialerEventMap>(type: K, listener: DialerEventListener<K>): void {
    this.driver.events.on(type, listener);
  }

  /** Removes a listener added with {@link WsDialer.on}. */
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
    this.pipe?.close();
    this.pipe = undefined;
  }

  private connectOnce(
    url: SPUrl,
    host: PipeHost,
    tls: TlsEndpointOptions,
    machine: WsPipeMachine | undefined,
  ): void {
    const attempt = ++this.attempt;
    const stale = () => attempt !== this.attempt;
    /** Why this attempt failed, as far as the WebSocket client told. */
    let failure: SPError | undefined;
    const expected = tls.servername ?? url.host;
    // SP-WS-2: offer the name of the protocol the server must speak; SP-WS-14: the URL's path.
    const options: ClientOptions & { servername?: string } = {
      perMessageDeflate: false,
      // SP-WS-11: the receive limit in force when the connection opens (0 = none).
      maxPayload: host.options.recvMaxSize,
      handshakeTimeout: host.options.handshakeTimeout,
      // SP-WS-15: wss:// verifies the server like the TLS mapping (SP-TLS-7, SP-TLS-9).
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      servername: isIP(expected) ? undefined : expected,
      rejectUnauthorized: tls.insecure !== true,
      minVersion: "TLSv1.2",
    };
    const ws = new WebSocket(url.text, [subprotocolName(host.identity.peerName)], options);
    // SP-WS-15 with SP-TLS-5: a wss server that starts renegotiation is cut off.
    if (url.scheme === "wss")
      ws.once("upgrade", (res) => refuseClientRenegotiation(res.socket as TLSSocket));
    ws.on("unexpected-response", (_req, res) => {
      failure = new SPError(
        "ECONNREFUSED",
        `WebSocket upgrade refused: HTTP ${res.statusCode} ${res.statusMessage ?? ""}`.trim(),
      );
      host.count("dialRefused");
      ws.terminate();
    });
    ws.on("error", (e: NodeJS.ErrnoException) => {
      if (failure !== undefined) return;
      if (url.scheme === "wss" && !(e instanceof SPError)) {
        failure = tlsError(e);
        if (failure.code === "EPEERAUTH") host.count("tlsVerifyFailed");
      } else {
        failure = dialFailure(e);
      }
      failure = new SPError(failure.code, `WebSocket dial failed: ${failure.message}`, {
        cause: e,
      });
    });
    const pipe = new WsPipe({
      host,
      client: ws,
      machine,
      onAttach: () => {
        if (stale()) return;
        this.driver.attached();
      },
      onClose: (gone, attached) => {
        if (stale()) return;
        this.attempt++;
        this.pipe = undefined;
        if (attached) {
          this.driver.send({ type: "pipeClosed" });
          return;
        }
        host.count("dialFailed");
        // The client's own report first (refused, TLS, HTTP status), then the pipe's reason
        // (a bad subprotocol answer, the handshake timeout); a bare close: the peer hung up.
        void gone.closed.then((reason) => {
          if (this.closing) return;
          const error =
            failure ??
            reason ??
            new SPError("ECONNSHUT", "the peer closed the connection during the handshake");
          if (this.driver.failed(error) === "give-up") void this.close();
        });
      },
    });
    this.pipe = pipe;
  }
}
