import { isIP } from "node:net";
import type { TLSSocket } from "node:tls";
import { type ClientOptions, WebSocket } from "ws";
import { BaseDialer, type DialAttempt } from "../../core/base-dialer.ts";
import { dialFailure } from "../../core/dialer-driver.ts";
import { SPError } from "../../core/errors.ts";
import type { PipeHost, TlsEndpointOptions } from "../../core/transport.ts";
import type { SPUrl } from "../../core/url.ts";
import { refuseClientRenegotiation, tlsError } from "../tls/index.ts";
import { wsAttemptClosed } from "./attempt-close.ts";
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
export class WsDialer extends BaseDialer {
  constructor(
    url: SPUrl,
    host: PipeHost,
    tls: TlsEndpointOptions = {},
    machine?: WsPipeMachine,
    options: { start?: boolean; failFast?: boolean } = {},
  ) {
    // Deferred: the attempt's pipe actor must not start inside the dialer actor's action.
    const dial = (turn: DialAttempt) =>
      queueMicrotask(() => {
        if (!turn.stale) connectWs(turn, url, host, tls, machine);
      });
    super(url.text, host, dial, options);
  }
}

/** One attempt of a {@link WsDialer}: a WebSocket client whose upgrade becomes a {@link WsPipe}. */
function connectWs(
  turn: DialAttempt,
  url: SPUrl,
  host: PipeHost,
  tls: TlsEndpointOptions,
  machine: WsPipeMachine | undefined,
): void {
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
  turn.pipe = new WsPipe({
    host,
    client: ws,
    machine,
    onAttach: () => turn.attached(),
    onClose: (gone, attached) => wsAttemptClosed(turn, host, gone, attached, () => failure),
  });
}
