import type { OptionRows } from "../../core/options.ts";
import { DEFAULT_PRIORITY, MAX_PRIORITY, MIN_PRIORITY } from "./balancer.ts";

/**
 * The options of a cooked PUSH socket beyond the generic ones. `sendPriority`
 * has nanomsg's NN_SNDPRIO meaning (SP-PIPELINE-7): the dialers and listeners
 * created after it is set give their pipes that priority; an endpoint's own
 * `{ sendPriority }` overrides it. Raw PUSH has no priorities, so no rows.
 *
 * @example
 * ```ts
 * push.setOption("sendPriority", 1);
 * push.dial(url); // its pipes are preferred
 * ```
 */
export const push0Options = {
  sendPriority: {
    type: "number",
    nngName: "send-priority",
    default: DEFAULT_PRIORITY,
    min: MIN_PRIORITY,
    max: MAX_PRIORITY,
    doc: "send priority of endpoints created from now on, 1 (highest)..16 (NN_SNDPRIO)",
  },
} as const satisfies OptionRows;
