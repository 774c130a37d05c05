import type { tcpDialerCompiled } from "../../spec/machines/tcp-dialer.ts";
import { DialerDriver, type DialerEventListener, type DialerEventMap } from "./dialer-driver.ts";
import type { SPError } from "./errors.ts";
import type { SocketOptions } from "./options.ts";
import type { Dialer } from "./transport.ts";

/** What an attempt may leave behind: the pipe it opened, closed when the attempt is aborted. */
export interface AttemptPipe {
  close(): void;
  /** Settles once the pipe is closed. */
  readonly closed: Promise<unknown>;
}

/** How a {@link BaseDialer} runs its machine. */
export interface BaseDialerOptions {
  /** An alternate `tcp-dialer` machine (tests, other drafts); default the generated one. */
  machine?: typeof tcpDialerCompiled;
  /** `false`: wait for {@link BaseDialer.start}; default start at once. */
  start?: boolean;
  /** `true`: a failed first attempt rejects `connected` and closes the dialer. */
  failFast?: boolean;
}

/** The dialer's side of one attempt, as {@link DialAttempt} reports to it. */
interface AttemptOwner {
  /** True while the attempt numbered `n` is the current one. */
  isCurrent(n: number): boolean;
  /** Ends the current attempt: later callbacks of it are stale. */
  end(): void;
  /** True under `failFast` before the first connection. */
  failsFast(): boolean;
  /** The current attempt attached its pipe. */
  attached(): void;
  /** The connected pipe closed: the machine reconnects. */
  pipeClosed(): void;
  /** A failed attempt: report it, then back off or, under `failFast`, close. */
  failed(error: SPError): void;
}

/**
 * One connection attempt of a {@link BaseDialer}: the transport starts it,
 * hands it what to undo on abort (`cleanup`, `pipe`) and reports how it went
 * (`attached`, `fail`, `pipeClosed`). Once the attempt is over (it failed, its
 * pipe closed, or the dialer aborted it) it is `stale`, and whatever the
 * transport still hears of it must be ignored.
 *
 * @example
 * ```ts
 * const dial = (turn: DialAttempt) => {
 *   const pipe = new MyPipe({
 *     onAttach: () => turn.attached(),
 *     onClose: (gone, attached) => turn.pipeClosed(attached, () => gone.closed.then(reasonOf)),
 *   });
 *   turn.pipe = pipe;
 * };
 * ```
 */
export class DialAttempt {
  /** Undoes what the attempt has started (a socket, a wait) when the dialer aborts it. */
  cleanup: (() => void) | undefined;
  /** The attempt's pipe: closed when the dialer aborts the attempt, awaited by `close`. */
  pipe: AttemptPipe | undefined;

  constructor(
    private readonly owner: AttemptOwner,
    private readonly n: number,
  ) {}

  /** True once the attempt is over: its late callbacks must do nothing. */
  get stale(): boolean {
    return !this.owner.isCurrent(this.n);
  }

  /**
   * True when this attempt decides: the dialer was made with `failFast` and has
   * never connected, so a failure rejects `connected` and closes the dialer.
   */
  get failsFast(): boolean {
    return this.owner.failsFast();
  }

  /** The attempt's pipe attached: `connected` resolves and the machine learns it. */
  attached(): void {
    if (!this.stale) this.owner.attached();
  }

  /**
   * The attempt failed before its pipe could report it (the connect itself
   * failed, or it gives up): it ends, its pipe (if any) is closed unheard, and
   * `error` is reported.
   */
  fail(error: SPError): void {
    if (this.stale) return;
    const pipe = this.pipe;
    this.owner.end();
    pipe?.close();
    this.owner.failed(error);
  }

  /**
   * The attempt's pipe closed. After it had attached, the machine learns the
   * pipe is gone (and reconnects); before, the attempt failed, and `why`
   * gives the error to report.
   */
  pipeClosed(attached: boolean, why: () => Promise<SPError>): void {
    if (this.stale) return;
    this.owner.end();
    if (attached) {
      this.owner.pipeClosed();
      return;
    }
    void why().then((error) => this.owner.failed(error));
  }
}

