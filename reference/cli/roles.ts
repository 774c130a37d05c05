/**
 * What `spcat` does once its socket is set up, per protocol, following
 * nngcat's behaviour:
 *
 * - REQ: wait `--delay`, send the data, print the reply. Without `--interval`
 *   and `--count` it stops after one exchange. With `--interval` it sends
 *   again every interval (the reply wait is bounded by what is left of the
 *   interval and by `--recv-timeout`), up to `--count` requests. A receive
 *   timeout ends the run quietly with status 0, as in nngcat.
 * - REP with data: receive, print, reply with the data; up to `--count`
 *   requests; any receive error (a timeout too) is fatal. Waits 200 ms at the
 *   end so the last reply can leave.
 * - REP without data: receive and print only; a timeout ends the run with 0.
 *
 * @module
 */
import type { RunConfig } from "./config.ts";
import { CliError, describeError, errorCode } from "./errors.ts";
import { formatMessage } from "./formats.ts";

/** The part of a reference socket the roles use. */
export interface RoleSocket {
  send(data: Uint8Array): Promise<void>;
  recv(): Promise<Uint8Array>;
  setOption(name: string, value: number): void;
}

/** Outside effects of a role (injected so tests can fake them). */
export interface RoleIO {
  /** Writes bytes to standard output. */
  write(bytes: Uint8Array): void;
  /** Waits `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
  /** A monotonic clock in milliseconds. */
  now(): number;
}

/** How long REP lingers after its last reply (nngcat does the same). */
export const REP_LINGER_MS = 200;

function print(io: RoleIO, cfg: RunConfig, body: Uint8Array): void {
  if (cfg.format === "no") return;
  io.write(formatMessage(body, cfg.format));
}

async function sendOrDie(sock: RoleSocket, data: Uint8Array): Promise<void> {
  try {
    await sock.send(data);
  } catch (e) {
    throw new CliError(`Send error: ${describeError(e)}`);
  }
}

/** Receives with `timeoutMs` (-1 = none); undefined when it timed out or has nothing to wait for. */
async function recvWithin(sock: RoleSocket, timeoutMs: number): Promise<Uint8Array | undefined> {
  sock.setOption("recvTimeout", timeoutMs);
  try {
    return await sock.recv();
  } catch (e) {
    const code = errorCode(e);
    if (code === "ETIMEDOUT" || code === "ESTATE") return undefined;
    throw new CliError(`Receive error: ${describeError(e)}`);
  }
}

/** Runs the REQ side. Resolves with the exit status. */
export async function runReq(sock: RoleSocket, cfg: RunConfig, io: RoleIO): Promise<number> {
  const data = cfg.data;
  if (data === undefined) throw new CliError("No data to send (specify with --data or --file)");
  if (cfg.delayMs > 0) await io.sleep(cfg.delayMs);
  const recvTimeout = cfg.recvTimeoutMs > 0 ? cfg.recvTimeoutMs : -1;
  const once = cfg.intervalMs < 0 && cfg.count === 0;
  for (let iters = 1; ; iters++) {
    const start = io.now();
    await sendOrDie(sock, data);
    let wait = recvTimeout;
    if (cfg.intervalMs >= 0) {
      const left = Math.max(0, Math.round(cfg.intervalMs - (io.now() - start)));
      wait = recvTimeout >= 0 ? Math.min(left, recvTimeout) : left;
    }
    const reply = await recvWithin(sock, wait);
    if (reply !== undefined) print(io, cfg, reply);
    if (once || (cfg.count > 0 && iters >= cfg.count)) return 0;
    const spent = io.now() - start;
    if (cfg.intervalMs > 0 && spent < cfg.intervalMs)
      await io.sleep(Math.round(cfg.intervalMs - spent));
  }
}

/** Runs the REP side. Resolves with the exit status. */
export async function runRep(sock: RoleSocket, cfg: RunConfig, io: RoleIO): Promise<number> {
  const recvTimeout = cfg.recvTimeoutMs > 0 ? cfg.recvTimeoutMs : -1;
  sock.setOption("recvTimeout", recvTimeout);
  const data = cfg.data;
  if (data === undefined) {
    for (let iters = 0; cfg.count === 0 || iters < cfg.count; iters++) {
      const req = await recvWithin(sock, recvTimeout);
      if (req === undefined) return 0;
      print(io, cfg, req);
    }
    return 0;
  }
  for (let iters = 1; ; iters++) {
    let req: Uint8Array;
    try {
      req = await sock.recv();
    } catch (e) {
      throw new CliError(`Receive error: ${describeError(e)}`);
    }
    print(io, cfg, req);
    await sendOrDie(sock, data);
    if (cfg.count > 0 && iters >= cfg.count) break;
  }
  await io.sleep(REP_LINGER_MS);
  return 0;
}
