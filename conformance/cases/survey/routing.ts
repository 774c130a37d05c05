/**
 * RESPONDENT with several surveyors and its hop limit: answers on their own pipe, ttl-max honoured.
 */
import type { ConformanceCase } from "../types.ts";

/** Cases of this file, in run order. */
export const surveyRoutingCases: readonly ConformanceCase[] = [];
