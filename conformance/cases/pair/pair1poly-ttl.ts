/**
 * Polyamorous PAIR v1 honours ttl-max like the monogamous one (SP-PAIR-10, SP-PAIR-11).
 */
import type { ConformanceCase } from "../types.ts";

/** Cases of this file, in run order. */
export const pair1PolyTtlCases: readonly ConformanceCase[] = [];
