import { protocols } from "../../../spec/constants.ts";
import { optionRegistry, type ProtocolOptions } from "../options.ts";
import { identityOf, type RawInternals } from "../raw/raw-socket.ts";
import { RawBusBase } from "../raw/simple-raw.ts";

/**
 * A raw BUS socket (protocol 0x70): the header of a received message is its pipe id; sending with that header reaches every other pipe, so one raw BUS with a device forwards between all its peers.
 *
 * @example
 * ```ts
 * const m = await xbus.recvMsg(); await xbus.sendMsg(m); // to everyone but the sender
 * ```
 */
export class XBus0Socket extends RawBusBase {
  constructor(options?: ProtocolOptions<"xbus0">, internals?: RawInternals) {
    super(identityOf(protocols.bus0), options, internals, optionRegistry.xbus0);
  }
}

/**
 * Opens a raw bus socket (nng: `bus0_open_raw`).
 *
 * @example
 * ```ts
 * const s = xbus0();
 * ```
 */
export function xbus0(options?: ProtocolOptions<"xbus0">, internals?: RawInternals): XBus0Socket {
  return new XBus0Socket(options, internals);
}
