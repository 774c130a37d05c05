/**
 * What `spcat` does once its socket is set up. As in nngcat there are four
 * roles, chosen by protocol and by whether there is data to send:
 *
 * - receive loop (SUB, PULL; REP/RESPONDENT/PAIR/BUS without data): print each
 *   message; stop after `--count` receive attempts, or quietly (status 0) on a
 *   receive timeout or a state error (a survey that ended, a REQ with nothing
 *   outstanding).
 * - send loop (PUB, PUSH): wait `--delay`, send the data; again every
 *   `--interval`, up to `--count`; then linger 200 ms so queues can drain.
 * - send-and-receive (REQ, SURVEYOR; PAIR/BUS with data): wait `--delay`, send,
 *   then print what comes back. Once (no `--interval`, no `--count`): receive
 *   until a timeout or state error. Repeated: each round receives until the
 *   round's interval is used up (bounded by `--recv-timeout`).
 * - respond loop (REP, RESPONDENT with data): receive, print, answer with the
 *   data, up to `--count`; any receive error is fatal; linger 200 ms.
 *
 * Deliberate difference: with `--count` and no `--interval`, nngcat 1.5.2 asks
 * nng for a negative receive timeout after the first reply and dies with
 * "Cannot set recv timeout: Invalid argument"; spcat waits per `--recv-timeout`
 * instead.
 *
 * @module
 */
import type { Protocol, RunConfig } from "./config.ts";
import { CliError, describeError, errorCode } from "./errors.ts";
import { formatMessage } from "./formats.ts";

/** The part of a reference socket the roles use. */
export interface RoleSocket {
  send(data: Uint8Array): Promise<void>;
  recv(): Promise<Uint8Array>;
  setOption(name: string, value: number): void;
  /** How many pipes are attached (`stats().socket.pipesOpen`); see {@link PEER_POLL_MS}. */
  stats?(): { readonly socket: { readonly pipesOpen: number } };
}

/** How often a REQ send looks for a peer while it waits for one. */
export const PEER_POLL_MS = 10;

/** Outside effects of a role (injected so tests can fake them). */
export interface RoleIO {
  /** Writes bytes to standard output. */
  write(bytes: Uint8Array): void;
  /** Waits `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
  /** A monotonic clock in milliseconds. */
  now(): number;
}

/** The four behaviours of nngcat. */
export type Role = "recv" | "send" | "sendrecv" | "respond";

/** How long the send and respond loops linger after their last message (as nngcat). */
export const LINGER_MS = 200;

/**
 * The role of `protocol`, given whether data was supplied.
 *
 * @example
 * ```ts
 * roleOf("bus0", false); // "recv"
 * roleOf("surveyor0", true); // "sendrecv"
 * ```
 */
export function roleOf(protocol: Protocol, hasData: boolean): Role {
  switch (protocol) {
    case "sub0":
    case "pull0":
      return "recv";
    case "pub0":
    case "push0":
      return "send";
    case "req0":
    case "surveyor0":
      return "sendrecv";
    case "rep0":
    case "respondent0":
      return hasData ? "respond" : "recv";
    case "pair0":
    case "pair1":
    case "bus0":
      return hasData ? "sendrecv" : "recv";
  }
}

function print(io: RoleIO, cfg: RunConfig, body: Uint8Array): void {
  if (cfg.format === "no") return;
  io.write(formatMessage(body, cfg.format));
}

function needData(cfg: RunConfig): Uint8Array {
  if (cfg.data === undefined) throw new CliError("No data to send (specify with --data or --file)");
  return cfg.data;
}

/**
 * nng's REQ send completes only when a peer takes the request, so with no peer
 * it runs into `--send-timeout` ("Send error: Timed out"). The reference REQ
 * queues the request at once instead; so, for REQ, spcat first waits for a
 * pipe, up to the send timeout (no limit when none is set).
 */
async function awaitPeer(sock: RoleSocket, cfg: RunConfig, io: RoleIO): Promise<void> {
  if (cfg.protocol !== "req0" || sock.stats === undefined) return;
  const deadline = cfg.sendTimeoutMs > 0 ? io.now() + cfg.sendTimeoutMs : Infinity;
  while (sock.stats().socket.pipesOpen === 0) {
    const left = deadline - io.now();
    if (left <= 0) throw new CliError(`Send error: ${describeError({ code: "ETIMEDOUT" })}`);
    await io.sleep(Math.min(PEER_POLL_MS, left));
  }
}

async function sendOrDie(
  sock: RoleSocket,
  data: Uint8Array,
  cfg: RunConfig,
  io: RoleIO,
): Promise<void> {
  await awaitPeer(sock, cfg, io);
  try {
    await sock.send(data);
  } catch (e) {
    throw new CliError(`Send error: ${describeError(e)}`);
  }
}

