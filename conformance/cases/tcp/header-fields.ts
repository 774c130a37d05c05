/**
 * Header and length fields read in full: the 16-bit protocol number, the 64-bit length.
 */
import type { ConformanceCase } from "../types.ts";

/** Cases of this file, in run order. */
export const tcpHeaderFieldCases: readonly ConformanceCase[] = [];
