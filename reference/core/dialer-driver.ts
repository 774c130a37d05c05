import {
  createTcpDialerLogic,
  type TcpDialerEvent,
  type TcpDialerImplementation,
  tcpDialerCompiled,
} from "../../spec/machines/tcp-dialer.ts";
import { SPError, type SPErrorCode } from "./errors.ts";
import type { SocketOptions } from "./options.ts";
import { createSpecActor } from "./spec-actor.ts";

/** What each `tcp-dialer` event carries in `arg`: nothing. */
export interface TcpDialerArgs {
  start: undefined;
  stop: undefined;
  connected: undefined;
  failed: undefined;
  pipeClosed: undefined;
}

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
  /**
   * `true`: the first attempt decides. If it fails, {@link DialerDriver.connected} rejects
   * with its error and {@link DialerDriver.failed} tells the dialer to close instead of
   * backing off (nng's `nng_dial` without `NNG_FLAG_NONBLOCK`). Default `false`: retry.
   */
  failFast?: boolean;
}

/** The events of a dialer and what each carries. */
export interface DialerEventMap {
  /** A connection attempt failed (refused, TLS verification, bad SP header...). */
  error: SPError;
}

/** A listener of the dialer event `K`. */
export type DialerEventListener<K extends keyof DialerEventMap> = (
  event: DialerEventMap[K],
) => void;

/**
 * A small typed event list for dialers (the same code on Node and in a browser). Unlike a
 * Node `EventEmitter`, an `error` with nobody listening is simply dropped: a dialer's
 * failures are reports, the dialer itself goes on. A listener that throws does not disturb
 * the dialer; its exception is rethrown from a microtask (an uncaught exception, as with
 * an `EventEmitter`).
 *
 * @example
 * ```ts
 * const events = new DialerEvents();
 * events.on("error", (e) => console.log(e.code));
 * events.emit("error", new SPError("ECONNREFUSED")); // ECONNREFUSED
 * ```
 */
export class DialerEvents {
  private readonly listeners: { [K in keyof DialerEventMap]: Set<DialerEventListener<K>> } = {
    error: new Set(),
  };

  /** Adds `listener` for `type` (once per function, as a `Set`). */
  on<K extends keyof DialerEventMap>(type: K, listener: DialerEventListener<K>): void {
    this.listeners[type].add(listener);
  }

  /** Removes `listener` for `type`; nothing when it was not added. */
  off<K extends keyof DialerEventMap>(type: K, listener: DialerEventListener<K>): void {
    this.listeners[type].delete(listener);
  }

