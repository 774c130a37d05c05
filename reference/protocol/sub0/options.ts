import type { OptionRows } from "../../core/options.ts";

/**
 * The options of a cooked SUB socket beyond the generic ones: subscribing and
 * unsubscribing through `setOption` (nng's `sub:subscribe` / `sub:unsubscribe`),
 * as `subscribe(topic)` / `unsubscribe(topic)` do. Their value is the topic
 * (bytes, or a string taken as UTF-8); there is nothing to read back. Raw SUB
 * has no subscriptions, so no rows.
 *
 * @example
 * ```ts
 * sub.setOption("sub:subscribe", Buffer.from("weather."));
 * ```
 */
export const sub0Options = {
  subscribe: {
    type: "bytes",
    nngName: "sub:subscribe",
    doc: "adds a topic (byte prefix); the same as subscribe(topic)",
  },
  unsubscribe: {
    type: "bytes",
    nngName: "sub:unsubscribe",
    doc: "removes a topic; EINVAL when not subscribed; the same as unsubscribe(topic)",
  },
} as const satisfies OptionRows;
