/**
 * Public API of the reference SP stack in a browser page: the same sockets as
 * on Node (reference/index.ts) over `ws://`, `wss://` (dial only) and `inproc://`.
 * Built by dev/browser/build.ts into `.cache/browser/sp.js` (ESM).
 *
 * @example
 * ```ts
 * import { req0 } from "./sp.js";
 * const req = req0();
 * await req.dial("ws://127.0.0.1:5555/rpc").connected;
 * await req.send("ping");
 * new TextDecoder().decode(await req.recv());
 * ```
 */
export { errorCodes, isSPError, SPError, type SPErrorCode } from "../core/errors.ts";
export { OptionSet, type OptionSpec, type SocketOptions } from "../core/options.ts";
export type { Pipe } from "../core/pipe.ts";
export { type SendData, SocketBase } from "../core/socket.ts";
export { type SubscriptionMode, Subscriptions } from "../core/subscriptions.ts";
export type { Dialer, EndpointOptions, Listener, Transport } from "../core/transport.ts";
export { parseUrl, type SPUrl } from "../core/url.ts";
export { Bus0Socket, bus0 } from "../protocol/bus0/bus.ts";
export {
  lookupOption,
  type OptionName,
  optionRegistry,
  optionsOf,
  optionTable,
  type ProtocolOptions,
} from "../protocol/options.ts";
export { Pair0Socket, pair0 } from "../protocol/pair0/pair.ts";
export { Pair1Socket, pair1 } from "../protocol/pair1/pair.ts";
export { type Pair1Message, Pair1PolySocket, pair1poly } from "../protocol/pair1/poly.ts";
export { Pub0Socket, pub0 } from "../protocol/pub0/pub.ts";
export { Pull0Socket, pull0 } from "../protocol/pull0/pull.ts";
export { Push0Socket, type PushEndpointOptions, push0 } from "../protocol/push0/push.ts";
export { Rep0Socket, rep0 } from "../protocol/rep0/rep.ts";
export { Req0Socket, req0 } from "../protocol/req0/req.ts";
export { Respondent0Socket, respondent0 } from "../protocol/respondent0/respondent.ts";
export { Sub0Socket, sub0, type Topic } from "../protocol/sub0/sub.ts";
export { Surveyor0Socket, surveyor0 } from "../protocol/surveyor0/surveyor.ts";
export {
  openSocket,
  protocolAliases,
  protocolFactories,
  type SocketFactory,
} from "../protocols.ts";
export { createInprocTransport, inprocTransport } from "../transport/inproc/index.ts";
export { Buffer } from "./buffer.ts";
export { defaultTransports } from "./transports.ts";
export {
  BrowserWsDialer,
  browserWssTransport,
  browserWsTransport,
  createBrowserWsTransport,
} from "./ws.ts";
