/** Seeded faults of BUS and of the raw sockets and devices. */
import type { Fault } from "./types.ts";

const BACKTRACE_RAW = "reference/protocol/raw/backtrace-raw.ts";

export const rawFaults: readonly Fault[] = [
  {
    id: "bus/device-echoes-to-origin",
    requirements: ["SP-BUS-10"],
    description:
      "Raw BUS sends a message to every pipe, also the one named in its header: a BUS device (or reflector) echoes each message back to its sender.",
    families: ["bus", "raw"],
    observe:
      "two peers on a BUS reflector device: a message from peer 1 reaches peer 2 and never comes back to peer 1",
    patch: [
      {
        file: "reference/protocol/raw/simple-raw.ts",
        search:
          "    this.broadcast(body, header.length >= 4 ? header.readUInt32BE(0) : undefined);",
        replace: "    this.broadcast(body);",
      },
    ],
  },
  {
    id: "bus/send-stops-at-busy-pipe",
    requirements: ["SP-BUS-3", "SP-BUS-4"],
    description:
      "BUS stops sending a message at the first pipe that cannot take it (`break`): the pipes after a stalled one miss it too.",
    families: ["bus"],
    observe:
      "a BUS with a stalled peer first and a reading peer second: every message still reaches the second",
    patch: [
      {
        file: "reference/protocol/bus0/bus.ts",
        search: '      if (canWrite(pipe)) pipe.send(body);\n      else this.count("txDropped");',
        replace:
          '      if (canWrite(pipe)) pipe.send(body);\n      else {\n        this.count("txDropped");\n        break;\n      }',
      },
    ],
  },
  {
    id: "bus/queues-for-busy-pipe",
    requirements: ["SP-BUS-4", "SP-FRAMEWORK-27"],
    description:
      "BUS hands every message to every pipe without looking at whether it can take it, so messages for a peer that stopped reading pile up in its send queue without bound.",
    families: ["bus"],
    observe:
      "send far past the bounds while one peer does not read, then let it read: it must get no more than the send bound plus the kernels' buffers",
    patch: [
      {
        file: "reference/protocol/bus0/bus.ts",
        search: "      if (canWrite(pipe)) pipe.send(body);\n",
        replace: "      if (canWrite(pipe) || true) pipe.send(body);\n",
      },
    ],
  },
  {
    id: "raw/xrep-ignores-ttl-max",
    requirements: ["SP-REQREP-15", "SP-SURVEY-24"],
    description:
      "Raw REP/RESPONDENT (the device's receiving side) bounds backtraces by 255 words instead of its ttl-max: a device forwards requests that loop.",
    families: ["raw", "reqrep", "survey"],
    observe:
      "a REQ/REP (or SURVEY) device whose raw REP has ttl-max 2 (or the default 8): a request arriving with that many hop words is not forwarded",
    patch: [
      {
        file: BACKTRACE_RAW,
        search:
          "    // The received words are checked against maxTtl, as the cooked side does.\n    const r = splitBacktrace(msg, this.options.maxTtl);",
        replace: "    const r = splitBacktrace(msg, 255);",
      },
    ],
  },
  {
    id: "raw/xrep-pipe-word-on-wire",
    requirements: ["SP-REQREP-13", "SP-BUS-9"],
    description:
      "Raw REP picks the pipe by the first header word but forgets to strip it: the local pipe id goes out on the wire ahead of the backtrace.",
    families: ["raw", "reqrep"],
    observe:
      "through a REQ/REP device, the reply a REQ peer receives starts with its own request id (no extra word)",
    patch: [
      {
        file: BACKTRACE_RAW,
        search: "    pipe.send(header.subarray(4), body);",
        replace: "    pipe.send(header, body);",
      },
    ],
  },
  {
    id: "raw/xrep-unknown-pipe-falls-back",
    requirements: ["SP-REQREP-31", "SP-SURVEY-34"],
    description:
      "Raw REP and RESPONDENT send an answer whose pipe word names no pipe on the first pipe they have, instead of dropping it (a 'best effort' fallback).",
    families: ["raw"],
    observe:
      "send on a raw REP a message whose first header word names no pipe: nothing may reach any peer, and the send succeeds",
    patch: [
      {
        file: BACKTRACE_RAW,
        search: "    const pipe = this.byId.get(header.readUInt32BE(0));",
        replace:
          "    const pipe = this.byId.get(header.readUInt32BE(0)) ?? [...this.byId.values()][0];",
      },
    ],
  },
  {
    id: "bus/xbus-reads-pipe-id-from-empty-header",
    requirements: ["SP-BUS-3"],
    description:
      "Raw BUS reads the excluded pipe's id from the header without checking that there is one: a message the application starts itself (no header) fails instead of going to every pipe, while device use still works.",
    families: ["bus", "raw"],
    observe: "a raw BUS with two peers sends a message with no header: both peers get it",
    patch: [
      {
        file: "reference/protocol/raw/simple-raw.ts",
        search:
          "    this.broadcast(body, header.length >= 4 ? header.readUInt32BE(0) : undefined);",
        replace: "    this.broadcast(body, header.readUInt32BE(0));",
      },
    ],
  },
];
