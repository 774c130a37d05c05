import { createActor } from "xstate";
import { type TcpDialerEvent, tcpDialerMachine } from "../../spec/machines/tcp-dialer.ts";
import type { SocketOptions } from "./options.ts";

/** What a transport's dialer does for the machine: start one attempt, abort the current one. */
export interface DialerHooks {
  connect(): void;
  abort(): void;
}

/**
 * Runs the generated `tcp-dialer` machine for any transport's dialer (tcp, ipc, tls, ws, inproc,
 * the browser's ws): the back-off rule and the actor live here once; the transport supplies only
 * how to connect and how to abort.
 *
 * @example
 * ```ts
 * const driver = new DialerDriver(host, { connect: () => attempt(), abort: () => cancel() });
 * driver.send({ type: "connected" });
 * ```
 */
export class DialerDriver {
  private backoff: number;
  private readonly actor;

  constructor(
    host: { readonly options: Readonly<SocketOptions> },
    hooks: DialerHooks,
    machine: typeof tcpDialerMachine = tcpDialerMachine,
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
    this.actor = createActor(bound);
    this.actor.start();
    this.actor.send({ type: "start" });
  }

  /** Forwards a lifecycle event while the machine runs; ignored once it has stopped. */
  send(event: TcpDialerEvent): void {
    if (this.actor.getSnapshot().status === "active") this.actor.send(event);
  }
}
