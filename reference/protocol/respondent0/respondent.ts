import { protocols } from "../../../spec/constants.ts";
import {
  createRespondentLogic,
  type RespondentImplementation,
  respondentCompiled,
} from "../../../spec/machines/respondent.ts";
import { callTimeout, type RecvOptions, type SendOptions } from "../../core/call-options.ts";
import { SPError } from "../../core/errors.ts";
import type { Pipe } from "../../core/pipe.ts";
import { RingQueue } from "../../core/queue.ts";
import { ReceiveQueue } from "../../core/receive-queue.ts";
import type { PipeFlow } from "../../core/recv-flow.ts";
import { type SendData, SocketBase, toOwnedBuffer } from "../../core/socket.ts";
import { createSpecActor } from "../../core/spec-actor.ts";
import type { Transport } from "../../core/transport.ts";
import { Waiter } from "../../core/waiter.ts";
import { defaultTransports } from "../../transports.ts";
import { optionRegistry, type ProtocolOptionRows, type ProtocolOptions } from "../options.ts";
import { splitBacktrace } from "../rep0/backtrace.ts";
import {
  type AnswerArg,
  type AnswerEventArgs,
  HeldQuestion,
  type Question,
} from "../shared/answer.ts";
import { callRefusal } from "../shared/call-refusal.ts";

/** The compiled `respondent` table the reference runs (or one regenerated from an edited draft). */
export type RespondentMachine = typeof respondentCompiled;

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

/** A survey received and not yet handed out. */
type Incoming = Question;

/**
 * A cooked RESPONDENT socket (protocol 0x63). `recv` hands out one survey and
 * the `respondent` actor holds its backtrace and pipe until `send` answers it.
 * Surveys wait in their pipe's bounded receive buffer, the pipes served in
 * turn; a full buffer stops reading that pipe (SP-SURVEY-27).
 *
 * @example
 * ```ts
 * const r = respondent0();
 * r.dial("tcp://127.0.0.1:5555");
 * for await (const question of r) await r.send("here");
 * ```
 */
export class Respondent0Socket extends SocketBase<ProtocolOptionRows<"respondent0">> {
  /** One bounded buffer per pipe, served in turn; the waiters are this socket's own. */
  private readonly incoming: ReceiveQueue<Incoming>;
  private readonly waiters = new RingQueue<Waiter<Buffer>>();
  /** The survey being answered (SP-SURVEY-19..23). */
  private readonly question = new HeldQuestion(
    (stat) => this.count(stat),
    "no survey to respond to",
  );
  private readonly actor;

  constructor(options?: ProtocolOptions<"respondent0">, internals: Respondent0Internals = {}) {
    const p = protocols.respondent0;
    super(
      { self: p.number, peer: p.peer, name: p.name, peerName: p.peerName },
      options,
      internals.transports ?? defaultTransports,
      optionRegistry.respondent0,
    );
    // SP-SURVEY-18: each pipe gets its own receive buffer, served in turn.
    this.incoming = new ReceiveQueue<Incoming>(
      this.options,
      (r) => r.backtrace.length + r.body.length,
      internals.recvQueueSize,
    );
    const names = { hold: "holdSurvey", abandon: "abandonSurvey", send: "sendResponse" } as const;
    const machine = internals.respondentCompiled ?? respondentCompiled;
    const impl: RespondentImplementation<AnswerEventArgs> = {
      actions: this.question.actions(names),
      guards: {},
      delays: {},
    };
    this.actor = createSpecActor(createRespondentLogic(impl, machine));
    this.actor.start();
  }

  /**
   * Receives the next survey body and holds its backtrace for `send`.
   * Receiving again abandons an unanswered survey (SP-SURVEY-23). ETIMEDOUT
   * after `recvTimeout` (or `opts.timeoutMs`), ECANCELED when `opts.signal`
   * aborts; a recv that gave up takes no survey (the next recv gets it) and
   * abandons nothing.
   *
   * @example
   * ```ts
   * const question = await respondent.recv();
   * ```
   */
  recv(opts?: RecvOptions): Promise<Buffer> {
    const refused = callRefusal(this.isClosed, opts);
    if (refused) return Promise.reject(refused);
    // SP-FRAMEWORK-23: taking may bring a paused pipe back under half its bounds.
    const next = this.incoming.tryTake();
    if (next) return Promise.resolve(this.handOut(next));
    const w = new Waiter<Buffer>(
      callTimeout(opts, this.options.recvTimeout),
      undefined,
      opts?.signal,
    );
    if (this.waiters.length >= 32) {
      // Forget receivers that timed out meanwhile, so idle timed recvs do not pile up.
      for (const old of this.waiters.drain()) if (!old.settled) this.waiters.push(old);
    }
    this.waiters.push(w);
    return w.promise;
  }

  /**
   * Answers the survey returned by the last `recv`. ESTATE when none is held.
   * Never waits, so only an already aborted `opts.signal` matters: the survey
   * stays held.
   *
   * @example
   * ```ts
   * await respondent.send("42");
   * ```
   */
  send(data: SendData, opts?: SendOptions): Promise<void> {
    const refused = callRefusal(this.isClosed, opts);
    if (refused) return Promise.reject(refused);
    const done = new Waiter<void>(-1);
    const arg: AnswerArg = { body: toOwnedBuffer(data), done };
    this.actor.send({ type: "send", arg });
    return done.promise;
  }

  protected pipeAdded(pipe: Pipe): void {
    const flow = this.incoming.attach(pipe);
    pipe.onMessage = (msg) => this.onSurvey(flow, msg);
  }

  protected pipeRemoved(pipe: Pipe): void {
    pipe.onMessage = null;
    // Surveys it delivered stay to be received; their responses are dropped (SP-SURVEY-21).
    this.incoming.detachPipe(pipe);
  }

  protected protocolClose(): void {
    this.actor.send({ type: "close" });
    // SP-SURVEY-25: pending receivers fail with ECLOSED.
    for (const w of this.waiters.drain()) w.fail(new SPError("ECLOSED"));
    this.incoming.close();
  }

  /** Data path: one received message from the pipe of `flow`. */
  private onSurvey(flow: PipeFlow<Incoming>, msg: Buffer): void {
    if (this.isClosed) return;
    const pipe = flow.pipe;
    const r = splitBacktrace(msg, this.options.maxTtl);
    if (r.kind === "malformed") {
      // SP-SURVEY-15: never answered; SP-SURVEY-30: we close the pipe (as nng does), counted.
      this.count("rxMalformed");
      pipe.close(new SPError("EPROTO", "survey without a survey id"));
      return;
    }
    if (r.kind === "tooManyHops") {
      // SP-SURVEY-16: dropped silently; SP-SURVEY-31: the connection stays open.
      this.count("rxTtlExceeded");
      return;
    }
    const item: Incoming = { pipe, backtrace: r.backtrace, body: r.body };
    // A waiting receiver takes the survey at once (nothing else is queued then).
    for (;;) {
      const w = this.waiters.shift();
      if (!w) break;
      if (w.settled) continue; // timed out meanwhile
      w.resolve(this.handOut(item));
      return;
    }
    // SP-SURVEY-27: a full buffer stops reading this pipe; the survey is kept and
    // the other pipes are still served (SP-SURVEY-18).
    this.incoming.deliver(flow, item);
  }

  /** Tells the actor that `item` is now the survey being answered. */
  private handOut(item: Incoming): Buffer {
    this.actor.send({ type: "deliver", arg: item });
    return item.body;
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
