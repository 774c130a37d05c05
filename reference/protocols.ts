import type { SocketOptions } from "./core/options.ts";
import type { SocketBase } from "./core/socket.ts";
import { rep0 } from "./protocol/rep0/rep.ts";
import { req0 } from "./protocol/req0/req.ts";

/** Opens a socket of one protocol with optional options. */
export type SocketFactory = (options?: Partial<SocketOptions>) => SocketBase;

/**
 * Every protocol the reference offers, by its versioned name (as nngcat's flags and the
 * conformance adapter contract spell them). A new protocol registers itself here with one line.
 *
 * @example
 * ```ts
 * const sock = protocolFactories.rep0?.();
 * ```
 */
export const protocolFactories: Readonly<Record<string, SocketFactory>> = {
  req0,
  rep0,
};

/** Unversioned aliases (`--req` means `--req0`), as nngcat accepts them. */
export const protocolAliases: Readonly<Record<string, string>> = {
  req: "req0",
  rep: "rep0",
};

/**
 * Opens a socket by protocol name or alias; undefined when the name is unknown.
 *
 * @example
 * ```ts
 * const s = openSocket("req", { resendTime: 100 });
 * ```
 */
export function openSocket(name: string, options?: Partial<SocketOptions>): SocketBase | undefined {
  const factory = protocolFactories[protocolAliases[name] ?? name];
  return factory?.(options);
}
