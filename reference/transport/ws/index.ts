/**
 * The `ws://` and `wss://` transports (rfc/draft-sp-websocket.md) on the `ws`
 * package: one HTTP(S) server per address and port shared by path, subprotocol
 * negotiation in place of the SP header, one binary WebSocket message per SP message.
 */
import type { Dialer, EndpointOptions, PipeHost, Transport } from "../../core/transport.ts";
import type { SPUrl } from "../../core/url.ts";
import { WsDialer } from "./dialer.ts";
import { WsListener } from "./listener.ts";
import type { WsPipeMachine } from "./pipe.ts";

/**
 * Builds a WebSocket transport for `ws` or `wss`.
 *
 * @example
 * ```ts
 * const rep = rep0();
 * const l = await rep.listen("ws://127.0.0.1:0/rpc");
 * req0().dial(l.url);
 * ```
 */
export function createWsTransport(scheme: "ws" | "wss", machine?: WsPipeMachine): Transport {
  return {
    scheme,
    listen: (url: SPUrl, host: PipeHost, options?: EndpointOptions) =>
      WsListener.bind(url, host, options?.tls, machine),
    dial: (url: SPUrl, host: PipeHost, options?: EndpointOptions): Dialer =>
      new WsDialer(url, host, options?.tls, machine, {
        start: options?.start,
        failFast: options?.failFast,
      }),
  };
}

/** The default `ws://` transport. */
export const wsTransport: Transport = createWsTransport("ws");
/** The default `wss://` transport (WebSocket over TLS, SP-WS-15). */
export const wssTransport: Transport = createWsTransport("wss");

export { WsDialer } from "./dialer.ts";
export { WsListener } from "./listener.ts";
export { WS_CLOSE, WsPipe } from "./pipe.ts";
export { subprotocolName } from "./subprotocol.ts";
