import { protocols } from "../../../spec/constants.ts";
import { optionRegistry, type ProtocolOptions } from "../options.ts";
import { RawPairBase } from "../raw/raw-pair.ts";
import { identityOf, type RawInternals } from "../raw/raw-socket.ts";

/**
 * A raw PAIR v0 socket (protocol 0x10): one peer, no header (a given header is
 * sent ahead of the body).
 *
 * @example
 * ```ts
 * const { body } = await xpair.recvMsg(); // header is empty
 * ```
 */
export class XPair0Socket extends RawPairBase {
  constructor(options?: ProtocolOptions<"xpair0">, internals?: RawInternals) {
    super(identityOf(protocols.pair0), options, internals, optionRegistry.xpair0);
  }

  protected split(_pipe: unknown, msg: Buffer): { header: Buffer; body: Buffer } {
    return { header: msg.subarray(0, 0), body: msg };
  }

  protected outgoing(header: Buffer, body: Buffer): Buffer {
    return header.length > 0 ? Buffer.concat([header, body]) : body;
  }
}

/**
 * Opens a raw PAIR v0 socket (nng: `pair0_open_raw`).
 *
 * @example
 * ```ts
 * const s = xpair0();
 * ```
 */
export function xpair0(
  options?: ProtocolOptions<"xpair0">,
  internals?: RawInternals,
): XPair0Socket {
  return new XPair0Socket(options, internals);
}
