import { protocols } from "../../../spec/constants.ts";
import { optionRegistry, type ProtocolOptions } from "../options.ts";
import { identityOf, type RawInternals } from "../raw/raw-socket.ts";
import { RawDistributor } from "../raw/simple-raw.ts";

/**
 * A raw PUSH socket (protocol 0x50): round robin over pipes; messages sent with no pipe wait (up to sendBuffer, default 128). Cannot receive.
 *
 * @example
 * ```ts
 * await xpush.sendMsg({ body: "job" });
 * ```
 */
export class XPush0Socket extends RawDistributor {
  constructor(options?: ProtocolOptions<"xpush0">, internals?: RawInternals) {
    super(identityOf(protocols.push0), options, internals, optionRegistry.xpush0);
  }
}

/**
 * Opens a raw push socket (nng: `push0_open_raw`).
 *
 * @example
 * ```ts
 * const s = xpush0();
 * ```
 */
export function xpush0(
  options?: ProtocolOptions<"xpush0">,
  internals?: RawInternals,
): XPush0Socket {
  return new XPush0Socket(options, internals);
}
