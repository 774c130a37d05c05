import { protocols } from "../../../spec/constants.ts";
import type { RecvOptions, SendOptions } from "../../core/call-options.ts";
import { SPError } from "../../core/errors.ts";
import type { Pipe } from "../../core/pipe.ts";
import type { SendData } from "../../core/socket.ts";
import type { Transport } from "../../core/transport.ts";
import { defaultTransports } from "../../transports.ts";
import { optionRegistry, type ProtocolOptionRows, type ProtocolOptions } from "../options.ts";
import { ContextSocket } from "../shared/contexts.ts";
import { IdMap } from "../shared/request-ids.ts";
import {
  SurveyorContext,
  type SurveyorContextHost,
  type SurveyorMachine,
  untilDeadline,
} from "./context.ts";

export { SurveyorContext, type SurveyorMachine } from "./context.ts";

/** Internal construction options: alternate machine, transports, response buffer. */
export interface Surveyor0Internals {
  surveyorCompiled?: SurveyorMachine;
  transports?: readonly Transport[];
  /** Responses kept per survey while nobody is in recv (default 128, as nng); more are dropped. */
  responseQueueSize?: number;
}

/** The survey id after `id` (SP-SURVEY-3); see {@link nextId}. */
export { nextId as nextSurveyId } from "../shared/request-ids.ts";

/**
 * A cooked SURVEYOR socket (protocol 0x62). `send` starts a survey that goes
 * to every connected respondent; `recv` returns their responses until the
 * deadline (`surveyTime`, default 1 s), after which it fails with ETIMEDOUT.
 * Each context ({@link SurveyorContext}) runs its own `surveyor` actor, which
 * decides when its survey starts, ends and which responses are accepted; the
 * socket's `send`/`recv` use a default context and `openContext()` gives more,
 * so several surveys can run at once. Responses are routed by survey id.
 * `for await` over the socket (or a context) ends at the deadline.
 *
 * @example
 * ```ts
 * const s = surveyor0({ surveyTime: 500 });
 * await s.listen("tcp://127.0.0.1:5555");
 * await s.send("who is there?");
 * const answers: Buffer[] = [];
 * for await (const answer of s) answers.push(answer); // ends at the deadline
 * ```
 */
export class Surveyor0Socket extends ContextSocket<
  SurveyorContext,
  SurveyorContextHost,
  ProtocolOptionRows<"surveyor0">
> {
  private readonly ring = new Set<Pipe>();
  /** Survey id → the context whose survey it is (one map per socket). */
  private readonly ids = new IdMap<SurveyorContext>();
  private readonly internals: Surveyor0Internals;

  constructor(options?: ProtocolOptions<"surveyor0">, internals: Surveyor0Internals = {}) {
    super(
      protocols.surveyor0,
      options,
      internals.transports ?? defaultTransports,
      optionRegistry.surveyor0,
    );
    this.internals = internals;
    this.startContexts(
      this.contextLink({
        pipes: () => this.ring,
        // SP-SURVEY-5: unique among the surveys in progress on this socket.
        claimId: (ctx: SurveyorContext) => this.ids.claim(ctx),
        releaseId: (id: number) => this.ids.release(id),
      }),
    );
  }

  /**
   * A new context: an independent survey state on this socket.
   *
   * @example
   * ```ts
   * const a = surveyor.openContext(), b = surveyor.openContext();
   * await a.send("cpu?"); await b.send("disk?");
   * ```
   */
  protected makeContext(): SurveyorContext {
    return new SurveyorContext(
      this.ctxHost,
      this.internals.surveyorCompiled,
      this.internals.responseQueueSize ?? 128,
    );
  }

  /**
   * Starts a survey on the default context, ending its survey in progress (its
   * waiting recv fails with ECANCELED). Resolves at once: delivery is best
   * effort (SP-SURVEY-7, SP-SURVEY-28).
   *
   * @example
   * ```ts
   * await surveyor.send("status?");
   * ```
   */
  send(data: SendData, opts?: SendOptions): Promise<void> {
    return this.defaultCtx.send(data, opts);
  }

  /**
   * Receives the next response to the default context's survey (id stripped).
   * ETIMEDOUT when the deadline passes (or after `recvTimeout` or
   * `opts.timeoutMs`), ESTATE with no survey in progress, ECANCELED when a new
   * survey replaces it or `opts.signal` aborts, ECLOSED on close. A recv
   * that gave up takes no response: the next recv gets it.
   *
   * @example
   * ```ts
   * const answer = await surveyor.recv();
   * ```
   */
  recv(opts?: RecvOptions): Promise<Buffer> {
    return this.defaultCtx.recv(opts);
  }

  /**
   * The responses to the default context's survey, until its deadline: the
   * loop then ends quietly (rather than throw ETIMEDOUT), also when the
   * deadline passed while the loop's body ran, and when the socket closes.
   * ECANCELED (a new survey replaced this one), a `recvTimeout` that passes
   * before the deadline, and ESTATE (no survey was started) propagate.
   *
   * @example
   * ```ts
   * await surveyor.send("lunch?");
   * for await (const answer of surveyor) console.log(answer.toString());
   * // here the survey is over
   * ```
   */
  override [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return untilDeadline(this.defaultCtx, () => this.isClosed);
  }

  protected pipeAdded(pipe: Pipe): void {
    this.ring.add(pipe);
    pipe.onMessage = (msg) => {
      // SP-SURVEY-29: a response shorter than 4 bytes closes the pipe (as nng does), counted.
      if (msg.length < 4) {
        this.count("rxMalformed");
        pipe.close(new SPError("EPROTO", "response without a survey id"));
        return;
      }
      // SP-SURVEY-11: a response to no survey in progress is ignored. One that names no
      // context goes to the default context's machine, whose idMatches guard turns it down
      // (dropResponse), so the drop is the machine's rule, not a second one here.
      (this.ids.ownerOf(msg) ?? this.defaultCtx).response(msg);
    };
  }

  protected pipeRemoved(pipe: Pipe): void {
    this.ring.delete(pipe);
    pipe.onMessage = null;
  }

  protected protocolClose(): void {
    // SP-SURVEY-25: every context's pending recv fails with ECLOSED.
    this.closeContexts();
  }
}

/**
 * Opens a SURVEYOR socket.
 *
 * @example
 * ```ts
 * const s = surveyor0({ surveyTime: 200 });
 * ```
 */
export function surveyor0(
  options?: ProtocolOptions<"surveyor0">,
  internals?: Surveyor0Internals,
): Surveyor0Socket {
  return new Surveyor0Socket(options, internals);
}