/** A receive that ends the loop quietly: a timeout or a state error. */
function isEnd(e: unknown): boolean {
  const code = errorCode(e);
  return code === "ETIMEDOUT" || code === "ESTATE";
}

/**
 * Receives and prints until `count` attempts (0 = no limit), a timeout or a
 * state error. Other receive errors are fatal.
 */
export async function recvLoop(sock: RoleSocket, cfg: RunConfig, io: RoleIO): Promise<number> {
  for (let iters = 0; cfg.count === 0 || iters < cfg.count; iters++) {
    let msg: Uint8Array;
    try {
      msg = await sock.recv();
    } catch (e) {
      if (isEnd(e)) return 0;
      throw new CliError(`Receive error: ${describeError(e)}`);
    }
    print(io, cfg, msg);
  }
  return 0;
}

/** Sends the data once, or every `--interval` up to `--count`, then lingers. */
export async function sendLoop(sock: RoleSocket, cfg: RunConfig, io: RoleIO): Promise<number> {
  const data = needData(cfg);
  if (cfg.delayMs > 0) await io.sleep(cfg.delayMs);
  for (let iters = 1; ; iters++) {
    const start = io.now();
    await sendOrDie(sock, data, cfg, io);
    const spent = io.now() - start;
    if ((cfg.intervalMs < 0 && cfg.count === 0) || (cfg.count > 0 && iters >= cfg.count)) break;
    if (spent >= 0 && spent < cfg.intervalMs) await io.sleep(Math.round(cfg.intervalMs - spent));
  }
  await io.sleep(LINGER_MS);
  return 0;
}

/** One round's receive budget: the rest of the interval, bounded by `--recv-timeout`. */
function roundBudget(cfg: RunConfig, elapsed: number): number {
  const recvTimeout = cfg.recvTimeoutMs > 0 ? cfg.recvTimeoutMs : -1;
  if (cfg.intervalMs < 0) return recvTimeout;
  const left = Math.max(0, Math.round(cfg.intervalMs - elapsed));
  return recvTimeout >= 0 ? Math.min(left, recvTimeout) : left;
}

/** Sends, then prints what comes back; repeated per `--interval`/`--count`. */
export async function sendRecv(sock: RoleSocket, cfg: RunConfig, io: RoleIO): Promise<number> {
  const data = needData(cfg);
  if (cfg.delayMs > 0) await io.sleep(cfg.delayMs);
  if (cfg.intervalMs < 0 && cfg.count === 0) {
    await sendOrDie(sock, data, cfg, io);
    return recvLoop(sock, cfg, io);
  }
  for (let iters = 1; ; iters++) {
    const start = io.now();
    await sendOrDie(sock, data, cfg, io);
    for (;;) {
      sock.setOption("recvTimeout", roundBudget(cfg, io.now() - start));
      let msg: Uint8Array;
      try {
        msg = await sock.recv();
      } catch (e) {
        if (isEnd(e)) break;
        throw new CliError(`Cannot receive: ${describeError(e)}`);
      }
      print(io, cfg, msg);
    }
    if (cfg.count > 0 && iters >= cfg.count) return 0;
    const spent = io.now() - start;
    if (spent >= 0 && spent < cfg.intervalMs) await io.sleep(Math.round(cfg.intervalMs - spent));
  }
}

/** Receives, prints and answers with the data, up to `--count`; then lingers. */
export async function respondLoop(sock: RoleSocket, cfg: RunConfig, io: RoleIO): Promise<number> {
  const data = needData(cfg);
  for (let iters = 1; ; iters++) {
    let req: Uint8Array;
    try {
      req = await sock.recv();
    } catch (e) {
      throw new CliError(`Receive error: ${describeError(e)}`);
    }
    print(io, cfg, req);
    await sendOrDie(sock, data, cfg, io);
    if (cfg.count > 0 && iters >= cfg.count) break;
  }
  await io.sleep(LINGER_MS);
  return 0;
}

/**
 * Runs the role of `cfg.protocol`. Resolves with the exit status.
 *
 * @example
 * ```ts
 * const status = await runRole(sock, config, io);
 * ```
 */
export function runRole(sock: RoleSocket, cfg: RunConfig, io: RoleIO): Promise<number> {
  switch (roleOf(cfg.protocol, cfg.data !== undefined)) {
    case "recv":
      return recvLoop(sock, cfg, io);
    case "send":
      return sendLoop(sock, cfg, io);
    case "sendrecv":
      return sendRecv(sock, cfg, io);
    case "respond":
      return respondLoop(sock, cfg, io);
  }
}
