/** Every PAIR case (v0, v1, v1 polyamorous), in run order. */
import type { ConformanceCase } from "../types.ts";
import { pair1EmptyBody } from "./empty-body.ts";
import { pairFlowCases } from "./flow.ts";
import { monoCases } from "./mono.ts";
import { pair1HeaderCases } from "./pair1.ts";
import { polyCases } from "./poly.ts";
import { pair1HopProperty } from "./property.ts";
import { timeoutCases } from "./timeouts.ts";

export const pairCases: readonly ConformanceCase[] = [
  ...monoCases("pair0"),
  ...monoCases("pair1"),
  ...pair1HeaderCases,
  pair1EmptyBody,
  pair1HopProperty,
  ...polyCases,
  ...timeoutCases("pair0"),
  ...timeoutCases("pair1"),
  ...pairFlowCases,
];
