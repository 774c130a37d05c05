/**
 * The `ws://` and `wss://` transports of the browser build, on the page's
 * global `WebSocket`. A page can only dial: `listen` fails with ENOTSUP.
 * Dialers run the `tcp-dialer` machine (reconnect with back-off) in the same
 * dialer shell as on Node ({@link BaseDialer}).
 */
import { BaseDialer, type DialAttempt } from "../core/base-dialer.ts";
import { SPError } from "../core/errors.ts";
import type { Dialer, EndpointOptions, Listener, PipeHost, Transport } from "../core/transport.ts";
import type { SPUrl } from "../core/url.ts";
import { wsAttemptClosed } from "../transport/ws/attempt-close.ts";
import { subprotocolName } from "../transport/ws/subprotocol.ts";
import { BrowserWsPipe, type BrowserWsPipeMachine } from "./ws-pipe.ts";

/**
 * A reconnecting dialer over the browser's WebSocket. Each attempt offers the
 * peer's subprotocol name (SP-WS-2) and requests the URL's path (SP-WS-14).
 * As on Node, a failed attempt is an `error` event (the browser tells a page
 * no more than that the dial failed: ECONNREFUSED), `failFast` makes the first
 * failure reject `connected` and close the dialer, and `start: false` waits
 * for `start()`.
 *
 * @example
 * ```ts
 * const d = new BrowserWsDialer(parseUrl("ws://127.0.0.1:5555/rpc", false), socket);
 * d.on("error", (e) => console.log(e.code));
 * await d.connected;
 * ```
 */
export class BrowserWsDialer extends BaseDialer {
  constructor(
    url: SPUrl,
    host: PipeHost,
    machine?: BrowserWsPipeMachine,
    options: { start?: boolean; failFast?: boolean } = {},
  ) {
    // Deferred: the attempt's pipe actor must not start inside the dialer actor's action.
    const dial = (turn: DialAttempt) =>
      queueMicrotask(() => {
        if (!turn.stale) connectPage(turn, url, host, machine);
      });
    super(url.text, host, dial, options);
  }
}

/** One attempt of a {@link BrowserWsDialer}: the page's WebSocket, as a {@link BrowserWsPipe}. */
function connectPage(
  turn: DialAttempt,
  url: SPUrl,
  host: PipeHost,
  machine: BrowserWsPipeMachine | undefined,
): void {
  let ws: WebSocket;
  try {
    // SP-WS-2: offer the name of the protocol the server must speak; SP-WS-14: the URL's path.
    ws = new WebSocket(url.text, [subprotocolName(host.identity.peerName)]);
  } catch (e) {
    // The page refused the URL (e.g. a blocked port): count it and back off like a failure.
    host.count("dialFailed");
    turn.fail(new SPError("ECONNREFUSED", `WebSocket dial failed: ${String(e)}`));
    return;
  }
  /** Set when the WebSocket reported an error: browsers hide the cause (refused, HTTP status, TLS). */
  let failure: SPError | undefined;
  ws.addEventListener("error", () => {
    failure ??= new SPError("ECONNREFUSED", "WebSocket dial failed");
  });
  turn.pipe = new BrowserWsPipe({
    host,
    ws,
    machine,
    onAttach: () => turn.attached(),
    onClose: (gone, attached) => wsAttemptClosed(turn, host, gone, attached, () => failure),
  });
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
    dial: (url: SPUrl, host: PipeHost, options?: EndpointOptions): Dialer =>
      new BrowserWsDialer(url, host, machine, {
        start: options?.start,
        failFast: options?.failFast,
      }),
  };
}

/** The page's `ws://` transport. */
export const browserWsTransport: Transport = createBrowserWsTransport("ws");
/** The page's `wss://` transport (TLS and certificate checks are the browser's). */
export const browserWssTransport: Transport = createBrowserWsTransport("wss");