  /** Calls every listener of `type` with `event`, in the order they were added. */
  emit<K extends keyof DialerEventMap>(type: K, event: DialerEventMap[K]): void {
    for (const listener of [...this.listeners[type]]) {
      try {
        listener(event);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }
}

/** Node error codes of a failed connect and the SP code each means for a dialer. */
const connectCodes: Record<string, SPErrorCode> = {
  ECONNREFUSED: "ECONNREFUSED",
  // ipc://: no socket file at the path; nng reports it as a refusal too.
  ENOENT: "ECONNREFUSED",
  ENOTSOCK: "ECONNREFUSED",
  EHOSTUNREACH: "ECONNREFUSED",
  ENETUNREACH: "ECONNREFUSED",
  ECONNRESET: "ECONNSHUT",
  EPIPE: "ECONNSHUT",
  ETIMEDOUT: "ETIMEDOUT",
  ENOTFOUND: "EADDRINVAL",
  EAI_AGAIN: "EADDRINVAL",
  EADDRNOTAVAIL: "EADDRINVAL",
  EAFNOSUPPORT: "EADDRINVAL",
};

/**
 * The SPError of a failed connection attempt: an SPError as it is, a Node socket error by
 * its `code` (ECONNREFUSED, ENOENT for a missing ipc:// path, ENOTFOUND...), anything else
 * as ECONNREFUSED. The original error is the `cause`.
 *
 * @example
 * ```ts
 * dialFailure(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })).code;
 * // "ECONNREFUSED"
 * ```
 */
export function dialFailure(e: unknown): SPError {
  if (e instanceof SPError) return e;
  const errno = (e as { code?: unknown } | null)?.code;
  const code = (typeof errno === "string" && connectCodes[errno]) || "ECONNREFUSED";
  const message = e instanceof Error ? e.message : String(e);
  return new SPError(code, message, { cause: e });
}

/**
 * Runs the generated `tcp-dialer` machine for any transport's dialer (tcp, ipc, tls, ws, inproc,
 * the browser's ws): the back-off rule and the actor live here once; the transport supplies only
 * how to connect and how to abort. By default the machine gets `start` in the constructor; with
 * `{ start: false }` it waits in `idle` for {@link DialerDriver.start}.
 *
 * It also keeps what every dialer reports: the `connected` promise, the `error` events of
 * failed attempts, and the `failFast` rule (the first failure rejects `connected`). A dialer
 * reports an attached pipe with {@link DialerDriver.attached}, a failed attempt with
 * {@link DialerDriver.failed} and its close with {@link DialerDriver.stop}.
 *
 * @example
 * ```ts
 * const driver = new DialerDriver(host, { connect: () => attempt(), abort: () => cancel() });
 * driver.attached(); // resolves driver.connected, the machine goes to `connected`
 *
 * const later = new DialerDriver(host, hooks, tcpDialerCompiled, { start: false });
 * later.start(); // idle -> connecting: the first attempt begins now
 * ```
 */
export class DialerDriver {
  /** Resolves at the first attached pipe; rejects with ECLOSED when stopped before, or with
   * the first attempt's error under `failFast`. Never an unhandled rejection. */
  readonly connected: Promise<void>;
  /** The `error` events of this dialer. */
  readonly events = new DialerEvents();
  /** Why the latest attempt failed; cleared when a pipe attaches. */
  lastError: SPError | undefined;
  private readonly failFast: boolean;
  private everConnected = false;
  private resolveConnected!: () => void;
  private rejectConnected!: (e: SPError) => void;
  private backoff: number;
  private readonly actor;

  constructor(
    host: { readonly options: Readonly<SocketOptions> },
    hooks: DialerHooks,
    machine: typeof tcpDialerCompiled = tcpDialerCompiled,
    options: DialerDriverOptions = {},
  ) {
    this.failFast = options.failFast === true;
    this.connected = new Promise<void>((resolve, reject) => {
      this.resolveConnected = resolve;
      this.rejectConnected = reject;
    });
    // Nobody has to await `connected`; an unobserved rejection must not end the process.
    this.connected.catch(() => {});
    this.backoff = host.options.reconnectMin;
    const impl: TcpDialerImplementation<TcpDialerArgs> = {
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
    };
    this.actor = createSpecActor(createTcpDialerLogic(impl, machine));
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
  send(event: TcpDialerEvent<TcpDialerArgs>): void {
    if (this.actor.getSnapshot().status === "active") this.actor.send(event);
  }

  /** True once a pipe of this dialer has attached. */
  get hasConnected(): boolean {
    return this.everConnected;
  }

  /** The current attempt attached its pipe: `connected` resolves (once), the machine learns it. */
  attached(): void {
    this.lastError = undefined;
    if (!this.everConnected) {
      this.everConnected = true;
      this.resolveConnected();
    }
    this.send({ type: "connected" });
  }

  /**
   * The current attempt failed with `error`: it is emitted as an `error` event. Returns
   * `"retry"` after telling the machine (it backs off and tries again), or `"give-up"` under
   * `failFast` before any connection: `connected` has rejected with `error` and the dialer
   * must now close itself (which calls {@link DialerDriver.stop}).
   */
  failed(error: SPError): "retry" | "give-up" {
    this.lastError = error;
    this.events.emit("error", error);
    if (this.failFast && !this.everConnected) {
      this.rejectConnected(error);
      return "give-up";
    }
    this.send({ type: "failed" });
    return "retry";
  }

  /** The dialer closes: the machine stops, and `connected` rejects with ECLOSED if still pending. */
  stop(): void {
    this.send({ type: "stop" });
    this.rejectConnected(new SPError("ECLOSED", "dialer closed before it connected"));
  }
}
