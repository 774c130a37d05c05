/// <reference types="node" preserve="true" />
/**
 * Public API of the reference SP stack (REQ/REP over TCP).
 *
 * @example
 * ```ts
 * import { rep0, req0 } from "sp-reference";
 * await using rep = rep0(); // closed at the end of the block
 * const { url } = await rep.listen("tcp://127.0.0.1:0");
 * await using req = req0({ resendTime: 1000 });
 * await req.dial(url).connected;
 * await req.send("ping");
 * const body = await rep.recv();
 * await rep.send(body);
 * await req.recv({ signal: AbortSignal.timeout(1000) }); // "ping"
 * ```
 */
export type { CallOptions, RecvOptions, SendOptions } from "./core/call-options.ts";
export { errorCodes, isSPError, SPError, type SPErrorCode } from "./core/errors.ts";
export {
  type CoreOptions,
  coreOptions,
  type OptionInit,
  type OptionRow,
  type OptionRows,
  OptionSet,
  type OptionSpec,
  type OptionValue,
  type OptionValues,
  type ReadableOption,
  type SettableOption,
  type SocketOptions,
} from "./core/options.ts";
export type { Pipe } from "./core/pipe.ts";
export {
  type CannotRecv,
  type CannotSend,
  type GetOptionName,
  type OptionRowsOf,
  type SendData,
  type SetOptionName,
  type SetOptionValue,
  SocketBase,
} from "./core/socket.ts";
export { type SubscriptionMode, Subscriptions } from "./core/subscriptions.ts";
export type {
  Dialer,
  EndpointOptions,
  Listener,
  TlsEndpointOptions,
  Transport,
} from "./core/transport.ts";
export { parseUrl, type SPUrl } from "./core/url.ts";
export { Bus0Socket, bus0 } from "./protocol/bus0/bus.ts";
export { Pair0Socket, pair0 } from "./protocol/pair0/pair.ts";
export { Pair1Socket, pair1 } from "./protocol/pair1/pair.ts";
export { type Pair1Message, Pair1PolySocket, pair1poly } from "./protocol/pair1/poly.ts";
export { Pub0Socket, pub0 } from "./protocol/pub0/pub.ts";
export { Pull0Socket, pull0 } from "./protocol/pull0/pull.ts";
export { Push0Socket, type PushEndpointOptions, push0 } from "./protocol/push0/push.ts";
export { Rep0Socket, rep0 } from "./protocol/rep0/rep.ts";
export { Req0Socket, req0 } from "./protocol/req0/req.ts";
export { Respondent0Socket, respondent0 } from "./protocol/respondent0/respondent.ts";
export { Sub0Socket, sub0, type Topic } from "./protocol/sub0/sub.ts";
export { Surveyor0Socket, surveyor0 } from "./protocol/surveyor0/surveyor.ts";
export { createInprocTransport, inprocTransport } from "./transport/inproc/index.ts";
export { createIpcTransport, ipcTransport } from "./transport/ipc/index.ts";
export { createTcpTransport, tcpTransport } from "./transport/tcp/index.ts";
export { createTlsTransport, TlsDialer, tlsTransport } from "./transport/tls/index.ts";
export { createWsTransport, WsDialer, wssTransport, wsTransport } from "./transport/ws/index.ts";

/** Either socket type. */
export type SPSocket =
  | import("./protocol/req0/req.ts").Req0Socket
  | import("./protocol/rep0/rep.ts").Rep0Socket;
export {
  type DetailCounts,
  type DetailStat,
  type PipeCounters,
  type PipeEvent,
  type SocketCounters,
  type SocketStatsSnapshot,
  type StatName,
  type StatRow,
  type SummaryStat,
  statTable,
} from "./core/stats.ts";
export { type DeviceResult, device } from "./device.ts";
export { XBus0Socket, xbus0 } from "./protocol/bus0/xbus.ts";
export {
  type AnyProtocolOptions,
  lookupOption,
  type OptionName,
  optionRegistry,
  optionsOf,
  optionTable,
  type ProtocolName,
  type ProtocolOptions,
  protocolsWithOption,
} from "./protocol/options.ts";
export { XPair0Socket, xpair0 } from "./protocol/pair0/xpair.ts";
export { XPair1Socket, xpair1 } from "./protocol/pair1/xpair.ts";
export { XPub0Socket, xpub0 } from "./protocol/pub0/xpub.ts";
export { XPull0Socket, xpull0 } from "./protocol/pull0/xpull.ts";
export { XPush0Socket, xpush0 } from "./protocol/push0/xpush.ts";
export {
  isRawSocket,
  type RawMessage,
  type RawOutgoing,
  type RawRecvOptions,
  type RawSendOptions,
  RawSocket,
} from "./protocol/raw/raw-socket.ts";
export { RepContext } from "./protocol/rep0/context.ts";
export { XRep0Socket, xrep0 } from "./protocol/rep0/xrep.ts";
export { ReqContext } from "./protocol/req0/context.ts";
export { XReq0Socket, xreq0 } from "./protocol/req0/xreq.ts";
export { RespondentContext } from "./protocol/respondent0/context.ts";
export { XRespondent0Socket, xrespondent0 } from "./protocol/respondent0/xrespondent.ts";
export { AnswerContext } from "./protocol/shared/answer-context.ts";
export { AnswerSocket } from "./protocol/shared/answer-socket.ts";
export { XSub0Socket, xsub0 } from "./protocol/sub0/xsub.ts";
export { SurveyorContext } from "./protocol/surveyor0/context.ts";
export { XSurveyor0Socket, xsurveyor0 } from "./protocol/surveyor0/xsurveyor.ts";
export { openSocket, protocolAliases, protocolFactories, type SocketFactory } from "./protocols.ts";
export { defaultTransports } from "./transports.ts";
