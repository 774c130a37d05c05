/** Seeded faults of SURVEYOR and RESPONDENT (draft-sp-survey). */
import type { Fault } from "./types.ts";

const CTX = "reference/protocol/surveyor0/context.ts";
/** The code RESPONDENT shares with REP (the faults below run the survey cases only). */
const ANSWER = "reference/protocol/shared/answer-socket.ts";

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
];
