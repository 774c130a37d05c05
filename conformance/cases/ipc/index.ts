/** The IPC transport cases (draft-sp-ipc), in run order. */
import type { ConformanceCase } from "../types.ts";
import { ipcFileCases } from "./files.ts";
import { ipcReqRepCases } from "./reqrep.ts";
import { ipcWireCases } from "./wire.ts";
import { ipcZeroLengthCases } from "./zero-length.ts";

export const ipcCases: readonly ConformanceCase[] = [
  ...ipcWireCases,
  ...ipcReqRepCases,
  ...ipcFileCases,
  ...ipcZeroLengthCases,
];
