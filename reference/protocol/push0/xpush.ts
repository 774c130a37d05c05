import { protocols } from "../../../spec/constants.ts";
import type { SocketOptions } from "../../core/options.ts";
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
  constructor(options?: Partial<SocketOptions>, internals?: RawInternals) {
    super(identityOf(protocols.push0), options, internals);
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
export function xpush0(options?: Partial<SocketOptions>, internals?: RawInternals): XPush0Socket {
  return new XPush0Socket(options, internals);
}
