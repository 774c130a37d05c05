import { protocols } from "../../../spec/constants.ts";
import { optionRegistry, type ProtocolOptions } from "../options.ts";
import { identityOf, type RawInternals } from "../raw/raw-socket.ts";
import { RawReceiver } from "../raw/simple-raw.ts";

/**
 * A raw PULL socket (protocol 0x51): messages from all pipes, served in turn (each pipe's in arrival order; a full receive buffer stops reading its pipe), empty header. Cannot send.
 *
 * @example
 * ```ts
 * const { body, pipe } = await xpull.recvMsg();
 * ```
 */
export class XPull0Socket extends RawReceiver {
  constructor(options?: ProtocolOptions<"xpull0">, internals?: RawInternals) {
    super(identityOf(protocols.pull0), options, internals, optionRegistry.xpull0);
  }
}

/**
 * Opens a raw pull socket (nng: `pull0_open_raw`).
 *
 * @example
 * ```ts
 * const s = xpull0();
 * ```
 */
export function xpull0(
  options?: ProtocolOptions<"xpull0">,
  internals?: RawInternals,
): XPull0Socket {
  return new XPull0Socket(options, internals);
}
