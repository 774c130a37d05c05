import { protocols } from "../../../spec/constants.ts";
import type { Pipe } from "../../core/pipe.ts";
import { optionRegistry, type ProtocolOptionRows, type ProtocolOptions } from "../options.ts";
import { RawPairBase } from "../raw/raw-pair.ts";
import { identityOf, type RawInternals } from "../raw/raw-socket.ts";
import { acceptPair1 } from "./header.ts";

/**
 * A raw PAIR v1 socket (protocol 0x11). The header is the 4-byte hop-count
 * word: on receive it is the word as received (after the checks of
 * SP-PAIR-11..13); on send the given count is incremented by one for this hop
 * (no header = count 0, so it leaves with 1) and a count over `maxTtl` drops
 * the message. A device between two raw PAIR v1 sockets thus adds one hop.
 *
 * @example
 * ```ts
 * const m = await a.recvMsg(); // m.header = 00 00 00 01
 * await b.sendMsg(m);          // leaves with hop count 2
 * ```
 */
export class XPair1Socket extends RawPairBase<ProtocolOptionRows<"xpair1">> {
  constructor(options?: ProtocolOptions<"xpair1">, internals?: RawInternals) {
    super(identityOf(protocols.pair1), options, internals, optionRegistry.xpair1);
  }

  protected split(pipe: Pipe, msg: Buffer): { header: Buffer; body: Buffer } | undefined {
    const body = acceptPair1(msg, pipe, this.options.maxTtl, (s) => this.count(s));
    return body ? { header: msg.subarray(0, 4), body } : undefined;
  }

  protected outgoing(header: Buffer, body: Buffer): Buffer | undefined {
    const hops = (header.length >= 4 ? header.readUInt32BE(0) & 0xff : 0) + 1;
    // SP-PAIR-15: a message past the hop limit is not forwarded (SP-PAIR-11 would drop it).
    if (hops > this.options.maxTtl) {
      this.count("txTtlExceeded");
      return undefined;
    }
    const out = Buffer.allocUnsafe(4 + body.length);
    out.writeUInt32BE(hops, 0);
    body.copy(out, 4);
    return out;
  }
}

/**
 * Opens a raw PAIR v1 socket (nng: `pair1_open_raw`).
 *
 * @example
 * ```ts
 * const s = xpair1();
 * ```
 */
export function xpair1(
  options?: ProtocolOptions<"xpair1">,
  internals?: RawInternals,
): XPair1Socket {
  return new XPair1Socket(options, internals);
}
