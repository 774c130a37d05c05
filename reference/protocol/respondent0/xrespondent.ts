import { protocols } from "../../../spec/constants.ts";
import { optionRegistry, type ProtocolOptions } from "../options.ts";
import { RawReplier } from "../raw/backtrace-raw.ts";
import { identityOf, type RawInternals } from "../raw/raw-socket.ts";

/**
 * A raw RESPONDENT socket (protocol 0x63): surveys are handed out with the pipe id pushed as the first backtrace word; sends route by that word.
 *
 * @example
 * ```ts
 * const m = await xresp.recvMsg(); await xresp.sendMsg({ header: m.header, body: "yes" });
 * ```
 */
export class XRespondent0Socket extends RawReplier {
  constructor(options?: ProtocolOptions<"xrespondent0">, internals?: RawInternals) {
    super(identityOf(protocols.respondent0), options, internals, optionRegistry.xrespondent0);
  }
}

/**
 * Opens a raw respondent socket (nng: `respondent0_open_raw`).
 *
 * @example
 * ```ts
 * const s = xrespondent0();
 * ```
 */
export function xrespondent0(
  options?: ProtocolOptions<"xrespondent0">,
  internals?: RawInternals,
): XRespondent0Socket {
  return new XRespondent0Socket(options, internals);
}
