/** Seeded faults of PUSH and PULL (draft-sp-pipeline) and of the shared fair queue. */
import type { Fault } from "./types.ts";

const BALANCER = "reference/protocol/push0/balancer.ts";
const PUSH = "reference/protocol/push0/push.ts";
const PULL = "reference/protocol/pull0/pull.ts";

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
    requirements: ["SP-PIPELINE-16", "SP-PIPELINE-10", "SP-REQREP-21", "SP-SURVEY-18", "SP-BUS-7"],
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
  {
    id: "pipeline/pull-drops-empty-message",
    requirements: ["SP-PIPELINE-2"],
    description:
      "PULL takes a zero-length payload for a keepalive and drops it instead of delivering the empty message.",
    families: ["pipeline"],
    observe:
      "a PUSH peer sends an empty message between two others: the PULL must deliver all three, the empty one included",
    patch: [
      {
        file: PULL,
        search: "    pipe.onMessage = (msg) => this.queue.deliver(flow, msg);\n",
        replace:
          "    pipe.onMessage = (msg) => {\n      // An empty frame carries no work: nothing to hand out.\n      if (msg.length === 0) return;\n      this.queue.deliver(flow, msg);\n    };\n",
      },
    ],
  },
  {
    id: "pipeline/push-drops-when-busy",
    requirements: ["SP-PIPELINE-6", "SP-PIPELINE-5"],
    description:
      "PUSH waits only while it has no PULL peer at all: when it has peers but none is ready, it drops the message (counted) and completes the send, as PUB does.",
    families: ["pipeline"],
    observe:
      "with its only PULL peer not reading, sends must start to wait (or time out) once the buffers are full, and every send that completed must be delivered once the peer reads",
    patch: [
      {
        file: PUSH,
        search:
          "        pipe.send(copies ? data : toOwnedBuffer(data));\n        return RESOLVED;\n      }\n    }\n",
        replace:
          '        pipe.send(copies ? data : toOwnedBuffer(data));\n        return RESOLVED;\n      }\n      // Peers, but all busy: do not hold the application up.\n      if (this.lb.size > 0) {\n        this.count("txDropped");\n        return RESOLVED;\n      }\n    }\n',
      },
    ],
  },
  {
    id: "pipeline/push-data-closes-next-pipe",
    requirements: ["SP-PIPELINE-11"],
    description:
      "PUSH closes a PULL peer that sends it data (which SP-PIPELINE-22 allows), but finds the pipe through its round-robin cursor: it closes the pipe whose turn is next, often a well-behaved one.",
    families: ["pipeline"],
    observe:
      "with several PULL peers, one sends data: the others must stay connected and keep getting messages",
    patch: [
      {
        file: PUSH,
        search: '    pipe.onMessage = () => this.count("rxDiscarded");\n',
        replace:
          '    pipe.onMessage = () => {\n      this.count("rxDiscarded");\n      // SP-PIPELINE-22: hang up on a PULL that talks back.\n      this.lb.pick()?.close(new SPError("EPROTO", "a PULL peer sent data"));\n    };\n',
      },
    ],
  },
  {
    id: "pipeline/push-recv-waits",
    requirements: ["SP-PIPELINE-17"],
    description:
      "recv on a PUSH is not refused: it waits on a receive queue that nothing ever fills, until its timeout.",
    families: ["pipeline"],
    observe: "recv on a PUSH must fail at once (ENOTSUP), not wait until its timeout",
    patch: [
      {
        file: PUSH,
        search:
          '  override recv(): Promise<Buffer> {\n    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));\n    return Promise.reject(new SPError("ENOTSUP", "a PUSH socket cannot receive"));\n',
        replace:
          '  override recv(opts?: RecvOptions): Promise<Buffer> {\n    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));\n    const ms = callTimeout(opts, this.options.recvTimeout);\n    return new Promise((_, reject) => {\n      if (ms >= 0) setTimeout(() => reject(new SPError("ETIMEDOUT")), ms);\n    });\n',
      },
    ],
  },
  {
    id: "pipeline/pull-drops-newest-when-full",
    requirements: ["SP-PIPELINE-21"],
    description:
      "PULL never stops reading a pipe: once the pipe's receive buffer is full it discards what arrives (drop-newest, as NNG's SUB does) instead of letting the pusher feel the backpressure.",
    families: ["pipeline"],
    observe:
      "flood a PULL whose application does not read: the pusher's writes must stall, and every message must arrive once the application reads",
    patch: [
      {
        file: PULL,
        search: "    const flow = this.queue.attach(pipe);\n",
        replace:
          "    // Keep the connection drained whatever the application does.\n    pipe.pauseReading = () => {};\n    const flow = this.queue.attach(pipe);\n",
      },
      {
        file: PULL,
        search: "    pipe.onMessage = (msg) => this.queue.deliver(flow, msg);\n",
        replace:
          '    pipe.onMessage = (msg) => {\n      // The buffer is full: the newest message goes.\n      if (flow.paused) {\n        this.count("rxDiscarded");\n        return;\n      }\n      this.queue.deliver(flow, msg);\n    };\n',
      },
    ],
  },
  {
    id: "pipeline/push-zero-timeout-waits-forever",
    requirements: ["SP-PIPELINE-5"],
    description:
      'PUSH reads a send timeout of 0 as "no timeout": a send with timeout 0 and no ready pipe waits for ever instead of failing at once.',
    families: ["pipeline"],
    observe:
      "with no PULL peer, a send with timeout 0 must fail at once, and its message must not reach a peer that connects later",
    patch: [
      {
        file: PUSH,
        search: "    const deadline = deadlineOf(callTimeout(opts, this.options.sendTimeout));\n",
        replace:
          "    const timeout = callTimeout(opts, this.options.sendTimeout);\n    // 0: no timeout.\n    const deadline = deadlineOf(timeout === 0 ? -1 : timeout);\n",
      },
    ],
  },
];
