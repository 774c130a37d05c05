/**
 * SURVEYOR ids and deadlines: full-id matching, a deadline traffic does not move, no old responses after a new survey.
 */
import type { ConformanceCase } from "../types.ts";

/** Cases of this file, in run order. */
export const surveyTimingCases: readonly ConformanceCase[] = [];
