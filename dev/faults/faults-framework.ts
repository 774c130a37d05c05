/** Seeded faults of the rules every protocol shares (draft-sp-framework). */
import type { Fault } from "./types.ts";

export const frameworkFaults: readonly Fault[] = [
  {
    id: "framework/answer-context-recv-after-close",
    requirements: ["SP-FRAMEWORK-33"],
    description:
      "A REP or RESPONDENT context checks only the call's options on recv, not whether it was closed: close failed the pending recv, so a recv started later is taken to be fine and waits for a question like any other.",
    families: ["framework"],
    observe:
      "close one of two contexts, start a recv on it, then send a question: the recv must fail at once and the other context must get the question",
    patch: [
      {
        file: "reference/protocol/shared/answer-context.ts",
        search:
          "    const refused = this.refusal(opts);\n    if (refused) return Promise.reject(refused);\n    const w = this.recvWaiter(opts);",
        replace:
          "    const refused = this.isClosed ? undefined : this.refusal(opts);\n    if (refused) return Promise.reject(refused);\n    const w = this.recvWaiter(opts);",
      },
    ],
  },
  {
    id: "framework/ask-context-send-after-close",
    requirements: ["SP-FRAMEWORK-33"],
    description:
      "A REQ or SURVEYOR context's send does not check that the context is open, so a closed context still puts its request or survey on the wire, where no answer can ever be received.",
    families: ["framework"],
    observe:
      "close one of two contexts and send on it: the send must fail at once and the peer must get nothing",
    patch: [
      {
        file: "reference/protocol/shared/contexts.ts",
        search:
          "    const refused = this.refusal(opts);\n    if (refused) throw refused;\n    this.ask(toOwnedBuffer(data));",
        replace:
          "    const refused = this.isClosed ? undefined : this.refusal(opts);\n    if (refused) throw refused;\n    this.ask(toOwnedBuffer(data));",
      },
    ],
  },
  {
    id: "framework/push-send-after-close-queues",
    requirements: ["SP-FRAMEWORK-33"],
    description:
      "PUSH checks for a closed socket only when a pipe is ready; a send started after close finds no pipe and waits in the send queue until its own timeout.",
    families: ["framework"],
    observe:
      "close a PUSH socket and send on it with a long timeout: the send must fail at once with ECLOSED",
    patch: [
      {
        file: "reference/protocol/push0/push.ts",
        search:
          '  send(data: SendData, opts?: SendOptions): Promise<void> {\n    // SP-FRAMEWORK-33: a send started after close fails at once, never queued.\n    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));\n',
        replace: "  send(data: SendData, opts?: SendOptions): Promise<void> {\n",
      },
    ],
  },
  {
    id: "framework/recv-buffer-counts-messages-only",
    requirements: ["SP-FRAMEWORK-21", "SP-FRAMEWORK-25"],
    description:
      "The per-pipe receive buffer stops reading at its message bound only, as NNG counts its buffers; the byte bound is tracked but never compared, so with the default 1024 messages a peer sending 64 KiB messages fills 64 MiB per pipe.",
    families: ["reqrep", "pipeline", "survey", "pair"],
    observe:
      "leave the receive bounds at their defaults and flood 64 KiB messages at a receiver that does not read: the peer's writes must stall after about 64 KiB plus the kernels' buffers",
    patch: [
      {
        file: "reference/core/recv-flow.ts",
        search:
          "      this.messages >= recvBoundMessages(o, this.fallbackMessages) ||\n      this.bytes >= recvBoundBytes(o)\n",
        replace: "      this.messages >= recvBoundMessages(o, this.fallbackMessages)\n",
      },
    ],
  },
  {
    id: "framework/answer-buffer-counts-header-only",
    requirements: ["SP-FRAMEWORK-21"],
    description:
      "REP and RESPONDENT size a queued question by its backtrace, the bytes the socket itself parsed, and forget the body, so large questions never reach the byte bound.",
    families: ["reqrep", "survey"],
    observe:
      "leave the receive bounds at their defaults and flood 64 KiB requests at a REP that does not read: the peer's writes must stall after about 64 KiB plus the kernels' buffers",
    patch: [
      {
        file: "reference/protocol/shared/answer-socket.ts",
        search: "      (r) => r.backtrace.length + r.body.length,\n",
        replace: "      (r) => r.backtrace.length,\n",
      },
    ],
  },
  {
    id: "framework/close-forgets-dialers",
    requirements: ["SP-FRAMEWORK-19"],
    description:
      "Closing a socket fails its pending operations and closes its pipes and listeners, but not its dialers: a dialer that was backing off (or whose pipe the close just ended) goes on connecting to its peer from a closed socket.",
    families: ["tcp", "framework"],
    observe:
      "close a socket whose dialer is backing off, then start listening at its address: no connection may arrive",
    patch: [
      {
        file: "reference/core/socket.ts",
        search: "      for (const d of this.dialers) closers.push(d.close());\n",
        replace: "",
      },
    ],
  },
  {
    id: "framework/answer-closes-pipe-over-hop-limit",
    requirements: ["SP-FRAMEWORK-30", "SP-REQREP-29", "SP-SURVEY-31"],
    description:
      "REP and RESPONDENT treat a question with more backtrace words than the hop limit like a malformed one and close the pipe it came on, cutting off a device that only forwarded it.",
    families: ["reqrep", "survey", "framework"],
    observe:
      "send a request with 9 backtrace words (default limit 8), then a valid one on the same connection: the first is dropped, the connection stays open and the second is answered",
    patch: [
      {
        file: "reference/protocol/shared/answer-socket.ts",
        search: '      this.count("rxTtlExceeded");\n      return;\n',
        replace:
          '      this.count("rxTtlExceeded");\n      pipe.close(new SPError("EPROTO", "hop limit exceeded"));\n      return;\n',
      },
    ],
  },
  {
    id: "framework/hop-limit-capped-at-default",
    requirements: ["SP-FRAMEWORK-8", "SP-REQREP-15"],
    description:
      "REP and RESPONDENT walk the backtrace in a fixed table of 8 words (the default hop limit): the ttl-max option accepts 1..255 and lowers the limit, but a value above 8 has no effect, so questions with 9..15 words are still dropped.",
    families: ["reqrep", "survey"],
    observe:
      "set ttl-max to 15 and send a request with 15 backtrace words: it must be delivered (and 16 words dropped)",
    patch: [
      {
        file: "reference/protocol/shared/answer-socket.ts",
        search: "    const r = splitBacktrace(msg, this.options.maxTtl);\n",
        replace: "    const r = splitBacktrace(msg, Math.min(this.options.maxTtl, 8));\n",
      },
    ],
  },
  {
    id: "framework/peer-protocol-family-accepted",
    requirements: ["SP-FRAMEWORK-9", "SP-PIPELINE-1", "SP-PUBSUB-1", "SP-REQREP-1"],
    description:
      "Every socket compares only the protocol family of the peer's number (the high 12 bits, nanomsg's protocol * 16 + role), so a PUSH accepts a PUSH, a PUB a PUB, a REQ a REQ: two senders connect and neither ever hears anything.",
    families: ["pipeline", "pubsub", "reqrep"],
    observe:
      "connect to a PUSH (PUB, REQ) announcing the socket's own protocol number: the connection must be closed",
    patch: [
      {
        file: "reference/core/socket.ts",
        search: "    return peer === this.identity.peer;\n",
        replace: "    return peer >> 4 === this.identity.peer >> 4;\n",
      },
    ],
  },
  {
    id: "framework/oversize-close-not-counted",
    requirements: ["SP-FRAMEWORK-17"],
    description:
      "A TCP pipe that gets a frame over the receive size limit closes the connection with EMSGSIZE but forgets to count it: an operator sees the peer come and go, and no bad-input statistic moves.",
    families: ["framework"],
    observe:
      "send a frame over recv-size-max: the pipe must be closed and the socket's bad-input statistic must grow",
    patch: [
      {
        file: "reference/transport/tcp/pipe.ts",
        search: '          host.count("rxOversize");\n',
        replace: "",
      },
    ],
  },
  {
    id: "framework/tcp-pause-only-stops-delivery",
    requirements: ["SP-FRAMEWORK-28", "SP-FRAMEWORK-22"],
    description:
      "A paused TCP pipe stops handing frames to the socket but goes on reading the connection, holding whatever arrives in its frame reader: the kernel's buffers never fill, so a sender to a receiver that does not read is never held back and the held bytes grow without bound.",
    families: ["pipeline", "pair"],
    observe:
      "flood a receiver whose application does not read: the peer's writes must stall after the receive bound plus the kernels' buffers",
    patch: [
      {
        file: "reference/transport/tcp/pipe.ts",
        search:
          "    this.reader.pause();\n    this.socket.pause();\n    stopReadingNow(this.socket);\n",
        replace: "    this.reader.pause();\n",
      },
      {
        file: "reference/transport/tcp/pipe.ts",
        search: "function stopReadingNow(socket: Socket): void {",
        replace: "export function stopReadingNow(socket: Socket): void {",
      },
    ],
  },
  {
    id: "framework/recv-bytes-counted-only-while-paused",
    requirements: ["SP-FRAMEWORK-23"],
    description:
      "A pipe's receive buffer subtracts the bytes of a message the application takes only while the pipe is paused (the early return for a reading pipe comes first): bytes of messages taken while it reads pile up, and once they pass the byte bound the pipe stops and never reads again.",
    families: ["pipeline"],
    observe:
      "stream several times the byte bound through one pipe while the application reads in bursts: every message must arrive",
    patch: [
      {
        file: "reference/core/recv-flow.ts",
        search: "    this.bytes -= bytes;\n    if (!this.paused || this.detached) return;\n",
        replace: "    if (!this.paused || this.detached) return;\n    this.bytes -= bytes;\n",
      },
    ],
  },
  {
    id: "framework/frame-reader-grow-drops-prefix",
    requirements: ["SP-FRAMEWORK-1", "SP-PAIR-2"],
    description:
      "When a frame outgrows the TCP reader's first payload buffer (64 KiB), the reader allocates a bigger one and goes on filling it at the right offset but never copies the bytes it already had: a message of more than 64 KiB that arrives in several reads keeps its length but starts with garbage.",
    families: ["pair"],
    observe: "a peer sends messages of 70..300 KiB: each must be delivered byte for byte as sent",
    patch: [
      {
        file: "reference/transport/tcp/frame-reader.ts",
        search: "          this.payload.copy(grown, 0, 0, this.payloadFill);\n",
        replace: "",
      },
    ],
  },
  {
    id: "framework/full-pipe-stops-every-pipe",
    requirements: ["SP-FRAMEWORK-24"],
    description:
      "The receive side has one reading switch for the socket: when any pipe's buffer reaches its bound, every pipe of the socket stops reading, and they all start again only when that pipe has room, so one flooding peer holds up the quiet ones.",
    families: ["pipeline"],
    observe:
      "flood one pipe of a PULL that does not read until it stops, then send one message on another pipe: it must be among the next receives, not wait until the flooded pipe drains",
    patch: [
      {
        file: "reference/core/receive-queue.ts",
        search:
          "    // SP-FRAMEWORK-22: reaching a bound stops the pipe; nothing is dropped.\n    flow.added(this.sizeOf(item));\n",
        replace:
          "    // SP-FRAMEWORK-22: reaching a bound stops the pipe; nothing is dropped.\n    flow.added(this.sizeOf(item));\n    if (flow.paused) for (const f of this.flows) f.pipe.pauseReading();\n",
      },
      {
        file: "reference/core/receive-queue.ts",
        search: "    flow.taken(this.sizeOf(item));\n    return item;\n",
        replace:
          "    flow.taken(this.sizeOf(item));\n    if (!flow.paused) for (const f of this.flows) if (!f.paused) f.pipe.resumeReading();\n    return item;\n",
      },
    ],
  },
];
