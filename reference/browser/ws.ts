/**
 * The `ws://` and `wss://` transports of the browser build, on the page's
 * global `WebSocket`. A page can only dial: `listen` fails with ENOTSUP.
 * Dialers run the `tcp-dialer` machine (reconnect with back-off) as on Node.
 */
import type { TcpDialerEvent } from "../../spec/machines/tcp-dialer.ts";
import { DialerDriver } from "../core/dialer-driver.ts";
import { SPError } from "../core/errors.ts";
import type { Dialer, Listener, PipeHost, Transport } from "../core/transport.ts";
import type { SPUrl } from "../core/url.ts";
import { subprotocolName } from "../transport/ws/subprotocol.ts";
import { BrowserWsPipe, type BrowserWsPipeMachine } from "./ws-pipe.ts";

/**
 * A reconnecting dialer over the browser's WebSocket. Each attempt offers the
 * peer's subprotocol name (SP-WS-2) and requests the URL's path (SP-WS-14).
 *
 * @example
 * ```ts
 * const d = new BrowserWsDialer(parseUrl("ws://127.0.0.1:5555/rpc", false), socket);
 * await d.connected;
 * ```
 */
export class BrowserWsDialer implements Dialer {
  readonly url: string;
  readonly connected: Promise<void>;
  /** Why the latest attempt failed; cleared on success. */
  lastError: SPError | undefined;
  private resolveConnected!: () => void;
  private rejectConnected!: (e: SPError) => void;
  private everConnected = false;
  private attempt = 0;
  private pipe: BrowserWsPipe | undefined;
  private closing: Promise<void> | undefined;
  private readonly driver: DialerDriver;

  constructor(url: SPUrl, host: PipeHost, machine?: BrowserWsPipeMachine) {
    this.url = url.text;
    this.connected = new Promise<void>((resolve, reject) => {
      this.resolveConnected = resolve;
      this.rejectConnected = reject;
    });
    this.connected.catch(() => {});
    // Deferred: the attempt's pipe actor must not start inside this actor's action.
    this.driver = new DialerDriver(host, {
      connect: () =>
        queueMicrotask(() => {
          if (!this.closing) this.connectOnce(url, host, machine);
        }),
      abort: () => this.abortAttempt(),
    });
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
    this.pipe?.close();
    this.pipe = undefined;
  }

  private connectOnce(url: SPUrl, host: PipeHost, machine: BrowserWsPipeMachine | undefined): void {
    const attempt = ++this.attempt;
    const stale = () => attempt !== this.attempt;
    let ws: WebSocket;
    try {
      // SP-WS-2: offer the name of the protocol the server must speak; SP-WS-14: the URL's path.
      ws = new WebSocket(url.text, [subprotocolName(host.identity.peerName)]);
    } catch (e) {
      // The page refused the URL (e.g. a blocked port): count it and back off like a failure.
      this.lastError = new SPError("ECONNREFUSED", `WebSocket dial failed: ${String(e)}`);
      host.count("dialFailed");
      this.attempt++;
      this.send({ type: "failed" });
      return;
    }
    ws.addEventListener("error", () => {
      // Browsers hide the cause (refused, HTTP status, TLS) from pages on purpose.
      if (!stale()) this.lastError = new SPError("ECONNREFUSED", "WebSocket dial failed");
    });
    this.pipe = new BrowserWsPipe({
      host,
      ws,
      machine,
      onAttach: () => {
        if (stale()) return;
        this.lastError = undefined;
        if (!this.everConnected) {
          this.everConnected = true;
          this.resolveConnected();
        }
        this.send({ type: "connected" });
      },
      onClose: (_pipe, attached) => {
        if (stale()) return;
        if (!attached) host.count("dialFailed");
        this.attempt++;
        this.pipe = undefined;
        this.send({ type: attached ? "pipeClosed" : "failed" });
      },
    });
  }
}

/**
 * Builds the browser WebSocket transport for `ws` or `wss` (the browser does the TLS).
 *
 * @example
 * ```ts
 * const transport = createBrowserWsTransport("ws"); // what `defaultTransports` holds in a page
 * ```
 */
export function createBrowserWsTransport(
  scheme: "ws" | "wss",
  machine?: BrowserWsPipeMachine,
): Transport {
  return {
    scheme,
    listen: (url: SPUrl): Promise<Listener> =>
      Promise.reject(new SPError("ENOTSUP", `a browser page cannot listen on ${url.text}`)),
    dial: (url: SPUrl, host: PipeHost): Dialer => new BrowserWsDialer(url, host, machine),
  };
}

/** The page's `ws://` transport. */
export const browserWsTransport: Transport = createBrowserWsTransport("ws");
/** The page's `wss://` transport (TLS and certificate checks are the browser's). */
export const browserWssTransport: Transport = createBrowserWsTransport("wss");
