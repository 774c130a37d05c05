import { protocols } from "../../../spec/constants.ts";
import { optionRegistry, type ProtocolOptions } from "../options.ts";
import { RawReplier } from "../raw/backtrace-raw.ts";
import { identityOf, type RawInternals } from "../raw/raw-socket.ts";

/**
 * A raw REP socket (protocol 0x31): requests are handed out with the pipe id pushed as the first backtrace word; sends route by that word (unknown pipes drop the message). Many requests may be open at once.
 *
 * @example
 * ```ts
 * const m = await xrep.recvMsg(); await xrep.sendMsg({ header: m.header, body: m.body });
 * ```
 */
export class XRep0Socket extends RawReplier {
  constructor(options?: ProtocolOptions<"xrep0">, internals?: RawInternals) {
    super(identityOf(protocols.rep0), options, internals, optionRegistry.xrep0);
  }
}

/**
 * Opens a raw rep socket (nng: `rep0_open_raw`).
 *
 * @example
 * ```ts
 * const s = xrep0();
 * ```
 */
export function xrep0(options?: ProtocolOptions<"xrep0">, internals?: RawInternals): XRep0Socket {
  return new XRep0Socket(options, internals);
}
