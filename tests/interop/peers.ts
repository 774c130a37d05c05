/**
 * Command lines of the two peer tools, nngcat (nng 1.5.x) and nanocat
 * (nanomsg 1.1.x), for one end of an interop cell.
 *
 * The peers differ in small ways that matter here:
 * - nngcat's durations are whole seconds; nanocat takes fractions.
 * - nngcat names protocols with a version (`--pair0`, `--bus0`), nanocat
 *   without (`--pair`, `--bus`), and nanocat has no PAIR v1.
 * - nngcat refuses a format on send-only sockets (PUB, PUSH).
 *
 * @module
 */

/** A peer implementation of the matrix. */
export type PeerName = "nng" | "nanomsg";

/** What the peer end should do. */
export interface PeerEnd {
  /** Versioned protocol name, e.g. `sub0`. */
  readonly protocol: string;
  readonly mode: "listen" | "dial";
  readonly url: string;
  /** Message to send (the reply for REP/RESPONDENT). */
  readonly data?: string;
  /** Send again every this many seconds (rounded up to whole seconds for nngcat). */
  readonly intervalSec?: number;
  /** SUB topics. */
  readonly subscribe?: readonly string[];
  /** TLS files (paths), nngcat only. */
  readonly tls?: { readonly cacert?: string; readonly cert?: string; readonly key?: string };
}

const sendOnly = new Set(["pub0", "push0"]);

/** The command (tool name) of each peer. */
export const peerTool: Record<PeerName, "nngcat" | "nanocat"> = {
  nng: "nngcat",
  nanomsg: "nanocat",
};

/** nngcat arguments for `end`. */
export function nngcatArgs(end: PeerEnd): string[] {
  const args = [`--${end.protocol}`, end.mode === "listen" ? "--listen" : "--dial", end.url];
  if (end.data !== undefined) args.push("--data", end.data);
  if (end.intervalSec !== undefined) args.push("--interval", String(Math.ceil(end.intervalSec)));
  for (const t of end.subscribe ?? []) args.push(`--subscribe=${t}`);
  if (!sendOnly.has(end.protocol)) args.push("--quoted");
  if (end.tls?.cacert !== undefined) args.push("--cacert", end.tls.cacert);
  if (end.tls?.cert !== undefined) args.push("--cert", end.tls.cert);
  if (end.tls?.key !== undefined) args.push("--key", end.tls.key);
  return args;
}

/** nanocat arguments for `end`. */
export function nanocatArgs(end: PeerEnd): string[] {
  const proto = end.protocol.replace(/[01]$/, "");
  const args = [`--${proto}`, end.mode === "listen" ? "--bind" : "--connect", end.url];
  if (end.data !== undefined) args.push("--data", end.data);
  if (end.intervalSec !== undefined) args.push("--interval", String(end.intervalSec));
  for (const t of end.subscribe ?? []) args.push("--subscribe", t);
  if (!sendOnly.has(end.protocol)) args.push("--quoted");
  return args;
}

/**
 * The argument list for `peer`.
 *
 * @example
 * ```ts
 * peerArgs("nanomsg", { protocol: "pair0", mode: "dial", url: "tcp://127.0.0.1:5555" });
 * // ["--pair", "--connect", "tcp://127.0.0.1:5555", "--quoted"]
 * ```
 */
export function peerArgs(peer: PeerName, end: PeerEnd): string[] {
  return peer === "nng" ? nngcatArgs(end) : nanocatArgs(end);
}
