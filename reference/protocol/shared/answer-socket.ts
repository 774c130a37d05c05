/**
 * The cooked answering sockets, REP (draft-sp-reqrep) and RESPONDENT
 * (draft-sp-survey): questions wait in one bounded receive buffer per pipe,
 * the pipes served in turn, until a context's `recv` takes one; the context
 * then holds where it came from until it answers. The two protocols differ
 * only in names, numbers and the machine each context runs.
 */
import type { RecvOptions, SendOptions } from "../../core/call-options.ts";
import { SPError } from "../../core/errors.ts";
import type { OptionInit, OptionSet, TtlOptionRows } from "../../core/options.ts";
import type { Pipe } from "../../core/pipe.ts";
import { RingQueue } from "../../core/queue.ts";
import { ReceiveQueue } from "../../core/receive-queue.ts";
import type { PipeFlow } from "../../core/recv-flow.ts";
import type { SendData } from "../../core/socket.ts";
import type { Transport } from "../../core/transport.ts";
import type { Waiter } from "../../core/waiter.ts";
import { splitBacktrace } from "../rep0/backtrace.ts";
import type { Question } from "./answer.ts";
import type { AnswerContext, AnswerContextHost } from "./answer-context.ts";
import { ContextSocket } from "./contexts.ts";

/** A parked recv and the context it is for. */
interface Taker {
  readonly ctx: AnswerContext;
  readonly w: Waiter<Buffer>;
}

/** What distinguishes REP from RESPONDENT at this level. */
export interface AnswerSocketSpec {
  readonly protocol: { number: number; peer: number; name: string; peerName: string };
  readonly optionSet: OptionSet<TtlOptionRows>;
  /** Why a question without its id closes the pipe (EPROTO's message). */
  readonly malformed: string;
}

/**
 * A REP or RESPONDENT socket with contexts. The socket's `send`/`recv` use a
 * default context; `openContext()` gives more, each holding its own question.
 *
 * @example
 * ```ts
 * class MySocket extends AnswerSocket<MyContext> {
 *   constructor() {
 *     super(spec, undefined, defaultTransports, undefined);
 *     this.startAnswering();
 *   }
 *   protected makeContext() { return new MyContext(this.ctxHost); }
 * }
 * ```
 */
export abstract class AnswerSocket<C extends AnswerContext> extends ContextSocket<
  C,
  AnswerContextHost,
  TtlOptionRows
> {
  /** One bounded buffer per pipe, served in turn; the takers are this socket's own. */
  private readonly incoming: ReceiveQueue<Question>;
  private readonly takers = new RingQueue<Taker>();
  private readonly malformed: string;

  protected constructor(
    spec: AnswerSocketSpec,
    options: OptionInit<TtlOptionRows> | undefined,
    transports: readonly Transport[],
    recvQueueSize: number | undefined,
  ) {
    super(spec.protocol, options, transports, spec.optionSet);
    this.malformed = spec.malformed;
    // SP-REQREP-21, SP-SURVEY-18: each pipe gets its own receive buffer, served in turn.
    this.incoming = new ReceiveQueue<Question>(
      this.options,
      (r) => r.backtrace.length + r.body.length,
      recvQueueSize,
    );
  }

  /** Opens the default context; the subclass's constructor ends with it. */
  protected startAnswering(): void {
    this.startContexts(
      this.contextLink({
        take: (ctx: AnswerContext, w: Waiter<Buffer>) => {
          // SP-FRAMEWORK-23: taking may bring a paused pipe back under half its bounds.
          const next = this.incoming.tryTake();
          if (next) {
            w.resolve(ctx.handOut(next));
            return;
          }
          if (this.takers.length >= 32) {
            // Forget takers that timed out or closed meanwhile, so idle timed recvs do not pile up.
            for (const t of this.takers.drain())
              if (!t.w.settled && !t.ctx.isClosed) this.takers.push(t);
          }
          this.takers.push({ ctx, w });
        },
      }),
    );
  }

  /**
   * Receives the next question body and holds its backtrace for `send`.
   * Receiving again abandons an unanswered question (SP-REQREP-19,
   * SP-SURVEY-23). ETIMEDOUT after `recvTimeout` (or `opts.timeoutMs`),
   * ECANCELED when `opts.signal` aborts; a recv that gave up takes no question
   * (the next recv gets it).
   *
   * @example
   * ```ts
   * const body = await sock.recv();
   * ```
   */
  recv(opts?: RecvOptions): Promise<Buffer> {
    return this.defaultCtx.recv(opts);
  }

  /**
   * Answers the question returned by the last `recv`. ESTATE when none is held.
   * Never waits; an already aborted `opts.signal` fails it and the question stays held.
   *
   * @example
   * ```ts
   * await sock.send("pong");
   * ```
   */
  send(data: SendData, opts?: SendOptions): Promise<void> {
    return this.defaultCtx.send(data, opts);
  }

  protected pipeAdded(pipe: Pipe): void {
    const flow = this.incoming.attach(pipe);
    pipe.onMessage = (msg) => this.onQuestion(flow, msg);
  }

  protected pipeRemoved(pipe: Pipe): void {
    pipe.onMessage = null;
    // Questions it delivered stay to be received; their answers are dropped
    // (SP-REQREP-17, SP-SURVEY-21).
    this.incoming.detachPipe(pipe);
  }

  protected protocolClose(): void {
    this.closeContexts();
    // SP-REQREP-20, SP-SURVEY-25: pending receivers fail with ECLOSED.
    for (const t of this.takers.drain()) t.w.fail(new SPError("ECLOSED"));
    this.incoming.close();
  }

  /** Data path: one received message from the pipe of `flow`. */
  private onQuestion(flow: PipeFlow<Question>, msg: Buffer): void {
    if (this.isClosed) return;
    const pipe = flow.pipe;
    const r = splitBacktrace(msg, this.options.maxTtl);
    if (r.kind === "malformed") {
      // SP-REQREP-14, SP-SURVEY-15: never answered; SP-REQREP-28, SP-SURVEY-30: we
      // close the pipe (as nng does), counted.
      this.count("rxMalformed");
      pipe.close(new SPError("EPROTO", this.malformed));
      return;
    }
    if (r.kind === "tooManyHops") {
      // SP-REQREP-15, SP-SURVEY-16: dropped silently; SP-REQREP-29, SP-SURVEY-31:
      // the connection stays open.
      this.count("rxTtlExceeded");
      return;
    }
    const item: Question = { pipe, backtrace: r.backtrace, body: r.body };
    // SP-REQREP-38: a waiting receiver takes the question at once, the earliest
    // first (nothing else is queued then); receivers that gave up are skipped.
    for (;;) {
      const t = this.takers.shift();
      if (!t) break;
      if (t.w.settled || t.ctx.isClosed) continue; // timed out or closed meanwhile
      t.w.resolve(t.ctx.handOut(item));
      return;
    }
    // SP-REQREP-25, SP-SURVEY-27: a full buffer stops reading this pipe; the question
    // is kept and the other pipes are still served (SP-REQREP-21, SP-SURVEY-18).
    this.incoming.deliver(flow, item);
  }
}
