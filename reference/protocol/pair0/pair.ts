import { protocols } from "../../../spec/constants.ts";
import type { Pipe } from "../../core/pipe.ts";
import { optionRegistry, type ProtocolOptionRows, type ProtocolOptions } from "../options.ts";
import { type MonoPairInternals, MonoPairSocket } from "./mono-pair.ts";

/** Internal construction options: alternate machine, transports, queue size. */
export type Pair0Internals = MonoPairInternals;

/**
 * A PAIR v0 socket (protocol 0x10): one peer at a time, no protocol header.
 * Further connections are closed while the peer is there (SP-PAIR-3), and
 * `send` waits until a peer is present and writable (SP-PAIR-5).
 *
 * @example
 * ```ts
 * const a = pair0();
 * const { url } = await a.listen("tcp://127.0.0.1:0");
 * const b = pair0();
 * b.dial(url);
 * await b.send("hi");       // waits for the connection if needed
 * await a.recv();           // "hi"
 * ```
 */
export class Pair0Socket extends MonoPairSocket<ProtocolOptionRows<"pair0">> {
  constructor(options?: ProtocolOptions<"pair0">, internals: Pair0Internals = {}) {
    super(protocols.pair0, options, internals, optionRegistry.pair0);
  }

  // SP-PAIR-2, SP-PAIR-6: no `accept`, so the whole payload is delivered, in arrival order.
  protected write(pipe: Pipe, body: Buffer): void {
    // SP-PAIR-2: the body goes out unchanged, without a header.
    pipe.send(body);
  }
}

/**
 * Opens a PAIR v0 socket.
 *
 * @example
 * ```ts
 * const s = pair0({ sendTimeout: 1000 });
 * ```
 */
export function pair0(options?: ProtocolOptions<"pair0">, internals?: Pair0Internals): Pair0Socket {
  return new Pair0Socket(options, internals);
}
