import { isIP } from "node:net";
import type { TLSSocket } from "node:tls";
import { type ClientOptions, WebSocket } from "ws";
import type { TcpDialerEvent } from "../../../spec/machines/tcp-dialer.ts";
import { DialerDriver } from "../../core/dialer-driver.ts";
import { SPError } from "../../core/errors.ts";
import type { Dialer, PipeHost, TlsEndpointOptions } from "../../core/transport.ts";
import type { SPUrl } from "../../core/url.ts";
import { refuseClientRenegotiation, tlsError } from "../tls/index.ts";
import { WsPipe, type WsPipeMachine } from "./pipe.ts";
import { subprotocolName } from "./subprotocol.ts";

/**
 * A reconnecting WebSocket dialer. Reconnection follows the `tcp-dialer`
 * machine of the TCP mapping (SP-WS-16, SP-TCP-13); each attempt offers the
 * peer's subprotocol name (SP-WS-2) and becomes a {@link WsPipe}.
 *
 * @example
 * ```ts
 * const d = new WsDialer(parseUrl("ws://127.0.0.1:5555/rpc", false), socket);
 * await d.connected;
 * ```
 */
export class WsDialer implements Dialer {
  readonly url: string;
  readonly connected: Promise<void>;
  /** Why the latest attempt failed (HTTP status, TLS verification, refused); cleared on success. */
  lastError: SPError | undefined;
  private resolveConnected!: () => void;
  private rejectConnected!: (e: SPError) => void;
  private everConnected = false;
  private attempt = 0;
  private pipe: WsPipe | undefined;
  private closing: Promise<void> | undefined;
  private readonly driver: DialerDriver;

  constructor(
    url: SPUrl,
    host: PipeHost,
    tls: TlsEndpointOptions = {},
    machine?: WsPipeMachine,
    options: { start?: boolean } = {},
  ) {
    this.url = url.text;
    this.connected = new Promise<void>((resolve, reject) => {
      this.resolveConnected = resolve;
      this.rejectConnected = reject;
    });
    this.connected.catch(() => {});
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
      { start: options.start },
    );
  }

  /**
   * Starts a dialer created with `start: false` (SP-WS-16, SP-TCP-13: the first attempt
   * begins now). SPError ESTATE when it has already started, ECLOSED once closed.
   */
  start(): void {
    this.driver.startOrThrow(this.closing !== undefined);
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.send({ type: "stop" });
    this.rejectConnected(new SPError("ECLOSED", "dialer closed before it connected"));
    const pipe = this.pipe;
    this.abortAttempt();
    this.closing = pipe ? pipe.closed.then(() => undefined) : Promise.resolve();
    return this.closing;
  }

  private send(event: TcpDialerEvent): void {
    this.driver.send(event);
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
    // SP-WS-21: `ws` parses the URL as a WHATWG URL, whose empty path is "/" for ws: and
    // wss:, so a URL without a path requests "/" and never an empty target.
    const ws = new WebSocket(url.text, [subprotocolName(host.identity.peerName)], options);
    // SP-WS-15 with SP-TLS-5: a wss server that starts renegotiation is cut off.
    if (url.scheme === "wss")
      ws.once("upgrade", (res) => refuseClientRenegotiation(res.socket as TLSSocket));
    ws.on("unexpected-response", (_req, res) => {
      this.lastError = new SPError(
        "ECONNREFUSED",
        `WebSocket upgrade refused: HTTP ${res.statusCode} ${res.statusMessage ?? ""}`.trim(),
      );
      host.count("dialRefused");
      ws.terminate();
    });
    ws.on("error", (e: NodeJS.ErrnoException) => {
      if (this.lastError && /HTTP/.test(this.lastError.message)) return;
      const failure = url.scheme === "wss" ? tlsError(e) : undefined;
      if (failure?.message.includes("verification")) host.count("tlsVerifyFailed");
      this.lastError =
        failure?.code === "EPROTO"
          ? failure
          : new SPError("ECONNREFUSED", `WebSocket dial failed: ${e.message}`, { cause: e });
    });
    this.pipe = new WsPipe({
      host,
      client: ws,
      machine,
      onAttach: () => {
        if (stale()) return;
        this.lastError = undefined;
        if (!this.everConnected) {
          this.everConnected = true;
          this.resolveConnected();
        }
        this.send({ type: "connected" });
      },
      onClose: (_pipe, attached) => {
        if (stale()) return;
        if (!attached) host.count("dialFailed");
        this.attempt++;
        this.pipe = undefined;
        this.send({ type: attached ? "pipeClosed" : "failed" });
      },
    });
  }
}
