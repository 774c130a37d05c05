/** Seeded faults of SURVEYOR and RESPONDENT (draft-sp-survey). */
import type { Fault } from "./types.ts";

const CTX = "reference/protocol/surveyor0/context.ts";
/** The code RESPONDENT shares with REP (the faults below run the survey cases only). */
const ANSWER = "reference/protocol/shared/answer-socket.ts";
const SURVEYOR = "reference/protocol/surveyor0/surveyor.ts";
const RESP_CTX = "reference/protocol/respondent0/context.ts";
const IDS = "reference/protocol/shared/request-ids.ts";
/** The RESPONDENT context's actions, as the faults below override some of them. */
const RESP_ACTIONS = "        actions: question.actions(names),\n";

export const surveyFaults: readonly Fault[] = [
  {
    id: "survey/surveyor-id-low-16-bits",
    requirements: ["SP-SURVEY-11"],
    description:
      "SURVEYOR matches a response by the low 16 bits of its survey id only (a truncated compare), so a response with another id that shares them is delivered.",
    families: ["survey"],
    observe:
      "answer a survey with an id that differs only in its upper 16 bits (top bit still set): the SURVEYOR must not deliver it",
    patch: [
      {
        file: CTX,
        search: "idMatches: ({ event }) => carriesId(event.arg, this.surveyId),",
        replace:
          "idMatches: ({ event }) =>\n          this.surveyId >= 0 &&\n          event.arg.length >= 4 &&\n          (event.arg[0] as number) >= 0x80 &&\n          event.arg.readUInt16BE(2) === (this.surveyId & 0xffff),",
      },
    ],
  },
  {
    id: "survey/surveyor-deadline-rearmed-by-response",
    requirements: ["SP-SURVEY-9", "SP-SURVEY-8"],
    description:
      "Each matching response restarts the survey's deadline (an idle timeout instead of a deadline): a respondent answering now and then keeps the survey open past surveyTime.",
    families: ["survey"],
    observe:
      "with surveyTime T, let a respondent answer at T/2 and again at T + a little: the second answer must be dropped and a recv waiting at T must fail with ETIMEDOUT",
    patch: [
      {
        file: "spec/machines/surveyor.ts",
        // The row the reference runs (the compiled form reads targets from the table's rows).
        search:
          '    id: "surveyor:surveying:response[idMatches]",\n    source: "surveying",\n    event: "response",\n    guard: "idMatches",\n    actions: ["deliverResponse"],\n    target: null,',
        replace:
          '    id: "surveyor:surveying:response[idMatches]",\n    source: "surveying",\n    event: "response",\n    guard: "idMatches",\n    actions: ["deliverResponse"],\n    target: "surveying",',
      },
    ],
  },
  {
    id: "survey/surveyor-keeps-old-responses",
    requirements: ["SP-SURVEY-14"],
    description:
      "A new survey fails the old survey's waiting recv but keeps its responses that were not read yet, so the next recv returns an answer to the previous survey.",
    families: ["survey"],
    observe:
      "let a response to survey 1 arrive unread, send survey 2, recv: the SURVEYOR must not return survey 1's response",
    patch: [
      {
        file: CTX,
        search: "    this.responses.drain();\n",
        replace: '    if (code !== "ECANCELED") this.responses.drain();\n',
      },
    ],
  },
  {
    id: "survey/respondent-ignores-ttl-max",
    requirements: ["SP-SURVEY-16"],
    description:
      "RESPONDENT checks backtraces against the default hop limit 8 instead of its ttl-max option (REP honours the option, RESPONDENT does not).",
    families: ["survey"],
    observe:
      "set ttl-max to a non-default value (e.g. 3) on a RESPONDENT and send surveys with 3 and 2 hop words: the first is dropped, the second answered",
    patch: [
      {
        file: ANSWER,
        search: "const r = splitBacktrace(msg, this.options.maxTtl);",
        replace:
          'const r = splitBacktrace(msg, this.identity.name === "respondent" ? 8 : this.options.maxTtl);',
      },
    ],
  },
  {
    id: "survey/respondent-reply-to-last-pipe",
    requirements: ["SP-SURVEY-19"],
    description:
      "RESPONDENT answers on the pipe the latest survey arrived on rather than the pipe of the survey it answers: wrong when surveys of two surveyors are queued.",
    families: ["survey"],
    observe:
      "two SURVEYOR peers each send a survey before the RESPONDENT receives; answer both: each response must come back on its survey's connection",
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
    id: "survey/surveyor-queues-for-stalled-pipe",
    requirements: ["SP-FRAMEWORK-27", "SP-SURVEY-28"],
    description:
      "SURVEYOR hands every survey to every pipe without looking at whether the pipe is ready, so surveys for a respondent that stopped reading pile up in its send queue without bound.",
    families: ["survey"],
    observe:
      "survey a respondent that does not read, many times over the bounds, then let it read: it must get no more than the send bound plus the kernels' buffers",
    patch: [
      {
        file: CTX,
        search: "            if (pipe.writable) pipe.send(word, body);\n",
        replace: "            if (pipe.writable || true) pipe.send(word, body);\n",
      },
    ],
  },
  {
    id: "survey/surveyor-empty-response-malformed",
    requirements: ["SP-SURVEY-11", "SP-SURVEY-12"],
    description:
      "SURVEYOR takes a response of four bytes or fewer for one without a survey id (an off-by-one in the length check): an answer with an empty body closes its pipe and is lost.",
    families: ["survey"],
    observe:
      "answer a survey with exactly the 4-byte id: the SURVEYOR must deliver an empty message and keep the pipe",
    patch: [
      {
        file: "reference/protocol/surveyor0/surveyor.ts",
        search: "      if (msg.length < 4) {\n",
        replace: "      if (msg.length <= 4) {\n",
      },
    ],
  },
  {
    id: "survey/surveyor-keeps-every-response",
    requirements: ["SP-SURVEY-13", "SP-FRAMEWORK-21"],
    description:
      "The per-survey response buffer is created without its capacity, so a SURVEYOR whose application is slow to receive keeps every response a respondent sends for as long as the survey lasts.",
    families: ["survey"],
    observe:
      "a respondent floods answers to the survey in progress while the application does not receive: afterwards the application must get no more than the bound holds",
    patch: [
      {
        file: CTX,
        search: "    this.responses = new RingQueue<Buffer>(responseQueueSize);\n",
        replace: "    this.responses = new RingQueue<Buffer>();\n",
      },
    ],
  },
  {
    id: "survey/respondent-accepts-retired-surveyor",
    requirements: ["SP-SURVEY-1"],
    description:
      "RESPONDENT also takes a peer announcing the retired surveyor number 0x60 (kept for compatibility with an old version): such a peer is answered although it speaks another protocol.",
    families: ["survey"],
    observe:
      "a peer announcing 0x60 (or REQ, or RESPONDENT) connects to an IUT RESPONDENT: the connection is closed",
    patch: [
      {
        file: "reference/protocol/respondent0/respondent.ts",
        search: "  protected makeContext(): RespondentContext {\n",
        replace:
          "  override isPeerCompatible(peer: number): boolean {\n    return peer === this.identity.peer || peer === 0x60;\n  }\n\n  protected makeContext(): RespondentContext {\n",
      },
    ],
  },
  {
    id: "survey/surveyor-one-pipe-per-survey",
    requirements: ["SP-SURVEY-7"],
    description:
      "SURVEYOR picks one ready pipe per survey, in turn (the round robin of the REQ code it was copied from), instead of offering the survey to every pipe: with one respondent nothing shows.",
    families: ["survey"],
    observe: "with two respondents connected, one survey reaches both",
    patch: [
      {
        file: CTX,
        search: "  private lastEnd: SurveyEnd | null = null;\n",
        replace: "  private lastEnd: SurveyEnd | null = null;\n  private turn = 0;\n",
      },
      {
        file: CTX,
        search:
          '          for (const pipe of host.pipes()) {\n            if (pipe.writable) pipe.send(word, body);\n            else host.count("txDropped");\n          }\n',
        replace:
          "          const ready = [...host.pipes()].filter((p) => p.writable);\n          const pipe = ready[this.turn++ % Math.max(ready.length, 1)];\n          if (pipe) pipe.send(word, body);\n",
      },
    ],
  },
  {
    id: "survey/surveyor-recv-parks-without-survey",
    requirements: ["SP-SURVEY-10"],
    description:
      "A recv on a SURVEYOR with no survey in progress (none sent, or its deadline passed) is parked for the next survey's responses instead of failing.",
    families: ["survey"],
    observe:
      "recv on a fresh SURVEYOR, and after a survey's deadline: each fails at once (ESTATE), not at its timeout",
    patch: [
      {
        file: CTX,
        search: '          event.arg.fail(new SPError("ESTATE", "no survey in progress"));\n',
        replace: "          this.waiters.push(event.arg);\n",
      },
    ],
  },
  {
    id: "survey/surveyor-context-ids-counted-per-context",
    requirements: ["SP-SURVEY-5", "SP-SURVEY-32"],
    description:
      "Each SURVEYOR context counts its survey ids on its own, all from the socket's random start: the first surveys of two contexts carry the same id, and the responses to both go to whichever context claimed it last.",
    families: ["survey"],
    observe:
      "two contexts of one SURVEYOR each send a survey: the ids on the wire differ, and each context gets the responses carrying its own id",
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
        file: SURVEYOR,
        search: 'import { IdMap } from "../shared/request-ids.ts";',
        replace: 'import { IdMap, nextId } from "../shared/request-ids.ts";',
      },
      {
        file: SURVEYOR,
        search: "  private readonly ids = new IdMap<SurveyorContext>();\n",
        replace:
          "  private readonly ids = new IdMap<SurveyorContext>();\n  private readonly lastIdOf = new Map<SurveyorContext, number>();\n",
      },
      {
        file: SURVEYOR,
        search: "        claimId: (ctx: SurveyorContext) => this.ids.claim(ctx),",
        replace:
          "        claimId: (ctx: SurveyorContext) => {\n          const id = nextId(this.lastIdOf.get(ctx) ?? this.ids.start);\n          this.lastIdOf.set(ctx, id);\n          return this.ids.claimAt(id, ctx);\n        },",
      },
    ],
  },
  {
    id: "survey/surveyor-socket-close-skips-contexts",
    requirements: ["SP-SURVEY-25"],
    description:
      "Closing a SURVEYOR socket closes only its default context: a recv waiting on another context's survey is not failed and waits for the survey's deadline.",
    families: ["survey"],
    observe:
      "a SURVEYOR context waits in recv during a long survey; the socket is closed: the recv fails at once (ECLOSED)",
    patch: [
      {
        file: SURVEYOR,
        search:
          "    // SP-SURVEY-25: every context's pending recv fails with ECLOSED.\n    this.closeContexts();",
        replace: "    this.defaultCtx.close();",
      },
    ],
  },
  {
    id: "survey/respondent-send-unheld-succeeds",
    requirements: ["SP-SURVEY-20"],
    description:
      "A send on a RESPONDENT that holds no survey is taken as done and dropped, instead of failing.",
    families: ["survey"],
    observe:
      "send on a fresh RESPONDENT, and a second send after a response: each fails (ESTATE) and puts nothing on the wire",
    patch: [
      {
        file: RESP_CTX,
        search: RESP_ACTIONS,
        replace:
          "        actions: {\n          ...question.actions(names),\n          failSendState: ({ event }) => event.arg.done.resolve(),\n        },\n",
      },
    ],
  },
  {
    id: "survey/respondent-reply-to-gone-peer-fails",
    requirements: ["SP-SURVEY-21"],
    description:
      "RESPONDENT fails the send of a response whose surveyor has disconnected (ECLOSED) rather than dropping it quietly.",
    families: ["survey"],
    observe:
      "a surveyor sends a survey and disconnects before the response: the RESPONDENT's send still succeeds",
    patch: [
      {
        file: RESP_CTX,
        search: 'import { createSpecActor } from "../../core/spec-actor.ts";\n',
        replace:
          'import { SPError } from "../../core/errors.ts";\nimport { createSpecActor } from "../../core/spec-actor.ts";\n',
      },
      {
        file: RESP_CTX,
        search: RESP_ACTIONS,
        replace:
          '        actions: {\n          ...question.actions(names),\n          sendResponse: (args) => {\n            if (question.current?.pipe.isClosed) {\n              question.drop();\n              args.event.arg.done.fail(new SPError("ECLOSED", "the surveyor is gone"));\n              return;\n            }\n            question.actions(names).sendResponse(args);\n          },\n        },\n',
      },
    ],
  },
  {
    id: "survey/respondent-keeps-first-survey",
    requirements: ["SP-SURVEY-23"],
    description:
      "RESPONDENT only takes a survey's backtrace when it holds none: a second recv hands out the new survey's body, but the response goes to the abandoned first survey.",
    families: ["survey"],
    observe:
      "RESPONDENT receives survey A, then B without answering A, then responds: the response carries B's id and A's surveyor gets nothing",
    patch: [
      {
        file: RESP_CTX,
        search: RESP_ACTIONS,
        replace:
          "        actions: {\n          ...question.actions(names),\n          abandonSurvey: () => {},\n          holdSurvey: (args) => {\n            if (!question.current) question.actions(names).holdSurvey(args);\n          },\n        },\n",
      },
    ],
  },
  {
    id: "survey/respondent-contexts-share-held-survey",
    requirements: ["SP-SURVEY-37"],
    description:
      "RESPONDENT contexts bolted onto a single-survey RESPONDENT: all contexts share one held survey, so a second context's recv abandons the first context's survey.",
    families: ["survey"],
    observe:
      "two RESPONDENT contexts hold surveys from two surveyors and answer in the reverse order: both responses go out, each to its own surveyor",
    patch: [
      {
        file: "reference/protocol/shared/answer-context.ts",
        search: "    this.question = new HeldQuestion((stat) => host.count(stat), nothingHeld);",
        replace:
          "    sharedQuestion ??= new HeldQuestion((stat) => host.count(stat), nothingHeld);\n    this.question = sharedQuestion;",
      },
      {
        file: "reference/protocol/shared/answer-context.ts",
        search: "/** The events both answering machines take",
        replace:
          "let sharedQuestion: HeldQuestion | undefined;\n\n/** The events both answering machines take",
      },
    ],
  },
  {
    id: "survey/xsurveyor-round-robin",
    requirements: ["SP-SURVEY-35"],
    description:
      "Raw SURVEYOR is built on the raw REQ code with its round robin left in: each message goes to one respondent instead of to every pipe.",
    families: ["raw"],
    observe: "a raw SURVEYOR with two respondents sends one message: both get it, header unchanged",
    patch: [
      {
        file: "reference/protocol/surveyor0/xsurveyor.ts",
        search: '      "broadcast",\n',
        replace: '      "roundRobin",\n',
      },
    ],
  },
  {
    id: "survey/respondent-hop-limit-closes-pipe",
    requirements: ["SP-SURVEY-31"],
    description:
      "RESPONDENT treats a survey over the hop limit like a malformed one and closes the connection it came on, although the surveyor next to it did nothing wrong (a device further back added the hops).",
    families: ["survey"],
    observe:
      "send the RESPONDENT a survey with more hop words than ttl-max allows: it is dropped unanswered and the connection stays open for the next survey",
    patch: [
      {
        file: ANSWER,
        search: '      this.count("rxTtlExceeded");\n      return;\n',
        replace:
          '      this.count("rxTtlExceeded");\n      if (this.identity.name === "respondent") pipe.close(new SPError("EPROTO", "too many hops"));\n      return;\n',
      },
    ],
  },
  {
    id: "survey/surveyor-contexts-share-response-buffer",
    requirements: ["SP-SURVEY-36", "SP-SURVEY-32"],
    description:
      "SURVEYOR contexts keep their unread responses in one buffer of the socket (routing by id happens, but the queue is shared): a context that closes or starts a new survey empties it, losing the responses other contexts have not read, and a recv may take another context's response.",
    families: ["survey"],
    observe:
      "two contexts' surveys get responses that wait unread; one context closes: the other still receives its own responses",
    patch: [
      {
        file: CTX,
        search: "    this.responses = new RingQueue<Buffer>(responseQueueSize);\n",
        replace:
          "    const shared = host as unknown as { responses?: RingQueue<Buffer> };\n    shared.responses ??= new RingQueue<Buffer>(responseQueueSize);\n    this.responses = shared.responses;\n",
      },
    ],
  },
];
