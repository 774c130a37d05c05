/** Seeded faults of PUB and SUB (draft-sp-pubsub). */
import type { Fault } from "./types.ts";

const SUB = "reference/protocol/sub0/sub.ts";

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
];
