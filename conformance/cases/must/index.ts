/** Cases written to close gaps in MUST coverage (one per uncovered, checkable MUST). */
import type { ConformanceCase } from "../types.ts";
import { protocolGapCases } from "./protocols.ts";
import { transportGapCases } from "./transports.ts";

export const mustGapCases: readonly ConformanceCase[] = [...protocolGapCases, ...transportGapCases];
