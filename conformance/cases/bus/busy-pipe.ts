/**
 * BUS send goes on past a peer whose pipe is full (SP-BUS-3, SP-BUS-4).
 */
import type { ConformanceCase } from "../types.ts";

/** Cases of this file, in run order. */
export const busBusyPipeCases: readonly ConformanceCase[] = [];
