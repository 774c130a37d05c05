import type { Transport } from "./core/transport.ts";
import { inprocTransport } from "./transport/inproc/index.ts";
import { ipcTransport } from "./transport/ipc/index.ts";
import { tcpTransport } from "./transport/tcp/index.ts";
import { tlsTransport } from "./transport/tls/index.ts";
import { wssTransport, wsTransport } from "./transport/ws/index.ts";

/**
 * The transports every socket gets unless a test passes its own: one entry per URL scheme.
 * A new transport registers itself here with one line.
 *
 * @example
 * ```ts
 * defaultTransports.map((t) => t.scheme); // ["tcp", ...]
 * ```
 */
export const defaultTransports: readonly Transport[] = [
  tcpTransport,
  ipcTransport,
  inprocTransport,
  wsTransport,
  wssTransport,
  tlsTransport,
];
