import { createActor } from "xstate";
import { type TcpDialerEvent, tcpDialerMachine } from "../../../spec/machines/tcp-dialer.ts";
import { SPError } from "../../core/errors.ts";
import type { Dialer, PipeHost } from "../../core/transport.ts";
import { findListener, type InprocListener, waitForListener } from "./listener.ts";
import type { InprocPipe, InprocPipeMachine } from "./pipe.ts";

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
  private backoff: number;
  private attempt = 0;
  private cancelWait: (() => void) | undefined;
  private pipe: InprocPipe | undefined;
  private closing: Promise<void> | undefined;
  private readonly actor;

  constructor(
    name: string,
    host: PipeHost,
    machines: { dialer?: InprocDialerMachine; pipe?: InprocPipeMachine } = {},
  ) {
    this.url = `inproc://${name}`;
    this.backoff = host.options.reconnectMin;
    this.connected = new Promise<void>((resolve, reject) => {
      this.resolveConnected = resolve;
      this.rejectConnected = reject;
    });
    this.connected.catch(() => {});
    const machine = (machines.dialer ?? tcpDialerMachine).provide({
      actions: {
        connect: () => this.connectOnce(name, host, machines.pipe),
        resetBackoff: () => {
          this.backoff = host.options.reconnectMin;
        },
        advanceBackoff: () => {
          const { reconnectMin, reconnectMax } = host.options;
          this.backoff =
            reconnectMax > 0
              ? Math.max(reconnectMin, Math.min(this.backoff * 2, reconnectMax))
              : reconnectMin;
        },
        abortConnect: () => this.abortAttempt(),
      },
      guards: {},
      delays: { reconnectDelay: () => this.backoff },
    });
    this.actor = createActor(machine);
    this.actor.start();
    this.actor.send({ type: "start" });
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
    if (this.actor.getSnapshot().status === "active") this.actor.send(event);
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
    const join = (listener: InprocListener) => {
      if (stale()) return;
      this.cancelWait = undefined;
      if (!listener.isOpen) {
        this.cancelWait = waitForListener(name, (l) => queueMicrotask(() => join(l)));
        return;
      }
      const pipe = listener.accept({
        host,
        machine,
        onClose: (_p, attached) => {
          if (stale()) return;
          this.attempt++;
          this.pipe = undefined;
          this.send({ type: attached ? "pipeClosed" : "failed" });
        },
      });
      if (pipe.isClosed) {
        // SP-INPROC-4: refused by the peer check; the onClose above reported `failed`.
        host.count("dialFailed");
        return;
      }
      this.pipe = pipe;
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
