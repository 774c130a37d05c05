import { protocols } from "../../../spec/constants.ts";
import type { RecvOptions, SendOptions } from "../../core/call-options.ts";
import { SPError } from "../../core/errors.ts";
import type { SocketOptions } from "../../core/options.ts";
import type { Pipe } from "../../core/pipe.ts";
import { type SendData, SocketBase } from "../../core/socket.ts";
import type { Transport } from "../../core/transport.ts";
import { defaultTransports } from "../../transports.ts";
import {
  SurveyorContext,
  type SurveyorContextHost,
  type SurveyorMachine,
  untilDeadline,
} from "./context.ts";

export { SurveyorContext, type SurveyorMachine } from "./context.ts";

/** Internal construction options: alternate machine, transports, response buffer. */
export interface Surveyor0Internals {
  surveyorMachine?: SurveyorMachine;
  transports?: readonly Transport[];
  /** Responses kept per survey while nobody is in recv (default 128, as nng); more are dropped. */
  responseQueueSize?: number;
}

const TOP_BIT = 0x80000000;

/**
 * Next survey id: +1, wrapping within [0x80000000, 0xffffffff] so the top
 * bit stays set (SP-SURVEY-3).
 *
 * @example
 * ```ts
 * nextSurveyId(0xffffffff); // 0x80000000
 * ```
 */
export function nextSurveyId(id: number): number {
  return id >= 0xffffffff ? TOP_BIT : id + 1;
}

/** SP-SURVEY-4: ids start at a random value (top bit set). */
function randomSurveyId(): number {
  return (TOP_BIT | Math.floor(Math.random() * TOP_BIT)) >>> 0;
}

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
export class Surveyor0Socket extends SocketBase {
  private readonly ring = new Set<Pipe>();
  private lastId = randomSurveyId();
  /** Survey id → the context whose survey it is (one map per socket). */
  private readonly byId = new Map<number, SurveyorContext>();
  private readonly contexts = new Set<SurveyorContext>();
  private readonly internals: Surveyor0Internals;
  private readonly ctxHost: SurveyorContextHost;
  private readonly defaultCtx: SurveyorContext;

  constructor(options?: Partial<SocketOptions>, internals: Surveyor0Internals = {}) {
    const p = protocols.surveyor0;
    super(
      { self: p.number, peer: p.peer, name: p.name, peerName: p.peerName },
      options,
      internals.transports ?? defaultTransports,
    );
    this.internals = internals;
    const self = this;
    this.ctxHost = {
      get options() {
        return self.options;
      },
      get isClosed() {
        return self.isClosed;
      },
      pipes: () => this.ring,
      claimId: (ctx) => {
        // SP-SURVEY-5: unique among the surveys in progress on this socket.
        do this.lastId = nextSurveyId(this.lastId);
        while (this.byId.has(this.lastId));
        this.byId.set(this.lastId, ctx);
        return this.lastId;
      },
      releaseId: (id) => {
        this.byId.delete(id);
      },
      forget: (ctx) => {
        this.contexts.delete(ctx);
      },
      count: (stat) => this.count(stat),
    };
    this.defaultCtx = this.openContext();
  }

  /**
   * Opens a context: an independent survey state on this socket.
   *
   * @example
   * ```ts
   * const a = surveyor.openContext(), b = surveyor.openContext();
   * await a.send("cpu?"); await b.send("disk?");
   * ```
   */
  openContext(): SurveyorContext {
    this.assertOpen();
    const ctx = new SurveyorContext(
      this.ctxHost,
      this.internals.surveyorMachine,
      this.internals.responseQueueSize ?? 128,
    );
    this.contexts.add(ctx);
    return ctx;
  }

  /**
   * Starts a survey on the default context, ending its survey in progress (its
   * waiting recv fails with ECANCELED). Resolves at once: delivery is best
   * effort (SP-SURVEY-7).
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
      // SP-SURVEY-11: a response shorter than 4 bytes closes the pipe (as nng does), counted.
      if (msg.length < 4) {
        this.count("rxMalformed");
        pipe.close(new SPError("EPROTO", "response without a survey id"));
        return;
      }
      // SP-SURVEY-11: a response to no survey in progress is ignored. One that names no
      // context goes to the default context's machine, whose idMatches guard turns it down
      // (dropResponse), so the drop is the machine's rule, not a second one here.
      const ctx = this.byId.get(msg.readUInt32BE(0));
      (ctx ?? this.defaultCtx).response(msg);
    };
  }

  protected pipeRemoved(pipe: Pipe): void {
    this.ring.delete(pipe);
    pipe.onMessage = null;
  }

  protected protocolClose(): void {
    // SP-SURVEY-25: every context's pending recv fails with ECLOSED.
    for (const ctx of [...this.contexts]) ctx.close();
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
  options?: Partial<SocketOptions>,
  internals?: Surveyor0Internals,
): Surveyor0Socket {
  return new Surveyor0Socket(options, internals);
}
