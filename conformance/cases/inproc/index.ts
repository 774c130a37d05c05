/** Every inproc conformance case (transport `inproc`, both ends inside the IUT), in run order. */
import type { ConformanceCase } from "../types.ts";
import { inprocFlowCases } from "./flow.ts";
import { inprocLifecycleCases } from "./lifecycle.ts";
import { inprocNameCases } from "./names.ts";
import { inprocProcessCases } from "./per-process.ts";
import { inprocTransferCases } from "./transfer.ts";

export const inprocCases: readonly ConformanceCase[] = [
  ...inprocTransferCases,
  ...inprocLifecycleCases,
  ...inprocProcessCases,
  ...inprocNameCases,
  ...inprocFlowCases,
];