/**
 * What every dialer of the reference shares around its {@link DialerDriver}:
 * the `connected` promise, `start`, the `error` events (`on`/`off`),
 * `lastError`, `close` and `await using`, and the bookkeeping of attempts
 * (an aborted attempt is stale; `close` waits for the pipe of a connected
 * one). A transport supplies only `dial`: how to make one attempt.
 *
 * @example
 * ```ts
 * class MyDialer extends BaseDialer {
 *   constructor(url: SPUrl, host: PipeHost, options: BaseDialerOptions = {}) {
 *     super(url.text, host, (turn) => attemptOnce(turn, url, host), options);
 *   }
 * }
 * ```
 */
export abstract class BaseDialer implements Dialer {
  readonly url: string;
  readonly connected: Promise<void>;
  /** Increments per attempt and per abort, so that callbacks of an older attempt are stale. */
  private attempt = 0;
  private current: DialAttempt | undefined;
  private closing: Promise<void> | undefined;
  private readonly driver: DialerDriver;

  /**
   * @param dial starts one attempt (called by the machine, possibly during this
   * constructor: it must not rely on fields of a subclass).
   */
  protected constructor(
    url: string,
    host: { readonly options: Readonly<SocketOptions> },
    dial: (turn: DialAttempt) => void,
    options: BaseDialerOptions = {},
  ) {
    this.url = url;
    const owner: AttemptOwner = {
      isCurrent: (n) => n === this.attempt,
      end: () => {
        this.attempt++;
        this.current = undefined;
      },
      failsFast: () => options.failFast === true && !this.driver.hasConnected,
      attached: () => this.driver.attached(),
      pipeClosed: () => this.driver.send({ type: "pipeClosed" }),
      failed: (error) => {
        if (this.closing) return;
        if (this.driver.failed(error) === "give-up") void this.close();
      },
    };
    this.driver = new DialerDriver(
      host,
      {
        connect: () => {
          const turn = new DialAttempt(owner, ++this.attempt);
          this.current = turn;
          dial(turn);
        },
        abort: () => this.abortAttempt(),
      },
      options.machine,
      { start: options.start, failFast: options.failFast },
    );
    this.connected = this.driver.connected;
  }

  /** Why the latest attempt failed; cleared when a pipe attaches. */
  get lastError(): SPError | undefined {
    return this.driver.lastError;
  }

  /**
   * Starts a dialer created with `start: false` (SP-TCP-13: the first attempt begins now).
   * SPError ESTATE when it has already started, ECLOSED after {@link BaseDialer.close}.
   *
   * @example
   * ```ts
   * const d = socket.dial("tcp://127.0.0.1:5555", { start: false });
   * d.start?.();
   * ```
   */
  start(): void {
    this.driver.startOrThrow(this.closing !== undefined);
  }

  /** Adds a listener of failed attempts (see {@link Dialer.on}). */
  on<K extends keyof DialerEventMap>(type: K, listener: DialerEventListener<K>): void {
    this.driver.events.on(type, listener);
  }

  /** Removes a listener added with {@link BaseDialer.on}. */
  off<K extends keyof DialerEventMap>(type: K, listener: DialerEventListener<K>): void {
    this.driver.events.off(type, listener);
  }

  /** Stops reconnecting and closes the pipe; resolves once a connected pipe has closed. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.driver.stop();
    const pipe = this.current?.pipe;
    this.abortAttempt();
    this.closing = pipe ? pipe.closed.then(() => undefined) : Promise.resolve();
    return this.closing;
  }

  /** Closes the dialer (`await using d = ...`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Drops the current attempt: what it started is undone and its pipe closed. */
  private abortAttempt(): void {
    const turn = this.current;
    this.attempt++;
    this.current = undefined;
    turn?.cleanup?.();
    turn?.pipe?.close();
  }
}
