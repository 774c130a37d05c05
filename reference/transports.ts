import type { Transport } from "./core/transport.ts";
import { tcpTransport } from "./transport/tcp/index.ts";

/**
 * The transports every socket gets unless a test passes its own: one entry per URL scheme.
 * A new transport registers itself here with one line.
 *
 * @example
 * ```ts
 * defaultTransports.map((t) => t.scheme); // ["tcp", ...]
 * ```
 */
export const defaultTransports: readonly Transport[] = [tcpTransport];
