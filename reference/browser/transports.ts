import type { Transport } from "../core/transport.ts";
import { inprocTransport } from "../transport/inproc/index.ts";
import { browserWssTransport, browserWsTransport } from "./ws.ts";

/**
 * The transports of the browser build: `inproc://` and `ws://` / `wss://` over
 * the page's WebSocket. The build (dev/browser/build.ts) substitutes this
 * module for reference/transports.ts, so every protocol factory gets these.
 *
 * @example
 * ```ts
 * defaultTransports.map((t) => t.scheme); // ["inproc", "ws", "wss"]
 * ```
 */
export const defaultTransports: readonly Transport[] = [
  inprocTransport,
  browserWsTransport,
  browserWssTransport,
];
