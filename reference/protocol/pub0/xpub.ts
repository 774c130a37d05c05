import { protocols } from "../../../spec/constants.ts";
import { optionRegistry, type ProtocolOptions } from "../options.ts";
import { identityOf, type RawInternals } from "../raw/raw-socket.ts";
import { RawBroadcaster } from "../raw/simple-raw.ts";

/**
 * A raw PUB socket (protocol 0x20): as PUB, every message goes to every pipe that can take it; the header, if given, is sent ahead of the body. Cannot receive.
 *
 * @example
 * ```ts
 * await xpub.sendMsg(await xsub.recvMsg()); // forward one publication
 * ```
 */
export class XPub0Socket extends RawBroadcaster {
  constructor(options?: ProtocolOptions<"xpub0">, internals?: RawInternals) {
    super(identityOf(protocols.pub0), options, internals, optionRegistry.xpub0);
  }
}

/**
 * Opens a raw pub socket (nng: `pub0_open_raw`).
 *
 * @example
 * ```ts
 * const s = xpub0();
 * ```
 */
export function xpub0(options?: ProtocolOptions<"xpub0">, internals?: RawInternals): XPub0Socket {
  return new XPub0Socket(options, internals);
}
