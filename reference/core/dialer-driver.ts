import { type TcpDialerEvent, tcpDialerMachine } from "../../spec/machines/tcp-dialer.ts";
import { SPError } from "./errors.ts";
import type { SocketOptions } from "./options.ts";
import { createSpecActor } from "./spec-actor.ts";

/** What a transport's dialer does for the machine: start one attempt, abort the current one. */
export interface DialerHooks {
  connect(): void;
  abort(): void;
}

/** How a {@link DialerDriver} begins. */
export interface DialerDriverOptions {
  /**
   * `false`: the machine stays in `idle` until {@link DialerDriver.start} is called, so a
   * dialer can be created, configured and closed without ever connecting (nng's
   * `nng_dialer_create` before `nng_dialer_start`). Default `true`: start at once.
   */
  start?: boolean;
}

/**
 * Runs the generated `tcp-dialer` machine for any transport's dialer (tcp, ipc, tls, ws, inproc,
 * the browser's ws): the back-off rule and the actor live here once; the transport supplies only
 * how to connect and how to abort. By default the machine gets `start` in the constructor; with
 * `{ start: false }` it waits in `idle` for {@link DialerDriver.start}.
 *
 * @example
 * ```ts
 * const driver = new DialerDriver(host, { connect: () => attempt(), abort: () => cancel() });
 * driver.send({ type: "connected" });
 *
 * const later = new DialerDriver(host, hooks, tcpDialerMachine, { start: false });
 * later.start(); // idle -> connecting: the first attempt begins now
 * ```
 */
export class DialerDriver {
  private backoff: number;
  private readonly actor;

  constructor(
    host: { readonly options: Readonly<SocketOptions> },
    hooks: DialerHooks,
    machine: typeof tcpDialerMachine = tcpDialerMachine,
    options: DialerDriverOptions = {},
  ) {
    this.backoff = host.options.reconnectMin;
    const bound = machine.provide({
      actions: {
        connect: () => hooks.connect(),
        // SP-TCP-13: a connection that got through resets the back-off to the minimum.
        resetBackoff: () => {
          this.backoff = host.options.reconnectMin;
        },
        // SP-TCP-13: each failure doubles the delay, up to reconnectMax (0 = no growth).
        advanceBackoff: () => {
          const { reconnectMin, reconnectMax } = host.options;
          this.backoff =
            reconnectMax > 0
              ? Math.max(reconnectMin, Math.min(this.backoff * 2, reconnectMax))
              : reconnectMin;
        },
        abortConnect: () => hooks.abort(),
      },
      guards: {},
      delays: { reconnectDelay: () => this.backoff },
    });
    this.actor = createSpecActor(bound);
    this.actor.start();
    if (options.start !== false) this.start();
  }

  /**
   * Sends `start` when the machine is still `idle` (SP-TCP-13: the first attempt begins).
   * Returns false and sends nothing when it has already started or has stopped.
   */
  start(): boolean {
    const snapshot = this.actor.getSnapshot();
    if (snapshot.status !== "active" || !snapshot.matches("idle")) return false;
    this.actor.send({ type: "start" });
    return true;
  }

  /**
   * What a dialer's public `start()` does: starts the machine, or throws SPError ECLOSED when
   * the dialer is `closed` and ESTATE when it has already started.
   */
  startOrThrow(closed: boolean): void {
    if (closed) throw new SPError("ECLOSED", "the dialer is closed");
    if (!this.start()) throw new SPError("ESTATE", "the dialer has already started");
  }

  /** Forwards a lifecycle event while the machine runs; ignored once it has stopped. */
  send(event: TcpDialerEvent): void {
    if (this.actor.getSnapshot().status === "active") this.actor.send(event);
  }
}
