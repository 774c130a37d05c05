/**
 * One measured run per scenario kind: starts the receiver (listener) first,
 * then the sender, reads the receiver's figures, and always kills both.
 * Every wait is bounded by the run's timeout.
 */
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../conformance/harness/port.ts";
import { sleep } from "../../conformance/harness/wait.ts";
import { type Driver, startDriver } from "./proc.ts";
import {
  type NoreadPoint,
  type NoreadRun,
  parseVmRss,
  rateFromSpan,
  type SlowWorkerFigures,
  slowWorkerFigures,
  type WorkerProgress,
} from "./stats.ts";

/** A driver command prefix for each side of a run. */
export interface Pair {
  sender: string[];
  receiver: string[];
  /** Both sides are the same implementation (needed for inproc). */
  same: boolean;
}

let seq = 0;

/** A fresh URL of the transport. */
export async function freshUrl(transport: "tcp" | "ipc" | "inproc"): Promise<string> {
  seq++;
  if (transport === "tcp") return `tcp://127.0.0.1:${await freePort()}`;
  if (transport === "ipc") return `ipc://${join(tmpdir(), `sp-bench-${process.pid}-${seq}.ipc`)}`;
  return `inproc://sp-bench-${seq}`;
}

async function withDrivers<T>(body: (started: Driver[]) => Promise<T>): Promise<T> {
  const started: Driver[] = [];
  try {
    return await body(started);
  } finally {
    await Promise.all(started.map((d) => d.stop(50)));
  }
}

interface Span {
  count: number;
  elapsedNs: number;
}

/**
 * Throughput: the receiver times its first to its last message; msgs/s from that.
 */
export function throughputRun(
  pair: Pair,
  transport: "tcp" | "ipc" | "inproc",
  size: number,
  count: number,
  timeoutMs: number,
): Promise<number> {
  return withDrivers(async (started) => {
    const url = await freshUrl(transport);
    const args = [url, String(size), String(count)];
    let rx: Driver;
    if (transport === "inproc") {
      rx = startDriver([...pair.receiver, "inproc", ...args]);
      started.push(rx);
      await rx.waitFor("ready", timeoutMs);
    } else {
      rx = startDriver([...pair.receiver, "pull", ...args]);
      started.push(rx);
      await rx.waitFor("ready", timeoutMs);
      const tx = startDriver([...pair.sender, "push", ...args]);
      started.push(tx);
      await tx.waitFor("ready", timeoutMs);
    }
    const r = JSON.parse(await rx.waitFor("result", timeoutMs)) as Span;
    return rateFromSpan(r.count, r.elapsedNs);
  });
}

/** Latency: the requester's round-trip samples, in microseconds. */
export function latencyRun(
  pair: Pair,
  size: number,
  count: number,
  warm: number,
  timeoutMs: number,
): Promise<number[]> {
  return withDrivers(async (started) => {
    const url = await freshUrl("tcp");
    const rep = startDriver([...pair.receiver, "rep", url, String(size)]);
    started.push(rep);
    await rep.waitFor("ready", timeoutMs);
    const req = startDriver([
      ...pair.sender,
      "req",
      url,
      String(size),
      String(count),
      String(warm),
    ]);
    started.push(req);
    const r = JSON.parse(await req.waitFor("result", timeoutMs)) as { samplesNs: number[] };
    return r.samplesNs.map((ns) => ns / 1000);
  });
}

/** Fan-out: one publisher, `subscribers` SUB sockets in one receiver process. */
export function fanoutRun(
  pair: Pair,
  size: number,
  count: number,
  subscribers: number,
  timeoutMs: number,
): Promise<{ rate: number; deliveredRatio: number }> {
  return withDrivers(async (started) => {
    const url = await freshUrl("tcp");
    const pub = startDriver([...pair.sender, "pub", url, String(size), String(count)]);
    started.push(pub);
    await pub.waitFor("ready", timeoutMs);
    const sub = startDriver([...pair.receiver, "sub", url, String(subscribers), "2000"]);
    started.push(sub);
    await sub.waitFor("ready", timeoutMs);
    // Let the last subscriptions reach the publisher before it starts.
    await new Promise((r) => setTimeout(r, 200));
    pub.writeLine("go");
    const r = JSON.parse(await sub.waitFor("result", timeoutMs)) as {
      count: number;
      firstNs: number;
      lastNs: number;
    };
    const rate =
      r.count > 1 && r.lastNs > r.firstNs ? (r.count * 1e9) / (r.lastNs - r.firstNs) : Number.NaN;
    return { rate, deliveredRatio: r.count / (count * subscribers) };
  });
}

/** What the subscription driver reports for one (keys, N). */
export interface SubsFigures {
  bytesPerSubscription: number;
  heapBytesPerSubscription: number;
  externalBytesPerSubscription: number;
  insertNsPerSubscription: number;
  matchedOfMessages: [number, number];
  matchNsRounds: number[];
}

/** Subscription structure: one process per (keys, N). */
export function subsRun(
  cmd: string[],
  keys: string,
  subscriptions: number,
  rounds: number,
  timeoutMs: number,
): Promise<SubsFigures> {
  return withDrivers(async (started) => {
    const d = startDriver([...cmd, keys, String(subscriptions), String(rounds)]);
    started.push(d);
    return JSON.parse(await d.waitFor("result", timeoutMs));
  });
}

/** A worker's last `progress` line, or zero messages before the first. */
function progressOf(d: Driver): WorkerProgress {
  const line = d.latest("progress");
  return line ? (JSON.parse(line) as WorkerProgress) : { count: 0, firstMs: 0, lastMs: 0 };
}

