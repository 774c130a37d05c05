/** Seeded faults of PUSH and PULL (draft-sp-pipeline) and of the shared fair queue. */
import type { Fault } from "./types.ts";

const BALANCER = "reference/protocol/push0/balancer.ts";

export const pipelineFaults: readonly Fault[] = [
  {
    id: "pipeline/push-round-robin-sticky",
    requirements: ["SP-PIPELINE-4"],
    description:
      "PUSH's round-robin cursor never advances: every message goes to the first ready pipe while it stays ready.",
    families: ["pipeline"],
    observe: "with two ready PULL peers, a run of messages alternates between them",
    patch: [
      {
        file: BALANCER,
        search: "          level.next = (idx + 1) % n;\n",
        replace: "          level.next = idx;\n",
      },
    ],
  },
  {
    id: "pipeline/push-waits-on-stalled-peer",
    requirements: ["SP-PIPELINE-4", "SP-PIPELINE-20"],
    description:
      "PUSH waits for the pipe whose turn it is instead of skipping it while its backlog is full: one worker that stops reading stalls the whole pipeline.",
    families: ["pipeline"],
    observe:
      "with two PULL peers, one stopped reading until its pipe is not ready: sends still complete and reach the other peer",
    patch: [
      {
        file: BALANCER,
        search:
          "        if (pipe.writable) {\n          level.next = (idx + 1) % n;\n          return pipe;\n        }",
        replace:
          "        if (!pipe.writable) return undefined;\n        level.next = (idx + 1) % n;\n        return pipe;",
      },
    ],
  },
  {
    id: "pipeline/push-priority-inverted",
    requirements: ["SP-PIPELINE-8"],
    description:
      "PUSH scans the priority levels from 16 down to 1, preferring the worst priority that has a ready pipe.",
    families: ["pipeline"],
    observe: "pipes of priority 1 and 8 both ready: messages go to the priority-1 pipe",
    patch: [
      {
        file: BALANCER,
        search: "    for (let l = 0; l < MAX_PRIORITY; l++) {",
        replace: "    for (let l = MAX_PRIORITY - 1; l >= 0; l--) {",
      },
    ],
  },
  {
    id: "pipeline/fair-queue-drains-busy-pipe",
    requirements: ["SP-PIPELINE-16", "SP-REQREP-21", "SP-SURVEY-18", "SP-BUS-7"],
    description:
      "The receive queue serves the pipe at its head until that pipe's buffer is empty, instead of moving it to the back after each message: a busy peer that keeps its buffer filled starves the others (PULL, REP, RESPONDENT, BUS, SUB share it).",
    families: ["pipeline", "reqrep", "survey", "bus"],
    observe:
      "two peers with messages queued at once (one with many, one with a few): the receiver must interleave them, the second peer's first message coming within a couple of receives",
    patch: [
      {
        file: "reference/core/receive-queue.ts",
        search:
          "    } else if (this.turn.length > 1) this.turn.push(this.turn.shift() as PipeFlow<T>);\n",
        replace: "    }\n",
      },
    ],
  },
  {
    id: "pipeline/pull-close-leaves-recv",
    requirements: ["SP-PIPELINE-14"],
    description:
      "Closing a PULL closes its pipes but forgets its own receive queue, so a recv that was waiting stays parked until its timeout instead of failing with ECLOSED.",
    families: ["pipeline"],
    observe:
      "start a recv with a long timeout on a PULL, close the socket: the recv must fail at once with ECLOSED",
    patch: [
      {
        file: "reference/protocol/pull0/pull.ts",
        search:
          "    // SP-PIPELINE-14: pending receivers fail with ECLOSED.\n    this.queue.close();\n",
        replace: "    // SP-PIPELINE-14: pending receivers fail with ECLOSED.\n",
      },
    ],
  },
];
