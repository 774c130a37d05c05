import { protocols } from "../../../spec/constants.ts";
import { optionRegistry, type ProtocolOptions } from "../options.ts";
import { identityOf, type RawInternals } from "../raw/raw-socket.ts";
import { RawReceiver } from "../raw/simple-raw.ts";

/**
 * A raw SUB socket (protocol 0x21): no subscriptions, every message is delivered (empty header). Cannot send.
 *
 * @example
 * ```ts
 * const { body } = await xsub.recvMsg();
 * ```
 */
export class XSub0Socket extends RawReceiver {
  constructor(options?: ProtocolOptions<"xsub0">, internals?: RawInternals) {
    super(identityOf(protocols.sub0), options, internals, optionRegistry.xsub0);
  }
}

/**
 * Opens a raw sub socket (nng: `sub0_open_raw`).
 *
 * @example
 * ```ts
 * const s = xsub0();
 * ```
 */
export function xsub0(options?: ProtocolOptions<"xsub0">, internals?: RawInternals): XSub0Socket {
  return new XSub0Socket(options, internals);
}
