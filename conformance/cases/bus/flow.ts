/**
 * Flow control of BUS (SP-BUS-11; framework "Flow Control"): a BUS whose
 * application does not receive SHOULD stop reading the pipe (it MAY discard
 * instead, SP-BUS-12, and MUST NOT close the pipe, SP-BUS-13).
 */
import { noReadCase } from "../flow.ts";
import { NUM } from "../pair/common.ts";
import type { ConformanceCase } from "../types.ts";

export const busNoRead: ConformanceCase = noReadCase({
  id: "bus/bus-noread-bounded",
  title:
    "BUS whose application does not receive stops reading the pipe (or discards), never closes it",
  requirements: [
    "SP-BUS-11",
    "SP-BUS-12",
    "SP-BUS-13",
    "SP-FRAMEWORK-21",
    "SP-FRAMEWORK-22",
    "SP-FRAMEWORK-23",
    "SP-FRAMEWORK-28",
  ],
  covers: ["recv-flow:reading:full", "recv-flow:paused:room"],
  protocol: "bus0",
  peer: NUM.bus0,
  must: false,
});

export const busFlowCases: readonly ConformanceCase[] = [busNoRead];
