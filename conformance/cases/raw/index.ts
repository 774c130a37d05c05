/** Every raw-socket and device conformance case (features `raw`, `device`), in run order. */
import type { ConformanceCase } from "../types.ts";
import { rawBusCases } from "./bus.ts";
import { deviceCases } from "./devices.ts";
import { rawPair1Cases } from "./pair1.ts";
import { rawReqRepCases } from "./reqrep.ts";
import { rawSurveyCases } from "./survey.ts";
import { rawUnknownPipeCases } from "./unknown-pipe.ts";

export const rawCases: readonly ConformanceCase[] = [
  ...rawReqRepCases,
  ...rawSurveyCases,
  ...rawUnknownPipeCases,
  ...rawPair1Cases,
  ...rawBusCases,
  ...deviceCases,
];
