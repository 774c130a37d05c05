import { type TcpDialerEvent, tcpDialerMachine } from "../../../spec/machines/tcp-dialer.ts";
import { DialerDriver } from "../../core/dialer-driver.ts";
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
 * (SP-INPROC-6).
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
  private resolveConnected!: () => void;
  private rejectConnected!: (e: SPError) => void;
  private everConnected = false;
  private attempt = 0;
  private cancelWait: (() => void) | undefined;
  private pipe: InprocPipe | undefined;
  private closing: Promise<void> | undefined;
  private readonly driver: DialerDriver;

  constructor(
    name: string,
    host: PipeHost,
    machines: { dialer?: InprocDialerMachine; pipe?: InprocPipeMachine; start?: boolean } = {},
  ) {
    this.url = `inproc://${name}`;
    this.connected = new Promise<void>((resolve, reject) => {
      this.resolveConnected = resolve;
      this.rejectConnected = reject;
    });
    this.connected.catch(() => {});
    this.driver = new DialerDriver(
      host,
      {
        connect: () => this.connectOnce(name, host, machines.pipe),
        abort: () => this.abortAttempt(),
      },
      machines.dialer ?? tcpDialerMachine,
      { start: machines.start },
    );
  }

  /** Starts a dialer made with `start: false` (SP-TCP-13); ESTATE once started, ECLOSED once closed. */
  start(): void {
    this.driver.startOrThrow(this.closing !== undefined);
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.send({ type: "stop" });
    this.rejectConnected(new SPError("ECLOSED", "dialer closed before it connected"));
    const pipe = this.pipe;
    this.abortAttempt();
    this.closing = pipe ? pipe.closed.then(() => undefined) : Promise.resolve();
    return this.closing;
  }

  private send(event: TcpDialerEvent): void {
    this.driver.send(event);
  }

  private abortAttempt(): void {
    this.attempt++;
    this.cancelWait?.();
    this.cancelWait = undefined;
    this.pipe?.close();
    this.pipe = undefined;
  }

  private connectOnce(name: string, host: PipeHost, machine: InprocPipeMachine | undefined): void {
    const attempt = ++this.attempt;
    const stale = () => attempt !== this.attempt;
    // The dialing end exists from the start of the attempt and stays `joining` until a
    // listener takes it; a close meanwhile ends it there (SP-INPROC-10).
    const end = new InprocPipe({
      host,
      machine,
      onClose: (_p, attached) => {
        if (stale()) return;
        this.attempt++;
        this.pipe = undefined;
        this.send({ type: attached ? "pipeClosed" : "failed" });
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
        // SP-INPROC-4: refused by the peer check; the onClose above reported `failed`.
        host.count("dialFailed");
        return;
      }
      if (!this.everConnected) {
        this.everConnected = true;
        this.resolveConnected();
      }
      this.send({ type: "connected" });
    };
    // Joining runs outside the actor's own transition.
    queueMicrotask(() => {
      if (stale()) return;
      const now = findListener(name);
      if (now) join(now);
      // SP-INPROC-5: no listener yet: connect as soon as one binds the name.
      else this.cancelWait = waitForListener(name, (l) => queueMicrotask(() => join(l)));
    });
  }
}
