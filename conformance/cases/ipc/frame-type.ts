/**
 * The IPC frame type byte compared in full (SP-IPC-6).
 */
import type { ConformanceCase } from "../types.ts";

/** Cases of this file, in run order. */
export const ipcFrameTypeCases: readonly ConformanceCase[] = [];
