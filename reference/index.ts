/**
 * Public API of the reference SP stack (REQ/REP over TCP).
 *
 * @example
 * ```ts
 * import { rep0, req0 } from "sp-reference";
 * const rep = rep0();
 * const { url } = await rep.listen("tcp://127.0.0.1:0");
 * const req = req0({ resendTime: 1000 });
 * await req.dial(url).connected;
 * await req.send("ping");
 * const body = await rep.recv();
 * await rep.send(body);
 * await req.recv(); // "ping"
 * ```
 */
export { errorCodes, isSPError, SPError, type SPErrorCode } from "./core/errors.ts";
export {
  lookupOption,
  type OptionName,
  type OptionSpec,
  optionTable,
  type SocketOptions,
} from "./core/options.ts";
export type { Pipe } from "./core/pipe.ts";
export { type SendData, SocketBase } from "./core/socket.ts";
export type { Dialer, Listener, Transport } from "./core/transport.ts";
export { parseUrl, type SPUrl } from "./core/url.ts";
export { Rep0Socket, rep0 } from "./protocol/rep0/rep.ts";
export { Req0Socket, req0 } from "./protocol/req0/req.ts";
export { createTcpTransport, tcpTransport } from "./transport/tcp/index.ts";

/** Either socket type. */
export type SPSocket =
  | import("./protocol/req0/req.ts").Req0Socket
  | import("./protocol/rep0/rep.ts").Rep0Socket;
export { openSocket, protocolAliases, protocolFactories, type SocketFactory } from "./protocols.ts";
export { defaultTransports } from "./transports.ts";
