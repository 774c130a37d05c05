/** Seeded faults of PUB and SUB (draft-sp-pubsub). */
import type { Fault } from "./types.ts";

const SUB = "reference/protocol/sub0/sub.ts";
const PUB = "reference/protocol/pub0/pub.ts";

export const pubsubFaults: readonly Fault[] = [
  {
    id: "pubsub/sub-prefix-last-byte-unchecked",
    requirements: ["SP-PUBSUB-3"],
    description:
      "The prefix match stops one byte short for short topics (`i < pos + ll - 1`): a message that differs from a 2..12-byte topic only in the topic's last byte is delivered.",
    families: ["pubsub"],
    observe: "subscribe to `ab` (or `abc`) and publish `aX...` (`abX...`): the SUB must drop it",
    patch: [
      {
        file: "reference/core/subscriptions.ts",
        search:
          "        for (let i = pos + 1; i < pos + ll; i++) if (nodeBytes[from + i] !== msg[i]) return false;",
        replace:
          "        for (let i = pos + 1; i < pos + ll - 1; i++) if (nodeBytes[from + i] !== msg[i]) return false;",
      },
    ],
  },
  {
    id: "pubsub/sub-match-symmetric",
    requirements: ["SP-PUBSUB-3"],
    description:
      "SUB also delivers a message that is itself a prefix of a topic (it tests `topic.startsWith(msg) || msg.startsWith(topic)`): `wea` matches topic `weather`, and any message that is shorter than every topic and a prefix of one slips through.",
    families: ["pubsub"],
    observe:
      "subscribe to `weather` only and publish `wea` (and the empty message): the SUB must deliver neither",
    patch: [
      {
        file: SUB,
        search: "    if (!this.subs.matches(msg)) {",
        replace:
          "    if (\n      !this.subs.matches(msg) &&\n      !this.subs.list().some((t) => Buffer.from(t).subarray(0, msg.length).equals(msg))\n    ) {",
      },
    ],
  },
  {
    id: "pubsub/sub-unsubscribe-removes-longer-topics",
    requirements: ["SP-PUBSUB-14"],
    description:
      "Unsubscribing a topic also removes every subscribed topic that starts with it (removal by prefix): unsubscribing `a` silently drops `ab`.",
    families: ["pubsub"],
    observe:
      "subscribe to `a` and `ab`, unsubscribe `a`, publish `abc`: it must still be delivered",
    patch: [
      {
        file: SUB,
        search: "          this.subs.remove(event.arg.topic);\n",
        replace:
          "          const gone = Buffer.from(event.arg.topic);\n          for (const t of this.subs.list())\n            if (Buffer.from(t).subarray(0, gone.length).equals(gone)) this.subs.remove(t);\n",
      },
    ],
  },
  {
    id: "pubsub/sub-unsubscribe-unknown-succeeds",
    requirements: ["SP-PUBSUB-16"],
    description:
      "Unsubscribing a topic the SUB does not hold succeeds silently instead of failing.",
    families: ["pubsub"],
    observe: "unsubscribe a topic that was never subscribed: the call must fail (EINVAL/ENOENT)",
    patch: [
      {
        file: SUB,
        search:
          '          event.arg.error = new SPError("EINVAL", "not subscribed to this topic");\n',
        replace: "          void event;\n",
      },
    ],
  },
  {
    id: "pubsub/pub-stops-at-slow-subscriber",
    requirements: ["SP-PUBSUB-23", "SP-PUBSUB-6"],
    description:
      "PUB stops its fan-out at the first pipe that is not ready (`break` instead of `continue`): every subscriber after a stalled one in the pipe list misses the messages too.",
    families: ["pubsub"],
    observe:
      "connect a subscriber that stops reading first and a healthy one second; publish until the first is not ready: the second must keep getting every message",
    patch: [
      {
        file: "reference/protocol/pub0/pub.ts",
        search:
          '      if (pipe.writable) pipe.send(msg);\n      else {\n        this.count("txDropped");\n        dropped = true;\n      }',
        replace:
          '      if (pipe.writable) pipe.send(msg);\n      else {\n        this.count("txDropped");\n        dropped = true;\n        break;\n      }',
      },
    ],
  },
  {
    id: "pubsub/pub-queues-for-stalled-subscriber",
    requirements: ["SP-PUBSUB-10", "SP-FRAMEWORK-27"],
    description:
      "PUB hands every message to every pipe without looking at whether it is ready, so messages for a subscriber that stopped reading pile up in its send queue without bound.",
    families: ["pubsub"],
    observe:
      "publish far past the bounds while one subscriber does not read, then let it read: it must get no more than the send bound plus the kernels' buffers",
    patch: [
      {
        file: "reference/protocol/pub0/pub.ts",
        search: "      if (pipe.writable) pipe.send(msg);\n",
        replace: "      if (pipe.writable || true) pipe.send(msg);\n",
      },
    ],
  },
  {
    id: "pubsub/sub-empty-message-dropped",
    requirements: ["SP-PUBSUB-4"],
    description:
      'SUB drops an empty message before matching ("it has no topic"), so the empty topic no longer matches the empty message.',
    families: ["pubsub"],
    observe: "subscribe to the empty topic and publish an empty message: it must be delivered",
    patch: [
      {
        file: SUB,
        search: "    if (!this.subs.matches(msg)) {",
        replace:
          "    // An empty message has no topic to match.\n    if (msg.length === 0 || !this.subs.matches(msg)) {",
      },
    ],
  },
  {
    id: "pubsub/sub-forwards-subscriptions",
    requirements: ["SP-PUBSUB-7"],
    description:
      "SUB tells its publishers about each new subscription (a message 0x01 + topic on every pipe, the way ZeroMQ's XSUB does), so data goes upstream.",
    families: ["pubsub"],
    observe:
      "subscribe while a publisher is connected: the publisher must read nothing from the SUB",
    patch: [
      {
        file: SUB,
        search: "  private readonly subs: Subscriptions;\n",
        replace:
          "  private readonly subs: Subscriptions;\n  private readonly pipes = new Set<Pipe>();\n",
      },
      {
        file: SUB,
        search: "          this.subs.add(event.arg.topic);\n",
        replace:
          "          this.subs.add(event.arg.topic);\n          // Let the publishers know what we want.\n          for (const p of this.pipes) p.send(Buffer.from([1]), event.arg.topic);\n",
      },
      {
        file: SUB,
        search: "    const flow = this.queue.attach(pipe);\n",
        replace: "    this.pipes.add(pipe);\n    const flow = this.queue.attach(pipe);\n",
      },
      {
        file: SUB,
        search: "    pipe.onMessage = null;\n    // Matching messages the pipe delivered",
        replace:
          "    this.pipes.delete(pipe);\n    pipe.onMessage = null;\n    // Matching messages the pipe delivered",
      },
    ],
  },
  {
    id: "pubsub/pub-waits-for-slow-subscriber",
    requirements: ["SP-PUBSUB-8", "SP-PUBSUB-23"],
    description:
      "PUB applies backpressure instead of dropping: a send that finds a subscriber's pipe not ready waits until that pipe drains (failing with ETIMEDOUT after the send timeout), so one stalled subscriber holds the publisher up.",
    families: ["pubsub"],
    observe:
      "with one subscriber that stops reading, publishes must keep completing at once and the reading subscriber must keep getting them",
    patch: [
      {
        file: PUB,
        search:
          'import { type RecvOptions, refuseCall, type SendOptions } from "../../core/call-options.ts";\n',
        replace:
          'import {\n  callTimeout,\n  type RecvOptions,\n  refuseCall,\n  type SendOptions,\n} from "../../core/call-options.ts";\n',
      },
      {
        file: PUB,
        search: "    let dropped = false;\n",
        replace: "    let dropped = false;\n    const waits: Promise<void>[] = [];\n",
      },
      {
        file: PUB,
        search:
          '      if (pipe.writable) pipe.send(msg);\n      else {\n        this.count("txDropped");\n        dropped = true;\n      }\n    }\n',
        replace:
          '      if (pipe.writable) pipe.send(msg);\n      else {\n        // Never lose a message: wait until this subscriber can take it.\n        waits.push(\n          new Promise<void>((resolve) => {\n            pipe.onWritable = () => {\n              pipe.onWritable = null;\n              pipe.send(msg);\n              resolve();\n            };\n          }),\n        );\n      }\n    }\n    if (waits.length > 0) {\n      const ms = callTimeout(opts, this.options.sendTimeout);\n      return new Promise<void>((resolve, reject) => {\n        if (ms >= 0) setTimeout(() => reject(new SPError("ETIMEDOUT")), ms);\n        void Promise.all(waits).then(() => resolve());\n      });\n    }\n',
      },
    ],
  },
  {
    id: "pubsub/sub-topic-ends-at-nul",
    requirements: ["SP-PUBSUB-21"],
    description:
      "SUB takes a topic as a C string: it ends at the first 0x00 byte, so a topic that starts with 0x00 becomes the empty topic and matches everything.",
    families: ["pubsub"],
    observe:
      "subscribe to a topic with 0x00 bytes in it and publish messages that differ after the 0x00: only those that begin with the whole topic are delivered",
    patch: [
      {
        file: SUB,
        search: "  if (topic instanceof Uint8Array) return topic;\n",
        replace:
          "  if (topic instanceof Uint8Array) {\n    // A topic ends at its NUL, as in C.\n    const nul = topic.indexOf(0);\n    return nul < 0 ? topic : topic.subarray(0, nul);\n  }\n",
      },
    ],
  },
  {
    id: "pubsub/sub-topic-cut-at-255",
    requirements: ["SP-PUBSUB-21"],
    description:
      "SUB keeps at most 255 bytes of a topic (its length is stored in one byte): a longer topic matches every message that shares its first 255 bytes.",
    families: ["pubsub"],
    observe:
      "subscribe to a topic of several hundred bytes: a message that differs from it after byte 255, or is shorter than it, must not be delivered",
    patch: [
      {
        file: SUB,
        search: "  if (topic instanceof Uint8Array) return topic;\n",
        replace:
          "  // One length byte per topic.\n  if (topic instanceof Uint8Array) return topic.length > 255 ? topic.subarray(0, 255) : topic;\n",
      },
    ],
  },
  {
    id: "pubsub/sub-closes-full-pipe",
    requirements: ["SP-PUBSUB-26"],
    description:
      "SUB hangs up on a publisher that fills its receive buffer for a pipe (slow-consumer protection) instead of stopping reading or discarding.",
    families: ["pubsub"],
    observe:
      "flood a SUB whose application does not receive: the connection must stay open, and a message published after the flood must arrive",
    patch: [
      {
        file: SUB,
        search: "    this.queue.deliver(flow, msg);\n",
        replace:
          '    this.queue.deliver(flow, msg);\n    // A publisher that outruns the application is cut off.\n    if (flow.paused) flow.pipe.close(new SPError("EPROTO", "receive buffer full"));\n',
      },
    ],
  },
  {
    id: "pubsub/sub-unmatched-takes-room",
    requirements: ["SP-PUBSUB-22", "SP-FRAMEWORK-26"],
    description:
      "SUB charges a message that matches no topic against its pipe's byte bound before dropping it, and never gives those bytes back: traffic it filters out slowly fills the bound and stops the pipe for good.",
    families: ["pubsub"],
    observe:
      "flood a SUB with messages that match none of its topics, several times its buffers: it must keep reading, and a matching message sent after them must arrive",
    patch: [
      {
        file: SUB,
        search: '      this.count("rxFiltered");\n      return;\n',
        replace: '      this.count("rxFiltered");\n      flow.added(msg.length);\n      return;\n',
      },
    ],
  },
  {
    id: "pubsub/pub-large-message-overtaken",
    requirements: ["SP-PUBSUB-11"],
    description:
      "PUB hands a message larger than the pipes' copy limit to its pipes on the next turn of the event loop (to keep the copy off the sending call), so smaller messages published right after it overtake it.",
    families: ["pubsub"],
    observe:
      "publish a message of more than 64 KiB followed at once by small ones: every subscriber must get them in the order published",
    patch: [
      {
        file: PUB,
        search: "      if (pipe.writable) pipe.send(msg);\n",
        replace:
          "      if (pipe.writable) {\n        if (msg.length > this.copyLimit) setImmediate(() => pipe.send(msg));\n        else pipe.send(msg);\n      }\n",
      },
    ],
  },
  {
    id: "pubsub/sub-close-leaves-recv",
    requirements: ["SP-PUBSUB-20"],
    description:
      "Closing a SUB stops its actor and closes its pipes but forgets its receive queue: a recv in progress goes on waiting until its own timeout instead of failing with ECLOSED.",
    families: ["pubsub"],
    observe:
      "start a recv with a long timeout on a SUB and close the socket: the recv must fail at once with ECLOSED",
    patch: [
      {
        file: SUB,
        search: "        failReceivers: () => {\n          this.queue.close();\n        },\n",
        replace: "        failReceivers: () => {},\n",
      },
    ],
  },
  {
    id: "pubsub/pub-recv-waits",
    requirements: ["SP-PUBSUB-19", "SP-FRAMEWORK-20"],
    description:
      "recv on a PUB is not refused: it waits for a message that can never come, until its timeout (ETIMEDOUT), as if the PUB had no subscriber talking yet.",
    families: ["pubsub"],
    observe: "recv on a PUB must fail at once (ENOTSUP), not wait until its timeout",
    patch: [
      {
        file: PUB,
        search:
          '  override recv(): Promise<Buffer> {\n    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));\n    return Promise.reject(new SPError("ENOTSUP", "a PUB socket cannot receive"));\n',
        replace:
          '  override recv(opts?: RecvOptions): Promise<Buffer> {\n    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));\n    const ms = opts?.timeoutMs ?? this.options.recvTimeout;\n    return new Promise((_, reject) => {\n      if (ms >= 0) setTimeout(() => reject(new SPError("ETIMEDOUT")), ms);\n    });\n',
      },
    ],
  },
  {
    id: "pubsub/sub-send-discarded",
    requirements: ["SP-PUBSUB-19"],
    description:
      "send on a SUB succeeds and discards the message (a SUB has nowhere to send, so the call is a no-op) instead of failing.",
    families: ["pubsub"],
    observe: "send on a SUB must fail (ENOTSUP), and the publisher must read nothing",
    patch: [
      {
        file: SUB,
        search: '    return Promise.reject(new SPError("ENOTSUP", "a SUB socket cannot send"));\n',
        replace: "    return Promise.resolve();\n",
      },
    ],
  },
  {
    id: "pubsub/sub-recv-timeout-as-canceled",
    requirements: ["SP-FRAMEWORK-20"],
    description:
      "SUB implements its receive timeout as one more abort signal (AbortSignal.timeout, joined with the caller's), so a recv that times out fails with ECANCELED, the error of an aborted call, instead of ETIMEDOUT.",
    families: ["pubsub"],
    observe:
      "recv with a short timeout on a SUB that gets no matching message: it must fail with ETIMEDOUT",
    patch: [
      {
        file: SUB,
        search:
          "    return this.queue.take(callTimeout(opts, this.options.recvTimeout), opts?.signal);\n",
        replace:
          "    // The receive timeout is one more abort signal, like the caller's own.\n    const ms = callTimeout(opts, this.options.recvTimeout);\n    const timer = ms >= 0 ? AbortSignal.timeout(ms) : undefined;\n    const signal =\n      timer && opts?.signal ? AbortSignal.any([timer, opts.signal]) : (timer ?? opts?.signal);\n    return this.queue.take(-1, signal);\n",
      },
    ],
  },
];
