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
  {
    id: "pair/pair1-accepts-pair0-peer",
    requirements: ["SP-PAIR-1"],
    description:
      "Monogamous PAIR v1 also admits peers announcing PAIR v0 (0x10), meant as backward compatibility: a v0 connection becomes the peer and its frames are read as v1 messages.",
    families: ["pair"],
    observe:
      "connect to a PAIR v1 socket announcing protocol 0x10: the connection must be closed and nothing it sends delivered",
    patch: [
      {
        file: "reference/protocol/pair1/pair.ts",
        search:
          "  protected write(pipe: Pipe, body: Buffer): void {\n    // SP-PAIR-8, SP-PAIR-9: one header word, hop count 1 on the first hop.\n",
        replace:
          "  // Let older PAIR v0 peers in too.\n  override isPeerCompatible(peer: number): boolean {\n    return peer === protocols.pair0.number || super.isPeerCompatible(peer);\n  }\n\n  protected write(pipe: Pipe, body: Buffer): void {\n    // SP-PAIR-8, SP-PAIR-9: one header word, hop count 1 on the first hop.\n",
      },
    ],
  },
  {
    id: "pair/slot-stays-taken-after-peer-left",
    requirements: ["SP-PAIR-4"],
    description:
      "The monogamous PAIR socket never tells its peer slot that a pipe went away (its pipeRemoved hook stays empty), so after the peer disconnects every later connection is refused as a second peer.",
    families: ["pair"],
    observe:
      "attach a peer, disconnect it, connect another: the new one must become the peer and get the next message",
    patch: [
      {
        file: "reference/protocol/pair0/mono-pair.ts",
        search:
          "  protected pipeRemoved(pipe: Pipe): void {\n    this.slot.pipeRemoved(pipe);\n  }",
        replace: "  protected pipeRemoved(_pipe: Pipe): void {}",
      },
    ],
  },
  {
    id: "pair/send-timeout-reports-success",
    requirements: ["SP-PAIR-5"],
    description:
      "A monogamous PAIR send that is still waiting at its send timeout is dropped and reported as sent, instead of failing with ETIMEDOUT.",
    families: ["pair"],
    observe:
      "send on a PAIR socket without a peer, with a short timeout: the send must fail (ETIMEDOUT), not succeed",
    patch: [
      {
        file: "reference/protocol/pair0/peer-slot.ts",
        search:
          '            p.done.fail(new SPError("ETIMEDOUT", "no writable PAIR peer within the send timeout"));',
        replace: "            p.done.resolve();",
      },
    ],
  },
  {
    id: "pair/close-leaves-sends-waiting",
    requirements: ["SP-PAIR-7"],
    description:
      "Closing a monogamous PAIR socket fails its pending receives but not its waiting sends: they go on waiting until their own timeouts (then ETIMEDOUT), or forever.",
    families: ["pair"],
    observe:
      "park a send (no peer, or a peer that stopped reading) and close the socket: the send must fail with ECLOSED at once",
    patch: [
      {
        file: "reference/protocol/pair0/mono-pair.ts",
        search: "    this.slot.close();\n    this.inbox.close();",
        replace: "    this.inbox.close();",
      },
    ],
  },
  {
    id: "pair/pair1-hop-zero-delivered",
    requirements: ["SP-PAIR-12"],
    description:
      "PAIR v1 checks the hop count only against the hop limit, so a message with hop count 0 (a sender that never incremented it, or a count that wrapped) is delivered.",
    families: ["pair"],
    observe: "send a PAIR v1 message with header 00 00 00 00: it must be dropped",
    patch: [
      {
        file: "reference/protocol/pair1/header.ts",
        search: '  if (hops === 0) return { kind: "hopZero" };\n',
        replace: "",
      },
    ],
  },
  {
    id: "pair/pair1-closes-pipe-over-hop-limit",
    requirements: ["SP-PAIR-22"],
    description:
      "PAIR v1 treats a message over the hop limit like a malformed one and closes the pipe it came on, cutting off a peer that only forwarded it.",
    families: ["pair"],
    observe:
      "send a PAIR v1 message with hop count 9 (default limit 8) and then a valid one: the second is delivered on the same connection",
    patch: [
      {
        file: "reference/protocol/pair1/header.ts",
        search: '      count("rxTtlExceeded");\n      return undefined;',
        replace:
          '      count("rxTtlExceeded");\n      pipe.close(new SPError("EPROTO", "PAIR v1: hop limit exceeded"));\n      return undefined;',
      },
    ],
  },
  {
    id: "pair/pair1poly-pipe-id-of-newest-peer",
    requirements: ["SP-PAIR-18"],
    description:
      "Polyamorous PAIR v1 labels each received message with the id of the pipe that attached last (kept in a field as 'the current peer') instead of the pipe it arrived on, so answers go to the wrong peer.",
    families: ["pair"],
    observe:
      "with two or more peers, a message from the first peer must come with the same pipe id every time, different from the other peers' ids",
    patch: [
      {
        file: "reference/protocol/pair1/poly.ts",
        search: "  private readonly byId = new Map<number, Pipe>();\n",
        replace: "  private readonly byId = new Map<number, Pipe>();\n  private newest = 0;\n",
      },
      {
        file: "reference/protocol/pair1/poly.ts",
        search: "    this.byId.set(pipe.id, pipe);\n",
        replace: "    this.byId.set(pipe.id, pipe);\n    this.newest = pipe.id;\n",
      },
      {
        file: "reference/protocol/pair1/poly.ts",
        search: "      if (body) this.inbox.deliver(flow, { body, pipe: pipe.id });",
        replace: "      if (body) this.inbox.deliver(flow, { body, pipe: this.newest });",
      },
    ],
  },
  {
    id: "pair/pair1poly-send-to-gone-pipe-falls-back",
    requirements: ["SP-PAIR-19"],
    description:
      "Polyamorous PAIR v1 sends a message whose named pipe is gone to the oldest remaining pipe instead of discarding it (a 'best effort' fallback).",
    families: ["pair"],
    observe:
      "send to the pipe id of a peer that disconnected: no other peer may receive the message",
    patch: [
      {
        file: "reference/protocol/pair1/poly.ts",
        search: "    const target = this.byId.get(pipe);\n",
        replace: "    const target = this.byId.get(pipe) ?? this.byId.values().next().value;\n",
      },
    ],
  },
  {
    id: "pair/receive-ring-drops-when-full",
    requirements: ["SP-PAIR-21"],
    description:
      "A monogamous PAIR keeps its peer's unread messages in a fixed ring of 16 and drops a message that finds the ring full, instead of stopping to read the pipe.",
    families: ["pair"],
    observe:
      "a peer sends 20 small messages before the application receives any: all 20 must be delivered, in order",
    patch: [
      {
        file: "reference/protocol/pair0/mono-pair.ts",
        search:
          "          pipe.onMessage = this.accept\n            ? (msg) => {\n                const body = this.accept?.(pipe, msg);\n                if (body) this.inbox.deliver(flow, body);\n              }\n            : (msg) => this.inbox.deliver(flow, msg);",
        replace:
          '          const put = (m: Buffer) => {\n            if (flow.messages >= 16) this.count("rxDropped");\n            else this.inbox.deliver(flow, m);\n          };\n          pipe.onMessage = this.accept\n            ? (msg) => {\n                const body = this.accept?.(pipe, msg);\n                if (body) put(body);\n              }\n            : put;',
      },
    ],
  },
  {
    id: "bus/accepts-protocol-family",
    requirements: ["SP-BUS-1"],
    description:
      "BUS compares only the protocol family of the peer's number (`peer >> 4`, the nanomsg numbering of protocol * 16 + role), so a peer announcing 0x71..0x7f is accepted as a BUS peer.",
    families: ["bus"],
    observe:
      "connect to a BUS socket announcing protocol 0x71: the connection must be closed and nothing it sends delivered",
    patch: [
      {
        file: "reference/protocol/bus0/bus.ts",
        search: "  protected pipeAdded(pipe: Pipe): void {\n    this.ring.push(pipe);",
        replace:
          "  override isPeerCompatible(peer: number): boolean {\n    return peer >> 4 === protocols.bus0.number >> 4;\n  }\n\n  protected pipeAdded(pipe: Pipe): void {\n    this.ring.push(pipe);",
      },
    ],
  },
  {
    id: "bus/empty-message-dropped",
    requirements: ["SP-BUS-2"],
    description:
      "BUS treats a zero-length message from a peer as a keepalive and does not deliver it.",
    families: ["bus"],
    observe: "a peer sends an empty BUS message: the application receives an empty message",
    patch: [
      {
        file: "reference/protocol/bus0/bus.ts",
        search: "    pipe.onMessage = (msg) => this.inbox.deliver(flow, msg);",
        replace:
          "    pipe.onMessage = (msg) => {\n      if (msg.length > 0) this.inbox.deliver(flow, msg);\n    };",
      },
    ],
  },
  {
    id: "bus/relays-received-messages",
    requirements: ["SP-BUS-5"],
    description:
      "BUS passes each received message on to its other peers as well as delivering it (a flooding mesh), so a message travels further than one hop.",
    families: ["bus"],
    observe:
      "with peers a and b, a message from a is delivered to the application and b receives nothing",
    patch: [
      {
        file: "reference/protocol/bus0/bus.ts",
        search: "    pipe.onMessage = (msg) => this.inbox.deliver(flow, msg);",
        replace:
          "    pipe.onMessage = (msg) => {\n      this.inbox.deliver(flow, msg);\n      for (const p of this.ring) if (p !== pipe && canWrite(p)) p.send(msg);\n    };",
      },
    ],
  },
  {
    id: "bus/hears-its-own-sends",
    requirements: ["SP-BUS-6"],
    description:
      "BUS counts its own application as one more member of the bus and puts a copy of each message it sends into its receive queue (like multicast loopback).",
    families: ["bus"],
    observe: "with peers attached, the application sends a message: its own recv gets nothing",
    patch: [
      {
        file: "reference/protocol/bus0/bus.ts",
        search: '      else this.count("txDropped");\n    }\n',
        replace:
          '      else this.count("txDropped");\n    }\n    const self = this.ring[0];\n    if (self) this.inbox.deliver(this.inbox.attach(self), body);\n',
      },
    ],
  },
  {
    id: "bus/close-leaves-recv-waiting",
    requirements: ["SP-BUS-8"],
    description:
      "Closing a BUS socket closes its pipes but forgets its receive queue (sends never wait, so nothing seemed pending): a recv in progress waits until its own timeout.",
    families: ["bus"],
    observe: "start a recv on a BUS socket, then close the socket: the recv must fail with ECLOSED",
    patch: [
      {
        file: "reference/protocol/bus0/bus.ts",
        search:
          "    // SP-BUS-8: pending receives fail with ECLOSED (sends never wait).\n    this.inbox.close();\n",
        replace: "",
      },
    ],
  },
  {
    id: "bus/closes-pipe-when-buffer-full",
    requirements: ["SP-BUS-13"],
    description:
      "BUS closes the pipe of a peer whose receive buffer filled up (treating it as a flooder) instead of only pausing it.",
    families: ["bus"],
    observe:
      "a peer writes far more than the BUS's receive buffer while the application does not read: the connection stays open",
    patch: [
      {
        file: "reference/protocol/bus0/bus.ts",
        search: "    pipe.onMessage = (msg) => this.inbox.deliver(flow, msg);",
        replace:
          "    pipe.onMessage = (msg) => {\n      this.inbox.deliver(flow, msg);\n      if (flow.paused) pipe.close();\n    };",
      },
    ],
  },
  {
    id: "pair/pair1poly-peer-table-of-8",
    requirements: ["SP-PAIR-17"],
    description:
      "Polyamorous PAIR v1 keeps its peers in a table of 8 slots (as many as the default hop limit) and closes a connection that finds the table full, so a ninth peer can never attach.",
    families: ["pair"],
    observe:
      "connect ten peers to a polyamorous PAIR v1 socket: each stays connected and each one's message is delivered",
    patch: [
      {
        file: "reference/protocol/pair1/poly.ts",
        search:
          "    // SP-PAIR-17: every pipe is kept; there is no peer slot.\n    this.byId.set(pipe.id, pipe);\n",
        replace:
          '    // A fixed table of peers.\n    if (this.byId.size >= 8) {\n      this.count("rejectAlreadyPaired");\n      pipe.close();\n      return;\n    }\n    this.byId.set(pipe.id, pipe);\n',
      },
    ],
  },
];
