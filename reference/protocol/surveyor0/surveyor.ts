import { createActor } from "xstate";
import { protocols } from "../../../spec/constants.ts";
import { type SurveyorEvent, surveyorMachine } from "../../../spec/machines/surveyor.ts";
import { SPError } from "../../core/errors.ts";
import type { SocketOptions } from "../../core/options.ts";
import type { Pipe } from "../../core/pipe.ts";
import { RingQueue } from "../../core/queue.ts";
import { type SendData, SocketBase, toOwnedBuffer } from "../../core/socket.ts";
import type { Transport } from "../../core/transport.ts";
import { Waiter } from "../../core/waiter.ts";
import { defaultTransports } from "../../transports.ts";

/** The unprovided `surveyor` machine (or a regenerated variant with the same names). */
export type SurveyorMachine = typeof surveyorMachine;

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
 * The `surveyor` actor decides when a survey starts, ends and which
 * responses are accepted.
 *
 * @example
 * ```ts
 * const s = surveyor0({ surveyTime: 500 });
 * await s.listen("tcp://127.0.0.1:5555");
 * await s.send("who is there?");
 * const answers: Buffer[] = [];
 * try { for (;;) answers.push(await s.recv()); }
 * catch (e) { if (!isSPError(e, "ETIMEDOUT")) throw e; }
 * ```
 */
export class Surveyor0Socket extends SocketBase {
  private readonly ring = new Set<Pipe>();
  private lastId = randomSurveyId();
  /** The survey in progress: its id (-1 when none) and `[id]` word. */
  private surveyId = -1;
  private idWord: Buffer | null = null;
  private body: Buffer | null = null;
  /** Responses (id stripped) not yet handed to recv. */
  private readonly responses: RingQueue<Buffer>;
  /** Pending recv operations, oldest first. */
  private readonly waiters = new RingQueue<Waiter<Buffer>>();
  private readonly actor;

  constructor(options?: Partial<SocketOptions>, internals: Surveyor0Internals = {}) {
    const p = protocols.surveyor0;
    super(
      { self: p.number, peer: p.peer, name: p.name, peerName: p.peerName },
      options,
      internals.transports ?? defaultTransports,
    );
    this.responses = new RingQueue<Buffer>(internals.responseQueueSize ?? 128);
    const responseOf = (event: SurveyorEvent) => event.arg as Buffer;
    const machine = (internals.surveyorMachine ?? surveyorMachine).provide({
      actions: {
        newSurvey: ({ event }) => {
          // SP-SURVEY-3: the next id, top bit set.
          this.lastId = nextSurveyId(this.lastId);
          this.surveyId = this.lastId;
          const word = Buffer.allocUnsafe(4);
          word.writeUInt32BE(this.surveyId, 0);
          this.idWord = word;
          this.body = event.arg as Buffer;
        },
        broadcast: () => {
          // SP-SURVEY-6: exactly `[id] body`. SP-SURVEY-7: a copy to every pipe,
          // best effort; with no pipe the survey is discarded but its deadline runs.
          const word = this.idWord;
          const body = this.body;
          if (!word || !body) return;
          for (const pipe of this.ring) if (!pipe.send(word, body)) this.count("txDropped");
          this.body = null; // surveys are never resent
        },
        // SP-SURVEY-14: a new survey ends the old one; SP-SURVEY-25: close fails recv with ECLOSED.
        cancelSurvey: ({ event }) =>
          this.endSurvey(event.type === "close" ? "ECLOSED" : "ECANCELED"),
        // SP-SURVEY-9: at the deadline a waiting recv fails with ETIMEDOUT and the
        // survey's unread responses are discarded; later ones fail idMatches.
        expireSurvey: () => this.endSurvey("ETIMEDOUT"),
        awaitResponse: ({ event }) => {
          const w = event.arg as Waiter<Buffer>;
          // SP-SURVEY-12: a response kept from before this recv is handed out first.
          const kept = this.responses.shift();
          if (kept) w.resolve(kept);
          else this.waiters.push(w);
        },
        deliverResponse: ({ event }) => {
          // SP-SURVEY-12: the id word is stripped; responses go out in arrival order.
          const body = responseOf(event).subarray(4);
          for (;;) {
            const w = this.waiters.shift();
            if (!w) break;
            if (w.resolve(body)) return; // a waiter that timed out is skipped
          }
          // SP-SURVEY-13: a bounded buffer; responses beyond it are dropped.
          if (!this.responses.push(body)) this.count("rxQueueFull");
        },
        // SP-SURVEY-11: responses that do not answer the survey in progress are ignored.
        dropResponse: () => this.count("rxDropped"),
        failRecvState: ({ event }) => {
          // SP-SURVEY-10: recv with no survey in progress fails.
          (event.arg as Waiter<Buffer>).fail(new SPError("ESTATE", "no survey in progress"));
        },
      },
      guards: {
        // SP-SURVEY-11: at least 4 bytes, top bit set, and the id of the survey in progress.
        idMatches: ({ event }) => {
          const m = responseOf(event);
          if (m.length < 4 || this.surveyId < 0) return false;
          const id = m.readUInt32BE(0);
          return (id & TOP_BIT) !== 0 && id === this.surveyId;
        },
      },
      delays: {
        // SP-SURVEY-8: the deadline, read from the live option at each survey.
        surveyTime: () => this.options.surveyTime,
      },
    });
    this.actor = createActor(machine);
    this.actor.start();
  }

  /**
   * Starts a survey, ending any survey in progress (its waiting recv fails
   * with ECANCELED). Resolves at once: delivery is best effort (SP-SURVEY-7).
   *
   * @example
   * ```ts
   * await surveyor.send("status?");
   * ```
   */
  async send(data: SendData): Promise<void> {
    this.assertOpen();
    this.actor.send({ type: "send", arg: toOwnedBuffer(data) });
  }

  /**
   * Receives the next response to the survey in progress (id stripped).
   * ETIMEDOUT when the deadline passes (or after `recvTimeout`), ESTATE with
   * no survey in progress, ECANCELED when a new survey replaces it, ECLOSED on close.
   *
   * @example
   * ```ts
   * const answer = await surveyor.recv();
   * ```
   */
  recv(): Promise<Buffer> {
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    const w = new Waiter<Buffer>(this.options.recvTimeout);
    this.actor.send({ type: "recv", arg: w });
    return w.promise;
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
      this.actor.send({ type: "response", arg: msg });
    };
  }

  protected pipeRemoved(pipe: Pipe): void {
    this.ring.delete(pipe);
    pipe.onMessage = null;
  }

  protected protocolClose(): void {
    this.actor.send({ type: "close" });
    for (const w of this.waiters.drain()) w.fail(new SPError("ECLOSED"));
  }

  /** Ends the survey in progress: forget its id, drop unread responses, fail waiters with `code`. */
  private endSurvey(code: "ECANCELED" | "ECLOSED" | "ETIMEDOUT"): void {
    this.surveyId = -1;
    this.idWord = null;
    this.body = null;
    this.responses.drain();
    for (const w of this.waiters.drain()) w.fail(new SPError(code));
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
