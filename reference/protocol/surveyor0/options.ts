import { defaults } from "../../../spec/constants.ts";
import { type OptionRows, ttlOptionRows } from "../../core/options.ts";

/**
 * The options of a cooked SURVEYOR socket beyond the generic ones (nng's
 * `surveyor0_sock_options[]`). Its contexts share them with the socket.
 *
 * @example
 * ```ts
 * surveyor0Options.surveyTime.nngName; // "surveyor:survey-time"
 * ```
 */
export const surveyor0Options = {
  surveyTime: {
    type: "number",
    nngName: "surveyor:survey-time",
    default: defaults.surveyTimeMs,
    min: 1,
    max: 2 ** 31 - 1,
    doc: "SURVEYOR deadline, ms, counted from each survey (SP-SURVEY-8)",
  },
} as const satisfies OptionRows;

/** A raw SURVEYOR has no deadline of its own; it counts backtrace hops of responses. */
export const xsurveyor0Options = ttlOptionRows;
