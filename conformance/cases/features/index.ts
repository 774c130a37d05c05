/**
 * Every conformance case for the optional adapter features (ADAPTER.md §3.2):
 * contexts, pipe ids (PAIR v1 polyamorous), send priorities and stats.
 */
import type { ConformanceCase } from "../types.ts";
import { contextCases } from "./contexts.ts";
import { pair1PolyCases } from "./pair1poly.ts";
import { priorityCases } from "./priority.ts";
import { statsCases } from "./stats.ts";

export const featureCases: readonly ConformanceCase[] = [
  ...contextCases,
  ...pair1PolyCases,
  ...priorityCases,
  ...statsCases,
];
