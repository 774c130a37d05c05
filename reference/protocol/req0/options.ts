import { defaults } from "../../../spec/constants.ts";
import { type OptionRows, ttlOptionRows } from "../../core/options.ts";

/**
 * The options of a cooked REQ socket beyond the generic ones (nng's
 * `req0_sock_options[]`). Its contexts share them with the socket.
 *
 * @example
 * ```ts
 * req0Options.resendTime.nngName; // "req:resend-time"
 * ```
 */
export const req0Options = {
  resendTime: {
    type: "number",
    nngName: "req:resend-time",
    default: defaults.resendTimeMs,
    min: 0,
    max: 2 ** 31 - 1,
    doc: "REQ resend interval, ms; 0 = never resend (SP-REQREP-8)",
  },
} as const satisfies OptionRows;

/** A raw REQ keeps no requests, so it has no resend time; it counts backtrace hops. */
export const xreq0Options = ttlOptionRows;
