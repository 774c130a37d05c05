/**
 * REQ resend timing: the interval stays put and only the reply ends it (SP-REQREP-8).
 */
import type { ConformanceCase } from "../types.ts";

/** Cases of this file, in run order. */
export const reqResendTimingCases: readonly ConformanceCase[] = [];
