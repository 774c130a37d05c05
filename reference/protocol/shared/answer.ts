/**
 * The answering side of REQ/REP and SURVEYOR/RESPONDENT. The `rep` machine
 * (draft-sp-reqrep) and the `respondent` machine (draft-sp-survey) are one
 * table under two sets of names: `recv` hands out a question and holds where
 * it came from, `send` answers it once, a new question abandons the old one.
 * {@link HeldQuestion} is that held question and the machine's actions.
 */
import { SPError } from "../../core/errors.ts";
import type { Pipe } from "../../core/pipe.ts";
import type { PipeHost } from "../../core/transport.ts";
import type { Waiter } from "../../core/waiter.ts";

/** A request or survey received and not yet answered. */
export interface Question {
  readonly pipe: Pipe;
  readonly backtrace: Buffer;
  readonly body: Buffer;
}

/** Argument of the machine's `send` event: the answer's body and the caller's promise. */
export interface AnswerArg {
  readonly body: Buffer;
  readonly done: Waiter<void>;
}

/** The names the `rep` or `respondent` machine gives its actions. */
export interface AnswerActionNames<H extends string, A extends string, S extends string> {
  /** The question handed out becomes the held one (`holdRequest`, `holdSurvey`). */
  readonly hold: H;
  /** A new recv drops the held question unanswered (`abandonRequest`, `abandonSurvey`). */
  readonly abandon: A;
  /** The answer goes back (`sendReply`, `sendResponse`). */
  readonly send: S;
}

/** An action of the machine that reads its event's `arg`, of type `T`. */
type ActionOn<T> = (args: { event: { arg: T } }) => void;

/** The actions {@link HeldQuestion.actions} returns, under the machine's names. */
export type AnswerActions<H extends string, A extends string, S extends string> = Record<
  H,
  ActionOn<Question>
> &
  Record<A, () => void> &
  Record<S | "failSendState", ActionOn<AnswerArg>>;

/** What the `deliver` and `send` events of both machines carry in `arg` (`close` carries none). */
export interface AnswerEventArgs {
  deliver: Question;
  send: AnswerArg;
  close: undefined;
}

/**
 * The question a REP context or a RESPONDENT socket is answering.
 *
 * @example
 * ```ts
 * const question = new HeldQuestion((s) => this.count(s), "no request to reply to");
 * createRepLogic<AnswerEventArgs>({
 *   actions: question.actions({ hold: "holdRequest", abandon: "abandonRequest", send: "sendReply" }),
 *   guards: {},
 *   delays: {},
 * });
 * ```
 */
export class HeldQuestion {
  private held: Question | null = null;

  /**
   * @param count counts a diagnostic event of the socket.
   * @param nothingHeld the message of the ESTATE error of a send with no question held.
   */
  constructor(
    private readonly count: PipeHost["count"],
    private readonly nothingHeld: string,
  ) {}

  /** The question held now, or null. */
  get current(): Question | null {
    return this.held;
  }

  /** Drops the held question without an answer (a close). */
  drop(): void {
    this.held = null;
  }

  /** The machine's actions under its own names, plus its `failSendState`. */
  actions<H extends string, A extends string, S extends string>(
    names: AnswerActionNames<H, A, S>,
  ): AnswerActions<H, A, S> {
    const hold: ActionOn<Question> = ({ event }) => {
      this.held = event.arg;
    };
    // SP-REQREP-19, SP-SURVEY-23: a new recv abandons the question held so far (no answer).
    const abandon = () => {
      this.held = null;
    };
    const send: ActionOn<AnswerArg> = ({ event }) => this.answer(event.arg);
    // SP-REQREP-16, SP-SURVEY-20: send without a held question fails.
    const failSendState: ActionOn<AnswerArg> = ({ event }) => {
      event.arg.done.fail(new SPError("ESTATE", this.nothingHeld));
    };
    // Computed keys widen the object to a string index; the names are the caller's.
    return {
      [names.hold]: hold,
      [names.abandon]: abandon,
      [names.send]: send,
      failSendState,
    } as AnswerActions<H, A, S>;
  }

  private answer({ body, done }: AnswerArg): void {
    const held = this.held;
    this.held = null;
    // SP-REQREP-13, SP-SURVEY-19: the backtrace goes back unchanged, ahead of the body,
    // to the pipe the question came on. SP-REQREP-17, SP-SURVEY-21: if that pipe is
    // gone, the answer is dropped silently. SP-REQREP-18, SP-SURVEY-22,
    // SP-FRAMEWORK-27: so it is when the pipe is not ready (its peer stopped reading),
    // so that answers never pile up for a peer that does not read them.
    if (held?.pipe.writable) held.pipe.send(held.backtrace, body);
    else this.count("txDropped");
    done.resolve();
  }
}
