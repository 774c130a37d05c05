import { tcpDialerMachine } from "../../../spec/machines/tcp-dialer.ts";
import {
  DialerDriver,
  type DialerEventListener,
  type DialerEventMap,
} from "../../core/dialer-driver.ts";
import { SPError } from "../../core/errors.ts";
import type { Dialer, PipeHost } from "../../core/transport.ts";
import { findListener, type InprocListener, waitForListener } from "./listener.ts";
import { InprocPipe, type InprocPipeMachine } from "./pipe.ts";

/** The unprovided tcp-dialer machine, which inproc dialers follow (draft-sp-inproc §Dialer Machine). */
export type InprocDialerMachine = typeof tcpDialerMachine;

/**
 * An in-process dialer driven by the `tcp-dialer` actor. Its `connect` joins
 * the listener bound to the name, or waits until one binds (SP-INPROC-5);
 * after the pipe ends it waits the reconnection interval and connects again
 * (SP-INPROC-6). With `failFast` there is no waiting: no listener bound at the
 * first attempt is ECONNREFUSED (as nng's inproc dial), `connected` rejects
 * and the dialer closes. A join refused by the protocol check is an `error`
 * event (EPROTO).
 *
 * @example
 * ```ts
 * const d = new InprocDialer("jobs", socket); // works before the listener exists
 * await d.connected;
 * ```
 */
export class InprocDialer implements Dialer {
  readonly url: string;
  readonly connected: Promise<void>;
  private attempt = 0;
  private cancelWait: (() => void) | undefined;
  private pipe: InprocPipe | undefined;
  private closing: Promise<void> | undefined;
  private readonly failFast: boolean;
  private readonly driver: DialerDriver;

  constructor(
    name: string,
    host: PipeHost,
    machines: {
      dialer?: InprocDialerMachine;
      pipe?: InprocPipeMachine;
      start?: boolean;
      failFast?: boolean;
    } = {},
  ) {
    this.url = `inproc://${name}`;
    this.failFast = machines.failFast === true;
    this.driver = new DialerDriver(
      host,
      {
        connect: () => this.connectOnce(name, host, machines.pipe),
        abort: () => this.abortAttempt(),
      },
      machines.dialer ?? tcpDialerMachine,
      { start: machines.start, failFast: machines.failFast },
    );
    this.connected = this.driver.connected;
  }

  /** Why the latest attempt failed; cleared when a pipe attaches. */
  get lastError(): SPError | undefined {
    return this.driver.lastError;
  }

  /** Starts a dialer made with `start: false` (SP-TCP-13); ESTATE once started, ECLOSED once closed. */
  start(): void {
    this.driver.startOrThrow(this.closing !== undefined);
  }

  /** Adds a listener of failed attempts (see {@link Dialer.on}). */
  on<K extends keyof DialerEventMap>(type: K, listener: DialerEventListener<K>): void {
    this.driver.events.on(type, listener);
  }

  /** Removes a listener added with {@link InprocDialer.on}. */
  off<K extends keyof DialerEventMap>(type: K, listener: DialerEventListener<K>): void {
    this.driver.events.off(type, listener);
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.driver.stop();
    const pipe = this.pipe;
    this.abortAttempt();
    this.closing = pipe ? pipe.closed.then(() => undefined) : Promise.resolve();
    return this.closing;
  }

  /** Closes the dialer (`await using d = ...`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private abortAttempt(): void {
    this.attempt++;
    this.cancelWait?.();
    this.cancelWait = undefined;
    this.pipe?.close();
    this.pipe = undefined;
  }

  /** An attempt failed: report it, then back off or, under `failFast`, give up. */
  private failed(error: SPError): void {
    if (this.closing) return;
    if (this.driver.failed(error) === "give-up") void this.close();
  }

  private connectOnce(name: string, host: PipeHost, machine: InprocPipeMachine | undefined): void {
    const attempt = ++this.attempt;
    const stale = () => attempt !== this.attempt;
    // The dialing end exists from the start of the attempt and stays `joining` until a
    // listener takes it; a close meanwhile ends it there (SP-INPROC-10).
    const end = new InprocPipe({
      host,
      machine,
      onClose: (gone, attached) => {
        if (stale()) return;
        this.attempt++;
        this.pipe = undefined;
        if (attached) {
          this.driver.send({ type: "pipeClosed" });
          return;
        }
        // SP-INPROC-4: one of the ends refused the other's protocol.
        void gone.closed.then((reason) =>
          this.failed(reason ?? new SPError("EPROTO", "incompatible peer protocol")),
        );
      },
    });
    this.pipe = end;
    const join = (listener: InprocListener) => {
      if (stale()) return;
      this.cancelWait = undefined;
      if (!listener.isOpen) {
        this.cancelWait = waitForListener(name, (l) => queueMicrotask(() => join(l)));
        return;
      }
      listener.accept(end);
      if (end.isClosed) {
        // SP-INPROC-4: refused by the peer check; the onClose above reports the failure.
        host.count("dialFailed");
        return;
      }
      this.driver.attached();
    };
    // Joining runs outside the actor's own transition.
    queueMicrotask(() => {
      if (stale()) return;
      const now = findListener(name);
      if (now) join(now);
      else if (this.failFast && !this.driver.hasConnected) {
        // nng's inproc dial fails at once when nothing is bound; a blocking dial reports it.
        host.count("dialFailed");
        this.attempt++;
        this.pipe = undefined;
        end.close();
        this.failed(new SPError("ECONNREFUSED", `nothing listens at ${this.url}`));
      }
      // SP-INPROC-5: no listener yet: connect as soon as one binds the name.
      else this.cancelWait = waitForListener(name, (l) => queueMicrotask(() => join(l)));
    });
  }
}