/**
 * Slow worker: two PULL worker processes listen (one reads as fast as it can, one
 * sleeps `delayMs` after each message), then one PUSH process dials the fast one and
 * then the slow one and, on "go", sends `count` messages of `size`. The run ends when
 * the workers' progress adds up to `count` and the PUSH has sent everything; it
 * throws when that has not happened `timeoutMs` after "go" (a fair split against a
 * 20 ms worker needs about count × 10 ms). All times are wall-clock milliseconds
 * (CLOCK_REALTIME; Node: performance.timeOrigin + performance.now()).
 */
export function slowWorkerRun(
  cmd: string[],
  transport: "tcp" | "ipc",
  size: number,
  count: number,
  delayMs: number,
  timeoutMs: number,
  setupMs: number,
): Promise<SlowWorkerFigures> {
  const urls = Promise.all([freshUrl(transport), freshUrl(transport)]);
  const run = withDrivers(async (started) => {
    const [fastUrl, slowUrl] = await urls;
    const fast = startDriver([...cmd, "worker", fastUrl, "0"]);
    started.push(fast);
    const slow = startDriver([...cmd, "worker", slowUrl, String(delayMs)]);
    started.push(slow);
    await fast.waitFor("ready", setupMs);
    await slow.waitFor("ready", setupMs);
    const tx = startDriver([...cmd, "push2", fastUrl, slowUrl, String(size), String(count)]);
    started.push(tx);
    await tx.waitFor("ready", setupMs);
    tx.writeLine("go");
    const deadline = Date.now() + timeoutMs;
    let sent: { t0Ms: number; sentMs: number } | undefined;
    let sendError: Error | undefined;
    tx.waitFor("result", timeoutMs).then(
      (line) => {
        sent = JSON.parse(line);
      },
      (e: Error) => {
        sendError = e;
      },
    );
    for (;;) {
      const f = progressOf(fast);
      const s = progressOf(slow);
      if (sent && f.count + s.count >= count) return slowWorkerFigures(sent.t0Ms, f, s, count);
      for (const [w, name] of [
        [fast, "fast"],
        [slow, "slow"],
      ] as const) {
        if (w.exitCode !== undefined) throw new Error(`the ${name} worker exited (${w.exitCode})`);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `not complete within ${timeoutMs / 1000} s: the fast worker had ${f.count} and the slow one ${s.count} of ${count} messages${sent ? "" : ", PUSH still sending"}`,
        );
      }
      if (sendError && !sent) throw sendError;
      await sleep(25);
    }
  });
  // The C listeners leave their ipc socket files behind when they are killed.
  return run.finally(async () => {
    for (const u of await urls) if (u.startsWith("ipc://")) rmSync(u.slice(6), { force: true });
  });
}

/** VmRSS of a process in bytes, from /proc/PID/status; NaN once it is gone. */
export function processRss(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    return parseVmRss(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return Number.NaN;
  }
}

/**
 * PULL that never receives: the PULL driver (`noread`) listens on tcp, a raw Node writer
 * (`spflood`, the raw driver) sends the PUSH SP header and then 64 KiB frames as fast as
 * its socket takes them. At each checkpoint (ms after the writer is ready) the PULL
 * reports its own RSS (the runner's /proc/PID/status reading when no answer comes within
 * 5 s) and the writer its accepted bytes. A watchdog reads /proc/PID/status every 100 ms
 * and kills the PULL once its RSS passes `capBytes`; the run then ends with `capped`.
 */
export function noreadRun(
  pull: string[],
  writer: string[],
  size: number,
  checkpointsMs: readonly number[],
  capBytes: number,
  setupMs: number,
): Promise<NoreadRun> {
  return withDrivers(async (started) => {
    const url = await freshUrl("tcp");
    const rx = startDriver([...pull, "noread", url]);
    started.push(rx);
    await rx.waitFor("ready", setupMs);
    const tx = startDriver([...writer, "spflood", url, String(size)]);
    started.push(tx);
    await tx.waitFor("ready", setupMs);
    const t0 = Date.now();
    const pid = rx.proc.pid;
    let capped: NoreadRun["capped"];
    let lastAccepted = 0;
    const watchdog = setInterval(() => {
      const rss = processRss(pid);
      if (capped === undefined && rss > capBytes) {
        capped = { afterMs: Date.now() - t0, rssBytes: rss, bytesAccepted: lastAccepted };
        rx.proc.kill("SIGKILL");
      }
    }, 100);
    /** The writer's accepted bytes; once the PULL is capped, a dying writer keeps the last figure. */
    const accepted = async () => {
      tx.writeLine("stat");
      try {
        const r = JSON.parse(await tx.take("stat", 5_000)) as { bytesAccepted: number };
        lastAccepted = r.bytesAccepted;
      } catch (e) {
        if (capped === undefined) throw e;
      }
      return lastAccepted;
    };
    try {
      const points: NoreadPoint[] = [];
      for (const at of checkpointsMs) {
        while (capped === undefined && Date.now() - t0 < at) {
          await sleep(Math.min(100, at - (Date.now() - t0)));
          if (capped === undefined) await accepted();
        }
        if (capped !== undefined) break;
        const fromProc = processRss(pid);
        rx.writeLine("rss");
        let rssBytes: number;
        try {
          rssBytes = (JSON.parse(await rx.take("rss", 5_000)) as { rssBytes: number }).rssBytes;
        } catch (e) {
          if (capped !== undefined) break;
          if (rx.exitCode !== undefined) throw e;
          rssBytes = fromProc; // the process was too busy to answer; same VmRSS, read by the runner
        }
        if (capped !== undefined) break;
        points.push({ atMs: at, rssBytes, bytesAccepted: await accepted() });
      }
      return capped === undefined ? { points } : { points, capped };
    } finally {
      clearInterval(watchdog);
    }
  });
}
