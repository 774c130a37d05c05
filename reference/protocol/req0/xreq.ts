import { protocols } from "../../../spec/constants.ts";
import { optionRegistry, type ProtocolOptions } from "../options.ts";
import { RawRequester } from "../raw/backtrace-raw.ts";
import { identityOf, type RawInternals } from "../raw/raw-socket.ts";

/**
 * A raw REQ socket (protocol 0x30): no request ids of its own, no resends. Received replies expose their backtrace as the header; sends carry the application's header (e.g. a backtrace from a raw REP) unchanged, round robin over pipes.
 *
 * @example
 * ```ts
 * const m = await xrep.recvMsg(); await xreq.sendMsg(m); // forward a request one hop
 * ```
 */
export class XReq0Socket extends RawRequester {
  constructor(options?: ProtocolOptions<"xreq0">, internals?: RawInternals) {
    super(identityOf(protocols.req0), "roundRobin", options, internals, optionRegistry.xreq0);
  }
}

/**
 * Opens a raw req socket (nng: `req0_open_raw`).
 *
 * @example
 * ```ts
 * const s = xreq0();
 * ```
 */
export function xreq0(options?: ProtocolOptions<"xreq0">, internals?: RawInternals): XReq0Socket {
  return new XReq0Socket(options, internals);
}
