/**
 * One measured run per scenario kind: starts the receiver (listener) first,
 * then the sender, reads the receiver's figures, and always kills both.
 * Every wait is bounded by the run's timeout.
 */
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Driver, startDriver } from "./proc.ts";
import { rateFromSpan } from "./stats.ts";

/** A driver command prefix for each side of a run. */
export interface Pair {
  sender: string[];
  receiver: string[];
  /** Both sides are the same implementation (needed for inproc). */
  same: boolean;
}

let seq = 0;

/** A free loopback TCP port (bound once to port 0, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

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
