import { protocols } from "../../../spec/constants.ts";
import { optionRegistry, type ProtocolOptions } from "../options.ts";
import { RawRequester } from "../raw/backtrace-raw.ts";
import { identityOf, type RawInternals } from "../raw/raw-socket.ts";

/**
 * A raw SURVEYOR socket (protocol 0x62): no survey ids, no deadline. Responses expose their backtrace as the header; sends carry the application's header unchanged to every pipe.
 *
 * @example
 * ```ts
 * await xsurveyor.sendMsg({ header: m.header, body: m.body });
 * ```
 */
export class XSurveyor0Socket extends RawRequester {
  constructor(options?: ProtocolOptions<"xsurveyor0">, internals?: RawInternals) {
    super(
      identityOf(protocols.surveyor0),
      "broadcast",
      options,
      internals,
      optionRegistry.xsurveyor0,
    );
  }
}

/**
 * Opens a raw surveyor socket (nng: `surveyor0_open_raw`).
 *
 * @example
 * ```ts
 * const s = xsurveyor0();
 * ```
 */
export function xsurveyor0(
  options?: ProtocolOptions<"xsurveyor0">,
  internals?: RawInternals,
): XSurveyor0Socket {
  return new XSurveyor0Socket(options, internals);
}
