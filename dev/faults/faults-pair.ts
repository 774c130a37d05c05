/** Seeded faults of PAIR v0 and v1 (draft-sp-pair). */
import type { Fault } from "./types.ts";

export const pairFaults: readonly Fault[] = [
  {
    id: "pair/second-peer-left-open",
    requirements: ["SP-PAIR-3"],
    description:
      "A monogamous PAIR counts a second pipe as rejected but forgets to close it: the extra connection stays open and silent (its messages are never read).",
    families: ["pair"],
    observe:
      "while paired, connect a second peer: its connection must be closed after its handshake",
    patch: [
      {
        file: "reference/protocol/pair0/peer-slot.ts",
        search: '          hooks.count("rejectAlreadyPaired");\n          event.arg.close();\n',
        replace: '          hooks.count("rejectAlreadyPaired");\n',
      },
    ],
  },
  {
    id: "pair/pair1-reserved-bits-partly-checked",
    requirements: ["SP-PAIR-8", "SP-PAIR-13"],
    description:
      "PAIR v1 checks only the top byte of the header word for zero (`word >>> 24`), so bits 8..23 set are ignored and the message is delivered.",
    families: ["pair", "raw"],
    observe:
      "send a PAIR v1 message with header 00 01 00 01 (a bit in the middle bytes): it must be dropped",
    patch: [
      {
        file: "reference/protocol/pair1/header.ts",
        search: "  if (word >>> 8 !== 0) {",
        replace: "  if (word >>> 24 !== 0) {",
      },
    ],
  },
  {
    id: "pair/pair1poly-ignores-ttl-max",
    requirements: ["SP-PAIR-11", "SP-PAIR-10"],
    description:
      "Polyamorous PAIR v1 checks hop counts against the default limit 8 instead of its ttl-max option (the monogamous socket honours it).",
    families: ["pair"],
    observe:
      "on a polyamorous PAIR v1 socket with ttl-max 3, a message with hop count 4 is dropped and one with 3 delivered",
    patch: [
      {
        file: "reference/protocol/pair1/poly.ts",
        search:
          "      const body = acceptPair1(msg, pipe, this.options.maxTtl, (s) => this.count(s));",
        replace: "      const body = acceptPair1(msg, pipe, 8, (s) => this.count(s));",
      },
    ],
  },
  {
    id: "pair/xpair1-hop-not-incremented",
    requirements: ["SP-PAIR-15", "SP-PAIR-9"],
    description:
      "Raw PAIR v1 forwards the header it was given without adding its hop (it only fixes a missing or zero count to 1): messages through a device keep their count, so loops are never cut.",
    families: ["pair", "raw"],
    observe:
      "through a device between two raw PAIR v1 sockets, a message sent with hop count 1 arrives with count 2",
    patch: [
      {
        file: "reference/protocol/pair1/xpair.ts",
        search: "    const hops = (header.length >= 4 ? header.readUInt32BE(0) & 0xff : 0) + 1;",
        replace:
          "    const hops = Math.max(1, header.length >= 4 ? header.readUInt32BE(0) & 0xff : 0);",
      },
    ],
  },
  {
    id: "pair/xpair1-drops-at-limit",
    requirements: ["SP-PAIR-15", "SP-PAIR-11"],
    description:
      'Raw PAIR v1 compares the outgoing hop count with `>=` where the rule says "exceeds": a device drops every message that would take exactly the allowed number of hops.',
    families: ["pair", "raw"],
    observe:
      "a raw PAIR v1 (default limit 8) forwards a message received with count 7: it leaves with count 8",
    patch: [
      {
        file: "reference/protocol/pair1/xpair.ts",
        search: "    if (hops > this.options.maxTtl) {",
        replace: "    if (hops >= this.options.maxTtl) {",
      },
    ],
  },
];
