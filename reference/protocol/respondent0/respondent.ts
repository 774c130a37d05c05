import { protocols } from "../../../spec/constants.ts";
import type { Transport } from "../../core/transport.ts";
import { defaultTransports } from "../../transports.ts";
import { optionRegistry, type ProtocolOptions } from "../options.ts";
import { AnswerSocket } from "../shared/answer-socket.ts";
import { RespondentContext, type RespondentMachine } from "./context.ts";

export { RespondentContext, type RespondentMachine } from "./context.ts";

/** Internal construction options: alternate machine, transports, queue size. */
export interface Respondent0Internals {
  respondentCompiled?: RespondentMachine;
  transports?: readonly Transport[];
  /**
   * Surveys each pipe's receive buffer holds before the socket stops reading that
   * pipe, when the `recvBuffer` option is 0 (else the draft's default, 1024). Nothing is dropped.
   */
  recvQueueSize?: number;
}

/**
 * A cooked RESPONDENT socket (protocol 0x63). `recv` hands out one survey and
 * the context's `respondent` actor holds its backtrace and pipe until `send`
 * answers it. The socket's `send`/`recv` use a default context;
 * `openContext()` gives more, to answer several surveys concurrently
 * (SP-SURVEY-37). Surveys wait in their pipe's bounded receive buffer, the
 * pipes served in turn; a full buffer stops reading that pipe (SP-SURVEY-27).
 *
 * @example
 * ```ts
 * const r = respondent0();
 * r.dial("tcp://127.0.0.1:5555");
 * for await (const question of r) await r.send("here");
 * ```
 */
export class Respondent0Socket extends AnswerSocket<RespondentContext> {
  private readonly machine: RespondentMachine | undefined;

  constructor(options?: ProtocolOptions<"respondent0">, internals: Respondent0Internals = {}) {
    const spec = {
      protocol: protocols.respondent0,
      optionSet: optionRegistry.respondent0,
      malformed: "survey without a survey id",
    };
    super(spec, options, internals.transports ?? defaultTransports, internals.recvQueueSize);
    this.machine = internals.respondentCompiled;
    this.startAnswering();
  }

  /**
   * A new context, with its own held survey.
   *
   * @example
   * ```ts
   * const workers = Array.from({ length: 4 }, () => respondent.openContext());
   * ```
   */
  protected makeContext(): RespondentContext {
    return new RespondentContext(this.ctxHost, this.machine);
  }
}

/**
 * Opens a RESPONDENT socket.
 *
 * @example
 * ```ts
 * const r = respondent0({ maxTtl: 4 });
 * ```
 */
export function respondent0(
  options?: ProtocolOptions<"respondent0">,
  internals?: Respondent0Internals,
): Respondent0Socket {
  return new Respondent0Socket(options, internals);
}
