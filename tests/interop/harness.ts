/**
 * Helpers for the interop tests: bounded child processes, readiness waits
 * and peer lookup (a missing peer is a test failure that names the apt
 * command, never a skip). Free ports and polls come from testkit/.
 *
 * @module
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";
import { APT_COMMAND } from "../../dev/peers/ensure.ts";
import type { SPSocket } from "../../reference/index.ts";
import { sleep } from "../../testkit/wait.ts";

/** Repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** How long any child may live. */
export const CHILD_TIMEOUT_MS = 20_000;

/** Test timeout for tests that start children (tsx start-up is slow on a loaded machine). */
export const SPAWN_TEST_TIMEOUT_MS = 45_000;

/** What a finished child left behind. */
export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

/** A running child with its collected output. */
export interface Running {
  readonly child: ChildProcess;
  readonly name: string;
  /** Output so far. */
  stdout(): Buffer;
  stderr(): Buffer;
  /** Resolves when the child has exited (killed after {@link CHILD_TIMEOUT_MS}). */
  readonly done: Promise<Finished>;
}

const live = new Set<Running>();

/**
 * Starts `cmd args…` with a hard time limit; `input`, when given, is written to
 * its standard input, which is then closed.
 */
export function start(
  cmd: string,
  args: readonly string[],
  timeoutMs = CHILD_TIMEOUT_MS,
  input?: Uint8Array,
): Running {
  const stdin = input === undefined ? "ignore" : "pipe";
  const child = spawn(cmd, args, { cwd: ROOT, stdio: [stdin, "pipe", "pipe"] });
  if (input !== undefined) child.stdin?.end(input);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on("data", (b: Buffer) => out.push(b));
  child.stderr?.on("data", (b: Buffer) => err.push(b));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const running: Running = {
    child,
    name: [cmd, ...args].join(" "),
    stdout: () => Buffer.concat(out),
    stderr: () => Buffer.concat(err),
    done: new Promise<Finished>((resolve) => {
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        live.delete(running);
        resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
      });
      child.on("error", (e) => {
        err.push(Buffer.from(String(e)));
      });
    }),
  };
  live.add(running);
  return running;
}

/** Kills every child still running (for afterEach) and waits for them. */
export async function killAll(): Promise<void> {
  const all = [...live];
  for (const r of all) r.child.kill("SIGKILL");
  await Promise.all(all.map((r) => r.done));
}

/** How long the interop tests wait for a child to show something. */
export const CHILD_WAIT_MS = 15_000;

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
    s.connect(port, "127.0.0.1");
  });
}

/**
 * Waits until something accepts TCP connections on `port` (the probe
 * connection closes before any SP header, which peers simply drop).
 */
export async function waitForPort(
  port: number,
  owner: Running,
  limitMs = CHILD_WAIT_MS,
): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await tryConnect(port))) {
    if (owner.child.exitCode !== null) {
      throw new Error(`${owner.name} exited early: ${owner.stderr().toString()}`);
    }
    if (Date.now() > end) throw new Error(`nothing listens on ${port} (${owner.name})`);
    await sleep(25);
  }
}

/** Package that provides each peer command. */
const peerPackage: Record<string, string> = { nngcat: "nng-utils", nanocat: "nanomsg-utils" };

/** The peer command, or an error that says how to install it. */
export function peer(name: "nngcat" | "nanocat"): string {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  if (found.status !== 0 || found.stdout.trim() === "") {
    throw new Error(
      `${name} is not installed (package ${peerPackage[name]}); install the peers with: ${APT_COMMAND} (or run npm run peers as root)`,
    );
  }
  return found.stdout.trim();
}

/** Command and leading arguments that run spcat from source. */
export function spcatCommand(): [string, string[]] {
  return [process.execPath, ["--import", "tsx", "spcat/spcat.ts"]];
}

/** Starts spcat with `args` (and `input` on its standard input). */
export function spcat(
  args: readonly string[],
  timeoutMs = CHILD_TIMEOUT_MS,
  input?: Uint8Array,
): Running {
  const [cmd, pre] = spcatCommand();
  return start(cmd, [...pre, ...args], timeoutMs, input);
}

/**
 * POSIX `cksum` of `data` (CRC-32 with polynomial 0x04C11DB7, length
 * appended), the checksum nngcat's test scripts compare outputs with.
 *
 * @example
 * ```ts
 * cksum(Buffer.from("hello world\n")); // 3733384285
 * ```
 */
export function cksum(data: Uint8Array): number {
  let crc = 0;
  const step = (byte: number) => {
    crc ^= byte << 24;
    for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    crc >>>= 0;
  };
  for (const b of data) step(b);
  for (let n = data.length; n > 0; n = Math.floor(n / 256)) step(n & 0xff);
  return ~crc >>> 0;
}

/** Waits until a Unix socket path exists (an ipc:// listener is up). */
export async function waitForPath(
  path: string,
  owner: Running,
  limitMs = CHILD_WAIT_MS,
): Promise<void> {
  const end = Date.now() + limitMs;
  while (!existsSync(path)) {
    if (owner.child.exitCode !== null) {
      throw new Error(`${owner.name} exited early: ${owner.stderr().toString()}`);
    }
    if (Date.now() > end) throw new Error(`nothing listens at ${path} (${owner.name})`);
    await sleep(25);
  }
}

/** Describes a finished child for assertion messages. */
export function show(f: Finished): string {
  return `code=${f.code} signal=${f.signal} stdout=${JSON.stringify(f.stdout.toString("latin1"))} stderr=${JSON.stringify(f.stderr.toString())}`;
}

/**
 * Returns `track`: it gives a library socket 8 s send and receive timeouts and
 * closes it after each test of the calling file, when every child process
 * started through this harness is killed too.
 */
export function trackSockets(): <T extends SPSocket>(s: T) => T {
  const sockets: SPSocket[] = [];
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await killAll();
  });
  return (s) => {
    sockets.push(s);
    s.setOption("recvTimeout", 8000);
    s.setOption("sendTimeout", 8000);
    return s;
  };
}
