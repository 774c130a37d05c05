/** Seeded faults of REQ and REP (draft-sp-reqrep). */
import type { Fault } from "./types.ts";

const REQ_CTX = "reference/protocol/req0/context.ts";
const REQ = "reference/protocol/req0/req.ts";
/** The code REP shares with RESPONDENT: the socket and its contexts. */
const ANSWER = "reference/protocol/shared/answer-socket.ts";
const ANSWER_CTX = "reference/protocol/shared/answer-context.ts";
const REP_CTX = "reference/protocol/rep0/context.ts";
const IDS = "reference/protocol/shared/request-ids.ts";
/** The REP context's actions, as the faults below override some of them. */
const REP_ACTIONS = "        actions: question.actions(names),\n";

export const reqrepFaults: readonly Fault[] = [
  {
    id: "reqrep/req-resend-backoff",
    requirements: ["SP-REQREP-8"],
    description:
      "REQ doubles its resend interval after every resend (an exponential back-off borrowed from the dialer): the first resend comes on time, the later ones ever later.",
    families: ["reqrep"],
    observe:
      "with resendTime T and a peer that never answers, the gaps between the 2nd, 3rd and 4th copies of the request stay near T (they grow to 2T, 4T here)",
    patch: [
      {
        file: REQ_CTX,
        search: "  private readonly word = Buffer.alloc(4);\n",
        replace: "  private readonly word = Buffer.alloc(4);\n  private resends = 0;\n",
      },
      {
        file: REQ_CTX,
        search: "this.reqId = host.claimId(this);\n",
        replace: "this.reqId = host.claimId(this);\n          this.resends = 0;\n",
      },
      {
        file: REQ_CTX,
        search: "resendTime: () => neverIfZero(host.options.resendTime),",
        replace: "resendTime: () => neverIfZero(host.options.resendTime * 2 ** this.resends++),",
      },
    ],
  },
  {
    id: "reqrep/req-resend-rearmed-by-stray-reply",
    requirements: ["SP-REQREP-8", "SP-REQREP-6"],
    description:
      "REQ restarts its resend timer whenever any reply arrives, also one it drops (wrong id): a peer sending stray replies more often than the interval postpones the resend for ever.",
    families: ["reqrep"],
    observe:
      "with resendTime T, send the REQ a stray reply (other id) every T/2 and check that the request is still resent after about T",
    patch: [
      {
        file: "spec/machines/req.ts",
        // The row the reference runs (the compiled form reads targets from the table's rows).
        search:
          '    id: "req:waiting:reply",\n    source: "waiting",\n    event: "reply",\n    guard: null,\n    actions: ["dropReply"],\n    target: null,',
        replace:
          '    id: "req:waiting:reply",\n    source: "waiting",\n    event: "reply",\n    guard: null,\n    actions: ["dropReply"],\n    target: "waiting",',
      },
    ],
  },
  {
    id: "reqrep/req-id-top-bit-ignored",
    requirements: ["SP-REQREP-6"],
    description:
      "REQ compares the reply's request id with the top bit masked in (`(word | 0x80000000) === id`), so a reply whose first word lacks the top bit is taken as the answer.",
    families: ["reqrep"],
    observe:
      "answer a request with its id with the top bit cleared (then a hop word's shape): the REQ must not deliver it",
    patch: [
      {
        file: REQ_CTX,
        search: "idMatches: ({ event }) => carriesId(event.arg, this.reqId),",
        replace:
          "idMatches: ({ event }) =>\n          event.arg.length >= 4 && (event.arg.readUInt32BE(0) | 0x80000000) >>> 0 === this.reqId,",
      },
    ],
  },
  {
    id: "reqrep/req-stale-reply-accepted",
    requirements: ["SP-REQREP-10"],
    description:
      "REQ still accepts the reply to the request a new send cancelled (it keeps the previous id as a grace for slow servers), delivering the old answer to the new request.",
    families: ["reqrep"],
    observe:
      "send request A, then request B before A is answered; answer A (with A's id): the REQ must not deliver it, and must deliver B's answer",
    patch: [
      {
        file: REQ_CTX,
        search: "  private readonly word = Buffer.alloc(4);\n",
        replace: "  private readonly word = Buffer.alloc(4);\n  private previousId = -1;\n",
      },
      {
        file: REQ_CTX,
        search: "          this.forgetRequest();\n          this.kept = null;\n",
        replace:
          "          this.previousId = this.reqId;\n          this.forgetRequest();\n          this.kept = null;\n",
      },
      {
        file: REQ_CTX,
        search: "idMatches: ({ event }) => carriesId(event.arg, this.reqId),",
        replace:
          "idMatches: ({ event }) =>\n          carriesId(event.arg, this.reqId) || carriesId(event.arg, this.previousId),",
      },
    ],
  },
  {
    id: "reqrep/req-round-robin-sticky",
    requirements: ["SP-REQREP-21"],
    description:
      "REQ's round robin never advances: every request goes to the first ready pipe, the other REPs get nothing while it stays ready.",
    families: ["reqrep"],
    observe: "with two connected REP peers, a run of requests is spread over both",
    patch: [
      {
        file: REQ,
        search: "        this.nextPipe = (i + 1) % n;\n",
        replace: "        this.nextPipe = i;\n",
      },
    ],
  },
  {
    id: "reqrep/req-round-robin-index-kept-on-leave",
    requirements: ["SP-REQREP-21"],
    description:
      "REQ keeps its round robin as an index into its list of pipes and leaves the index alone when an earlier pipe is removed: the pipe whose turn was next is skipped once.",
    families: ["reqrep"],
    observe:
      "with four REP peers served in turn, the one that just got a request leaves: the next request goes to the peer after it, not to the one after that",
    patch: [
      {
        file: REQ,
        search: "      if (this.nextPipe > i) this.nextPipe--;\n",
        replace: "",
      },
    ],
  },
  {
    id: "reqrep/req-waits-on-stalled-peer",
    requirements: ["SP-REQREP-21", "SP-REQREP-12"],
    description:
      "REQ waits for the pipe whose turn it is instead of skipping it when its backlog is full: one REP that stops reading holds up every request of the socket.",
    families: ["reqrep"],
    observe:
      "with two REP peers, one of which stopped reading until its pipe is not ready, new requests still reach the other peer",
    patch: [
      {
        file: REQ,
        search:
          "      if (pipe.writable) {\n        this.nextPipe = (i + 1) % n;\n        return pipe;\n      }",
        replace:
          "      if (!pipe.writable) return undefined;\n      this.nextPipe = (i + 1) % n;\n      return pipe;",
      },
    ],
  },
  {
    id: "reqrep/req-id-word-shared-with-queue",
    requirements: ["SP-REQREP-8", "SP-REQREP-5"],
    description:
      "REQ hands every pipe the same 4-byte id buffer and rewrites it for the next request: copies of a request still queued on a backed-up pipe leave under the next request's id.",
    families: ["reqrep"],
    observe:
      "with one REP peer that stops reading and a short resend time, copies of request A queue up; after request B is sent and the peer reads, every copy of A carries A's id",
    patch: [
      {
        file: REQ_CTX,
        search: "pipe.send(copied ? this.idWord : Buffer.from(this.idWord), this.body);",
        replace: "pipe.send(this.idWord, this.body);",
      },
    ],
  },
  {
    id: "reqrep/req-not-woken-on-drain",
    requirements: ["SP-REQREP-12"],
    description:
      "A request that found every pipe backed up waits only for a new pipe: a pipe that drains does not wake it, so with one peer it never goes out.",
    families: ["reqrep"],
    observe:
      "with one REP peer that stops reading until its pipe is backed up, a new request goes out once the peer reads again",
    patch: [
      {
        file: REQ,
        search:
          '    pipe.onWritable = () => {\n      for (const ctx of this.contexts) ctx.pipeEvent("pipeAdded", pipe);\n    };\n',
        replace: "",
      },
    ],
  },
  {
    id: "reqrep/req-resend-assumes-ready-pipe",
    requirements: ["SP-REQREP-8", "SP-REQREP-12"],
    description:
      "REQ's resend takes the round robin's pick as always present: a resend interval that passes while every pipe is backed up throws in the timer and takes the process down.",
    families: ["reqrep"],
    observe:
      "with one REP peer that stops reading and a short resend time, the REQ survives resend intervals that find the pipe backed up",
    patch: [
      {
        file: REQ_CTX,
        search:
          "          const pipe = host.pickPipe();\n          if (!pipe || !this.idWord || !this.body) return;\n",
        replace:
          "          const pipe = host.pickPipe() as Pipe;\n          if (!this.idWord || !this.body) return;\n",
      },
    ],
  },
  {
    id: "reqrep/req-cancel-reported-as-close",
    requirements: ["SP-REQREP-37"],
    description:
      "REQ ends a receive that waits for a cancelled request through the same path as a close, so the application sees ECLOSED on a socket that is still open.",
    families: ["reqrep"],
    observe:
      "a recv waits for request A; the application sends B; the recv fails with ECANCELED, not ECLOSED",
    patch: [
      {
        file: REQ_CTX,
        search: '          const code = event.type === "close" ? "ECLOSED" : "ECANCELED";\n',
        replace: '          const code = "ECLOSED";\n',
      },
    ],
  },
  {
    id: "reqrep/rep-prunes-live-receivers",
    requirements: ["SP-REQREP-38"],
    description:
      "REP trims its list of waiting receivers once it holds 32, with the test inverted: it keeps the receivers that already gave up and drops the live ones, whose recvs then never get a request.",
    families: ["reqrep"],
    observe: "forty contexts wait in recv, forty requests arrive: every context gets one",
    patch: [
      {
        file: ANSWER,
        search: "if (!t.w.settled && !t.ctx.isClosed) this.takers.push(t);",
        replace: "if (t.w.settled || t.ctx.isClosed) this.takers.push(t);",
      },
    ],
  },
  {
    id: "reqrep/rep-reply-to-last-pipe",
    requirements: ["SP-REQREP-13", "SP-REQREP-21"],
    description:
      "REP answers on the pipe the latest request arrived on (kept on the socket) rather than the pipe of the request it answers: with one peer all is well, with requests of two peers queued the answer goes to the wrong peer.",
    families: ["reqrep"],
    observe:
      "two REQ peers each send a request before the REP receives; the REP answers both: each answer must come back on the connection its request came on",
    patch: [
      {
        file: ANSWER,
        search: "  private readonly malformed: string;\n",
        replace:
          "  private readonly malformed: string;\n  private lastArrival: Pipe | null = null;\n",
      },
      {
        file: ANSWER,
        search: "    const item: Question = { pipe, backtrace: r.backtrace, body: r.body };",
        replace:
          "    this.lastArrival = pipe;\n    const socket = this;\n    const item: Question = {\n      get pipe(): Pipe {\n        return socket.lastArrival ?? pipe;\n      },\n      backtrace: r.backtrace,\n      body: r.body,\n    };",
      },
    ],
  },
  {
    id: "reqrep/rep-backtrace-id-only",
    requirements: ["SP-REQREP-13"],
    description:
      "REP echoes only the last backtrace word (the request id) in front of its reply, dropping the hop words a device pushed: direct peers see no difference.",
    families: ["reqrep", "raw"],
    observe:
      "send the REP a request with hop words before the request id; the reply must carry the whole backtrace unchanged",
    patch: [
      {
        file: ANSWER,
        search: "    const item: Question = { pipe, backtrace: r.backtrace, body: r.body };",
        replace:
          "    const item: Question = {\n      pipe,\n      backtrace: r.backtrace.subarray(r.backtrace.length - 4),\n      body: r.body,\n    };",
      },
    ],
  },
  {
    id: "reqrep/backtrace-ttl-off-by-one",
    requirements: ["SP-REQREP-15", "SP-SURVEY-16"],
    description:
      "The hop limit counts only the hop words, not the id word: a backtrace of maxTtl hop words plus the id (maxTtl + 1 words) is accepted.",
    families: ["reqrep", "survey", "raw"],
    observe:
      "with ttl-max N, a request with exactly N hop words before the id is dropped (no reply), one with N-1 is answered",
    patch: [
      {
        file: "reference/protocol/rep0/backtrace.ts",
        search: '    if (hops >= maxTtl) return { kind: "tooManyHops" };',
        replace: '    if (hops > maxTtl) return { kind: "tooManyHops" };',
      },
    ],
  },
  {
    id: "reqrep/req-drops-reply-without-recv",
    requirements: ["SP-REQREP-33"],
    description:
      "REQ hands a reply only to a recv that is already waiting: a reply that arrives first is lost, and the application's later recv fails with ESTATE.",
    families: ["reqrep"],
    observe:
      "a REQ sends, the peer replies at once, the application receives 300 ms later: it gets the reply",
    patch: [
      {
        file: "reference/protocol/req0/context.ts",
        search: "          if (!w?.resolve(body)) this.kept = body;",
        replace: "          w?.resolve(body);",
      },
    ],
  },
  {
    id: "reqrep/req-kept-reply-replaced",
    requirements: ["SP-REQREP-33", "SP-REQREP-6"],
    description:
      "REQ stores the latest reply to its last request in the slot it keeps for the next recv: a repeat that arrives before recv replaces the first reply (nanomsg 1.1.5 behaves so).",
    families: ["reqrep"],
    observe:
      "a REQ sends, the peer answers twice with the request's id, the application receives afterwards: it gets the first answer",
    patch: [
      {
        file: REQ_CTX,
        search: "  private kept: Buffer | null = null;\n",
        replace: "  private kept: Buffer | null = null;\n  private keptId = -1;\n",
      },
      {
        file: REQ_CTX,
        search: "          const body = event.arg.subarray(4);\n          this.forgetRequest();",
        replace:
          "          const body = event.arg.subarray(4);\n          this.keptId = this.reqId;\n          this.forgetRequest();",
      },
      {
        file: REQ_CTX,
        search: '        dropReply: () => host.count("rxDropped"),',
        replace:
          '        dropReply: ({ event }) => {\n          if (this.kept && carriesId(event.arg, this.keptId)) this.kept = event.arg.subarray(4);\n          else host.count("rxDropped");\n        },',
      },
    ],
  },
  {
    id: "reqrep/req-resend-on-any-pipe-loss",
    requirements: ["SP-REQREP-9", "SP-REQREP-21"],
    description:
      "REQ sends its request again whenever any pipe goes away, not only the one that carried it: with several REPs, each disconnect elsewhere puts another copy on the wire.",
    families: ["reqrep"],
    observe:
      "a REQ with three REP peers sends; a peer that did not get the request leaves: no other peer gets a copy",
    patch: [
      {
        file: REQ_CTX,
        search: "        carriedRequest: ({ event }) => event.arg === this.carrier,",
        replace: "        carriedRequest: () => true,",
      },
    ],
  },
  {
    id: "reqrep/req-context-close-keeps-request",
    requirements: ["SP-REQREP-34"],
    description:
      "Closing a REQ context only fails its pending operations: its request stays outstanding, so its resend timer keeps sending it.",
    families: ["reqrep"],
    observe:
      "two REQ contexts send, one is closed: the peer must see no copy of the closed context's request afterwards",
    patch: [
      {
        file: "reference/protocol/req0/context.ts",
        search:
          '    if (this.actor.getSnapshot().status === "active") this.actor.send({ type: "close" });\n    this.waiter?.fail(new SPError("ECLOSED"));\n    this.waiter = null;\n    this.kept = null;\n    this.forgetRequest();',
        replace: '    this.waiter?.fail(new SPError("ECLOSED"));\n    this.waiter = null;',
      },
    ],
  },
  {
    id: "reqrep/rep-context-close-leaves-recv",
    requirements: ["SP-REQREP-36"],
    description:
      "Closing a REP context leaves its waiting recv parked: the recv never ends, and the next request is handed to the closed context and lost.",
    families: ["reqrep"],
    observe:
      "a REP context with a waiting recv is closed: the recv must fail with ECLOSED and the next request go to another context",
    patch: [
      {
        file: ANSWER_CTX,
        search: '    this.pending?.fail(new SPError("ECLOSED"));\n',
        replace: "",
      },
      {
        file: ANSWER,
        search:
          "      if (t.w.settled || t.ctx.isClosed) continue; // timed out or closed meanwhile",
        replace: "      if (t.w.settled) continue;",
      },
    ],
  },
  {
    id: "reqrep/rep-contexts-share-held-request",
    requirements: ["SP-REQREP-35"],
    description:
      "REP contexts bolted onto a single-request REP: all contexts share one held request, so a second context's recv abandons the first context's request.",
    families: ["reqrep"],
    observe:
      "two REP contexts hold requests from two peers and answer in the reverse order: both replies must go out",
    patch: [
      {
        file: ANSWER_CTX,
        search: "    this.question = new HeldQuestion((stat) => host.count(stat), nothingHeld);",
        replace:
          "    sharedQuestion ??= new HeldQuestion((stat) => host.count(stat), nothingHeld);\n    this.question = sharedQuestion;",
      },
      {
        file: ANSWER_CTX,
        search: "/** The events both answering machines take",
        replace:
          "let sharedQuestion: HeldQuestion | undefined;\n\n/** The events both answering machines take",
      },
    ],
  },
  {
    id: "reqrep/req-kept-reply-keeps-id",
    requirements: ["SP-REQREP-7", "SP-REQREP-33"],
    description:
      "REQ strips the request id only from a reply it hands straight to a waiting recv: a reply that arrives first is kept whole, and the later recv returns it with the id word in front.",
    families: ["reqrep"],
    observe:
      "a REQ sends, the peer replies at once, the application receives afterwards: the body comes without the 4-byte id",
    patch: [
      {
        file: REQ_CTX,
        search: "          if (!w?.resolve(body)) this.kept = body;",
        replace: "          if (!w?.resolve(body)) this.kept = event.arg;",
      },
    ],
  },
  {
    id: "reqrep/req-recv-parks-when-idle",
    requirements: ["SP-REQREP-11"],
    description:
      "A recv on a REQ with no request outstanding is parked for the reply to a request to come, instead of failing: it waits out its timeout.",
    families: ["reqrep"],
    observe:
      "recv on a fresh REQ, and again after the reply was taken: each fails at once (ESTATE), not at its timeout",
    patch: [
      {
        file: REQ_CTX,
        search: '          event.arg.fail(new SPError("ESTATE", "no request outstanding"));\n',
        replace: "          if (!this.waiter || this.waiter.settled) this.waiter = event.arg;\n",
      },
    ],
  },
  {
    id: "reqrep/req-repeat-reply-delivered",
    requirements: ["SP-REQREP-24"],
    description:
      "REQ remembers the id of the request it last got a reply for until the next send, and a reply that arrives meanwhile with that id (the answer to a resent copy) is delivered too: the application gets two replies for one request.",
    families: ["reqrep"],
    observe:
      "the peer answers a request twice with its id, the second time after the first was received: recv must not deliver the second",
    patch: [
      {
        file: REQ_CTX,
        search: "  private readonly word = Buffer.alloc(4);\n",
        replace: "  private readonly word = Buffer.alloc(4);\n  private answeredId = -1;\n",
      },
      {
        file: REQ_CTX,
        search: "this.reqId = host.claimId(this);\n",
        replace: "this.reqId = host.claimId(this);\n          this.answeredId = -1;\n",
      },
      {
        file: REQ_CTX,
        search: "          const body = event.arg.subarray(4);\n          this.forgetRequest();\n",
        replace:
          "          const body = event.arg.subarray(4);\n          this.answeredId = this.reqId;\n          this.forgetRequest();\n",
      },
      {
        file: REQ_CTX,
        search: '        dropReply: () => host.count("rxDropped"),',
        replace:
          '        dropReply: ({ event }) => {\n          if (!carriesId(event.arg, this.answeredId)) return host.count("rxDropped");\n          const again = event.arg.subarray(4);\n          const w = this.waiter;\n          this.waiter = null;\n          if (!w?.resolve(again)) this.kept = again;\n        },',
      },
    ],
  },
  {
    id: "reqrep/req-context-ids-counted-per-context",
    requirements: ["SP-REQREP-23", "SP-REQREP-27"],
    description:
      "Each REQ context counts its request ids on its own, all from the socket's random start: the first requests of two contexts carry the same id, and a reply to either goes to whichever context claimed the id last.",
    families: ["reqrep"],
    observe:
      "two contexts of one REQ each send a request: the ids on the wire differ, and each context gets the reply carrying its own id",
    patch: [
      {
        file: IDS,
        search: "  private last = randomId();\n",
        replace: "  private last = randomId();\n  readonly start = this.last;\n",
      },
      {
        file: IDS,
        search: "  /** Forgets `id`; its late answers then name no owner. */\n",
        replace:
          "  claimAt(id: number, owner: T): number {\n    this.owners.set(id, owner);\n    return id;\n  }\n\n  /** Forgets `id`; its late answers then name no owner. */\n",
      },
      {
        file: REQ,
        search: 'import { IdMap } from "../shared/request-ids.ts";',
        replace: 'import { IdMap, nextId } from "../shared/request-ids.ts";',
      },
      {
        file: REQ,
        search: "  private readonly ids = new IdMap<ReqContext>();\n",
        replace:
          "  private readonly ids = new IdMap<ReqContext>();\n  private readonly lastIdOf = new Map<ReqContext, number>();\n",
      },
      {
        file: REQ,
        search: "        claimId: (ctx: ReqContext) => this.ids.claim(ctx),",
        replace:
          "        claimId: (ctx: ReqContext) => {\n          const id = nextId(this.lastIdOf.get(ctx) ?? this.ids.start);\n          this.lastIdOf.set(ctx, id);\n          return this.ids.claimAt(id, ctx);\n        },",
      },
    ],
  },
  {
    id: "reqrep/ids-start-fixed",
    requirements: ["SP-REQREP-4", "SP-SURVEY-4"],
    description:
      "The id allocator starts every socket at 0x80000000 (the random seed was left out): ids still have the top bit and count up, but every fresh REQ or SURVEYOR begins at the same id.",
    families: ["reqrep", "survey"],
    observe: "three fresh REQ (SURVEYOR) sockets begin at unrelated ids",
    patch: [
      {
        file: IDS,
        search: "  private last = randomId();\n",
        replace: "  private last = TOP_BIT;\n",
      },
    ],
  },
  {
    id: "reqrep/rep-send-unheld-succeeds",
    requirements: ["SP-REQREP-16"],
    description:
      "A send on a REP that holds no request is taken as done and dropped, instead of failing: the application never learns that its reply went nowhere.",
    families: ["reqrep"],
    observe:
      "send on a fresh REP, and a second send after a reply: each fails (ESTATE) and puts nothing on the wire",
    patch: [
      {
        file: REP_CTX,
        search: REP_ACTIONS,
        replace:
          "        actions: {\n          ...question.actions(names),\n          failSendState: ({ event }) => event.arg.done.resolve(),\n        },\n",
      },
    ],
  },
  {
    id: "reqrep/rep-reply-to-gone-peer-fails",
    requirements: ["SP-REQREP-17"],
    description:
      "REP fails the send of a reply whose requester has disconnected (ECLOSED) rather than dropping it quietly: an application that treats a failed send as fatal stops serving.",
    families: ["reqrep"],
    observe:
      "a requester sends and disconnects before the reply: the REP's send still succeeds, and the REP serves the next peer",
    patch: [
      {
        file: REP_CTX,
        search: 'import { createSpecActor } from "../../core/spec-actor.ts";\n',
        replace:
          'import { SPError } from "../../core/errors.ts";\nimport { createSpecActor } from "../../core/spec-actor.ts";\n',
      },
      {
        file: REP_CTX,
        search: REP_ACTIONS,
        replace:
          '        actions: {\n          ...question.actions(names),\n          sendReply: (args) => {\n            if (question.current?.pipe.isClosed) {\n              question.drop();\n              args.event.arg.done.fail(new SPError("ECLOSED", "the requester is gone"));\n              return;\n            }\n            question.actions(names).sendReply(args);\n          },\n        },\n',
      },
    ],
  },
  {
    id: "reqrep/rep-keeps-first-request",
    requirements: ["SP-REQREP-19"],
    description:
      "REP only takes a request's backtrace when it holds none (a guard against overwriting): a second recv hands out the new body, but the reply still goes to the abandoned first request.",
    families: ["reqrep"],
    observe:
      "REP receives request A, then B without answering A, then replies: the reply carries B's id and A gets nothing",
    patch: [
      {
        file: REP_CTX,
        search: REP_ACTIONS,
        replace:
          "        actions: {\n          ...question.actions(names),\n          abandonRequest: () => {},\n          holdRequest: (args) => {\n            if (!question.current) question.actions(names).holdRequest(args);\n          },\n        },\n",
      },
    ],
  },
  {
    id: "reqrep/req-socket-close-skips-contexts",
    requirements: ["SP-REQREP-20"],
    description:
      "Closing a REQ socket closes only its default context: a recv waiting on another context is not failed and waits out its own timeout.",
    families: ["reqrep"],
    observe:
      "a REQ context waits in recv for a reply; the socket is closed: the recv fails at once (ECLOSED)",
    patch: [
      {
        file: REQ,
        search:
          "    // SP-REQREP-20: every context's pending recv fails with ECLOSED.\n    this.closeContexts();",
        replace: "    this.defaultCtx.close();",
      },
    ],
  },
  {
    id: "reqrep/req-accepts-own-protocol",
    requirements: ["SP-REQREP-1"],
    description:
      "REQ takes a peer that announces REQ as well as one that announces REP (a symmetric check copied from PAIR/BUS): requests then go to a socket that never answers.",
    families: ["reqrep"],
    observe:
      "an IUT REQ dials a listener that announces REQ (0x30): the REQ closes the connection and sends it no request",
    patch: [
      {
        file: REQ,
        search: "  protected pipeAdded(pipe: Pipe): void {\n",
        replace:
          "  override isPeerCompatible(peer: number): boolean {\n    return peer === this.identity.peer || peer === this.identity.self;\n  }\n\n  protected pipeAdded(pipe: Pipe): void {\n",
      },
    ],
  },
  {
    id: "reqrep/xreq-matches-replies",
    requirements: ["SP-REQREP-32"],
    description:
      "Raw REQ remembers the id word of every header it sends and drops a reply whose id is not among them, as a cooked REQ would: a device forwarding replies loses those to requests sent by another path.",
    families: ["raw"],
    observe:
      "a raw REQ gets a reply with an id it never sent: it hands it to the application with its header",
    patch: [
      {
        file: "reference/protocol/raw/backtrace-raw.ts",
        search:
          '  protected split(_pipe: Pipe, msg: Buffer): { header: Buffer; body: Buffer } | undefined {\n    const r = splitBacktrace(msg, this.options.maxTtl);\n    if (r.kind === "ok") return { header: r.backtrace, body: r.body };\n',
        replace:
          '  private readonly sentIds = new Set<number>();\n\n  protected split(_pipe: Pipe, msg: Buffer): { header: Buffer; body: Buffer } | undefined {\n    const r = splitBacktrace(msg, this.options.maxTtl);\n    if (r.kind === "ok") {\n      const id = r.backtrace.readUInt32BE(r.backtrace.length - 4);\n      if (this.mode === "roundRobin" && !this.sentIds.has(id)) {\n        this.count("rxDropped");\n        return undefined;\n      }\n      return { header: r.backtrace, body: r.body };\n    }\n',
      },
      {
        file: "reference/protocol/raw/backtrace-raw.ts",
        search:
          '    if (this.mode === "roundRobin") return this.sendRoundRobin(header, body, opts);\n',
        replace:
          '    if (this.mode === "roundRobin") {\n      if (header.length >= 4) this.sentIds.add(header.readUInt32BE(header.length - 4));\n      return this.sendRoundRobin(header, body, opts);\n    }\n',
      },
    ],
  },
  {
    id: "reqrep/rep-hop-limit-closes-pipe",
    requirements: ["SP-REQREP-29"],
    description:
      "REP treats a request over the hop limit like a malformed one and closes the connection it came on, although the requester next to it did nothing wrong (a device further back added the hops).",
    families: ["reqrep"],
    observe:
      "send the REP a request with more hop words than ttl-max allows: it is dropped unanswered and the connection stays open for the next request",
    patch: [
      {
        file: ANSWER,
        search: '      this.count("rxTtlExceeded");\n      return;\n',
        replace:
          '      this.count("rxTtlExceeded");\n      if (this.identity.name === "rep") pipe.close(new SPError("EPROTO", "too many hops"));\n      return;\n',
      },
    ],
  },
  {
    id: "reqrep/xrep-pipe-word-top-bit",
    requirements: ["SP-REQREP-30", "SP-REQREP-2", "SP-SURVEY-2"],
    description:
      "Raw REP (and raw RESPONDENT, which shares the code) marks the pipe word it pushes with the top bit, to tell its own word from a device's hop (it masks the bit off again when routing): a direct round trip works, but a device in front of a REP puts a word on the wire that the REP takes for the request id.",
    families: ["raw"],
    observe:
      "through a REQ/REP device, the request a REP peer receives starts with a hop word whose top bit is clear, followed by the backtrace as sent",
    patch: [
      {
        file: "reference/protocol/raw/backtrace-raw.ts",
        search: "Buffer.concat([RawSocket.pipeWord(pipe.id), r.backtrace])",
        replace:
          "Buffer.concat([Buffer.from([0x80 | ((pipe.id >>> 24) & 0x7f), (pipe.id >>> 16) & 0xff, (pipe.id >>> 8) & 0xff, pipe.id & 0xff]), r.backtrace])",
      },
      {
        file: "reference/protocol/raw/backtrace-raw.ts",
        search: "    const pipe = this.byId.get(header.readUInt32BE(0));",
        replace: "    const pipe = this.byId.get(header.readUInt32BE(0) & 0x7fffffff);",
      },
    ],
  },
];
