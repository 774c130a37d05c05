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
];
