/**
 * REQ/REP with several peers: replies go back on their own pipe, a stalled peer is skipped.
 */
import type { ConformanceCase } from "../types.ts";

/** Cases of this file, in run order. */
export const reqrepRoutingCases: readonly ConformanceCase[] = [];
