import { maxTtlOption, type OptionRows, ttlOptionRows } from "../../core/options.ts";

/** The `polyamorous` row, read-only: the factory decides (`pair1` or `pair1poly`). */
function polyamorousRow<const V extends 0 | 1>(value: V) {
  return {
    type: "number",
    nngName: "pair1:polyamorous",
    default: value,
    min: 0,
    max: 1,
    readOnly: true,
    doc: "1 = many peers (pair1poly), 0 = one (pair1); fixed when the socket is opened",
  } as const;
}

/**
 * The options of a PAIR v1 socket beyond the generic ones: the hop limit, and
 * whether it is polyamorous (SP-PAIR-17). nng switches a socket's mode with
 * `pair1:polyamorous` before it starts; here the mode is a socket class, so the
 * option is read-only and `pair1poly()` opens the polyamorous one.
 *
 * @example
 * ```ts
 * pair1poly().getOption("pair1:polyamorous"); // 1
 * ```
 */
export const pair1Options = {
  maxTtl: maxTtlOption,
  polyamorous: polyamorousRow(0),
} as const satisfies OptionRows;

/** As {@link pair1Options}, for the polyamorous socket. */
export const pair1polyOptions = {
  maxTtl: maxTtlOption,
  polyamorous: polyamorousRow(1),
} as const satisfies OptionRows;

/** Raw PAIR v1 adds a hop on send and bounds the hop count it accepts. */
export const xpair1Options = ttlOptionRows;
