import { protocols } from "../../../spec/constants.ts";
import type { Pipe } from "../../core/pipe.ts";
import { optionRegistry, type ProtocolOptionRows, type ProtocolOptions } from "../options.ts";
import { type MonoPairInternals, MonoPairSocket } from "../pair0/mono-pair.ts";
import { acceptPair1, FIRST_HOP_HEADER } from "./header.ts";

/** Internal construction options: alternate machine, transports, queue size. */
export type Pair1Internals = MonoPairInternals;

/**
 * A monogamous PAIR v1 socket (protocol 0x11): one peer at a time, each
 * message prefixed with a hop-count word. Sends carry hop count 1; received
 * messages with hop count 0 or above `maxTtl` (nng `ttl-max`, default 8) are
 * dropped and the pipe stays open; a malformed header closes the pipe.
 * `recv` gives the body with the header removed. For many peers use
 * {@link pair1poly}.
 *
 * @example
 * ```ts
 * const s = pair1({ maxTtl: 4 });
 * const { url } = await s.listen("tcp://127.0.0.1:0");
 * for await (const msg of s) await s.send(msg); // echo
 * ```
 */
export class Pair1Socket extends MonoPairSocket<ProtocolOptionRows<"pair1">> {
  constructor(options?: ProtocolOptions<"pair1">, internals: Pair1Internals = {}) {
    super(protocols.pair1, options, internals, optionRegistry.pair1);
  }

  protected write(pipe: Pipe, body: Buffer): void {
    // SP-PAIR-8, SP-PAIR-9: one header word, hop count 1 on the first hop.
    pipe.send(FIRST_HOP_HEADER, body);
  }

  protected override accept(pipe: Pipe, msg: Buffer): Buffer | undefined {
    // SP-PAIR-11..14: header checked and removed in plain code, before the body takes room.
    return acceptPair1(msg, pipe, this.options.maxTtl, (s) => this.count(s));
  }
}

/**
 * Opens a monogamous PAIR v1 socket.
 *
 * @example
 * ```ts
 * const s = pair1({ maxTtl: 8, sendTimeout: 1000 });
 * ```
 */
export function pair1(options?: ProtocolOptions<"pair1">, internals?: Pair1Internals): Pair1Socket {
  return new Pair1Socket(options, internals);
}
