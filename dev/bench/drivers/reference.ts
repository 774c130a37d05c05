/**
 * Reference-stack benchmark driver: the same modes and output lines as the C
 * drivers (see common.h), built on `openSocket` from the protocol registry and
 * the transports by URL. When the registry lacks a protocol, or a transport or
 * the subscription call is missing, it prints `unavailable <reason>` and exits 3.
 */
import { createInterface } from "node:readline";
import { isSPError } from "../../../reference/core/errors.ts";
import type { SocketBase } from "../../../reference/core/socket.ts";
import type { AnyProtocolOptions } from "../../../reference/protocol/options.ts";
import { openSocket } from "../../../reference/protocols.ts";

const now = () => process.hrtime.bigint();
/** Wall-clock milliseconds with sub-millisecond precision, comparable with the C drivers' CLOCK_REALTIME. */
const realtimeMs = () => performance.timeOrigin + performance.now();

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function unavailable(reason: string): never {
  say(`unavailable ${reason}`);
  process.exit(3);
}

function open(name: string, options?: AnyProtocolOptions): SocketBase {
  const s = openSocket(name, { recvMaxSize: 0, ...options });
  if (!s) unavailable(`the reference registry has no ${name} (reference/protocols.ts)`);
  return s;
}

/** Listen/dial, turning "no such transport" into `unavailable`. */
async function attach(s: SocketBase, how: "listen" | "dial", url: string): Promise<void> {
  try {
    if (how === "listen") await s.listen(url);
    else await s.dial(url).connected;
  } catch (e) {
    if (isSPError(e) && (e.code === "ENOTSUP" || e.code === "EADDRINVAL")) {
      unavailable(`the reference cannot ${how} on ${url.split(":")[0]}:// (${e.message})`);
    }
    throw e;
  }
}

const untilStdinEnds = () =>
  new Promise<void>((resolve) => {
    process.stdin.on("end", resolve).on("close", resolve).resume();
  });

function data(size: number): Buffer {
  return Buffer.alloc(size, "d");
}

async function pull(url: string, count: number): Promise<void> {
  const s = open("pull0");
  await attach(s, "listen", url);
  say("ready");
  await receiveCount(s, count);
  process.exit(0);
}

async function receiveCount(s: SocketBase, count: number): Promise<void> {
  let first = 0n;
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const m = await s.recv();
    if (i === 0) first = now();
    bytes += m.length;
  }
  const elapsedNs = Number(now() - first);
  say(`result ${JSON.stringify({ count, elapsedNs, bytes })}`);
}

async function sendCount(s: SocketBase, size: number, count: number): Promise<void> {
  const buf = data(size);
  for (let i = 0; i < count; i++) await s.send(buf);
}

async function push(url: string, size: number, count: number): Promise<void> {
  const s = open("push0");
  await attach(s, "dial", url);
  say("ready");
  await sendCount(s, size, count);
  say("sent");
  await untilStdinEnds();
  process.exit(0);
}

async function rep(url: string): Promise<void> {
  const s = open("rep0");
  await attach(s, "listen", url);
  say("ready");
  // Exits when the runner closes stdin (so --cpu-prof can write its profile).
  void untilStdinEnds().then(() => process.exit(0));
  for (;;) await s.send(await s.recv());
}

async function req(url: string, size: number, count: number, warm: number): Promise<void> {
  const s = open("req0", { resendTime: 600_000 });
  await attach(s, "dial", url);
  say("ready");
  const buf = data(size);
  const samples: number[] = [];
  for (let i = 0; i < warm + count; i++) {
    const t0 = now();
    await s.send(buf);
    await s.recv();
    if (i >= warm) samples.push(Number(now() - t0));
  }
  say(`result ${JSON.stringify({ samplesNs: samples })}`);
  process.exit(0);
}

async function pub(url: string, size: number, count: number): Promise<void> {
  const s = open("pub0");
  await attach(s, "listen", url);
  say("ready");
  await new Promise<void>((resolve) => process.stdin.once("data", () => resolve()));
  await sendCount(s, size, count);
  const end = Buffer.from("E");
  setInterval(() => void s.send(end), 2);
}

/** Subscribes to everything by whatever call the reference SUB offers. */
function subscribeAll(s: SocketBase): void {
  const sub = s as unknown as { subscribe?: (topic: Uint8Array | string) => unknown };
  if (typeof sub.subscribe !== "function")
    unavailable("the reference sub0 socket has no subscribe()");
  sub.subscribe("");
}

async function sub(url: string, nsubs: number, idleMs: number): Promise<void> {
  const socks: SocketBase[] = [];
  for (let i = 0; i < nsubs; i++) {
    const s = open("sub0", { recvTimeout: idleMs });
    subscribeAll(s);
    socks.push(s);
  }
  await Promise.all(socks.map((s) => attach(s, "dial", url)));
  say("ready");
  const per = await Promise.all(
    socks.map(async (s) => {
      let count = 0;
      let first = 0;
      let last = 0;
      for (;;) {
        let m: Buffer;
        try {
          m = await s.recv();
        } catch (e) {
          if (isSPError(e) && e.code === "ETIMEDOUT") break;
          throw e;
        }
        if (m.length === 1 && m[0] === 0x45) break;
        last = Number(now());
        if (count === 0) first = last;
        count++;
      }
      return { count, first, last };
    }),
  );
  const got = per.filter((p) => p.count > 0);
  const count = got.reduce((a, p) => a + p.count, 0);
  const firstNs = got.length ? Math.min(...got.map((p) => p.first)) : 0;
  const lastNs = got.length ? Math.max(...got.map((p) => p.last)) : 0;
  say(`result ${JSON.stringify({ count, firstNs, lastNs })}`);
  process.exit(0);
}

async function inproc(url: string, size: number, count: number): Promise<void> {
  const rx = open("pull0");
  await attach(rx, "listen", url);
  const tx = open("push0");
  await attach(tx, "dial", url);
  say("ready");
  void sendCount(tx, size, count);
  await receiveCount(rx, count);
  process.exit(0);
}

/** PULL worker: reads forever, sleeping `delayMs` after each message; reports progress lines. */
async function worker(url: string, delayMs: number): Promise<void> {
  const s = open("pull0");
  await attach(s, "listen", url);
  say("ready");
  let count = 0;
  let firstMs = 0;
  let lastMs = 0;
  let printed = 0;
  const report = () => {
    if (count === printed) return;
    printed = count;
    say(`progress ${JSON.stringify({ count, firstMs, lastMs })}`);
  };
  // The C drivers print at most every 50 ms while messages come; a timer does the same here.
  setInterval(report, 50);
  void untilStdinEnds().then(() => process.exit(0));
  for (;;) {
    await s.recv();
    const t = realtimeMs();
    if (count === 0) firstMs = t;
    lastMs = t;
    count++;
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
  }
}

/** PUSH to two workers: dials both, waits for "go", sends `count` messages of `size`. */
async function push2(url1: string, url2: string, size: number, count: number): Promise<void> {
  const s = open("push0");
  await attach(s, "dial", url1);
  await attach(s, "dial", url2);
  await new Promise((r) => setTimeout(r, 200));
  say("ready");
  await new Promise<void>((resolve) => process.stdin.once("data", () => resolve()));
  const buf = data(size);
  const t0Ms = realtimeMs();
  for (let i = 0; i < count; i++) await s.send(buf);
  say(`result ${JSON.stringify({ t0Ms, sentMs: realtimeMs() })}`);
  await untilStdinEnds();
  process.exit(0);
}

/** PULL that never receives; answers each "rss" line on stdin with its resident set size. */
async function noread(url: string): Promise<void> {
  const s = open("pull0");
  await attach(s, "listen", url);
  say("ready");
  createInterface({ input: process.stdin })
    .on("line", (line) => {
      if (line.startsWith("rss"))
        say(`rss ${JSON.stringify({ rssBytes: process.memoryUsage.rss() })}`);
    })
    .on("close", () => process.exit(0));
}

const [mode, url = "", a3 = "0", a4 = "0", a5 = "0"] = process.argv.slice(2);
const n3 = Number(a3);
const n4 = Number(a4);
const n5 = Number(a5);
const modes: Record<string, () => Promise<void>> = {
  pull: () => pull(url, n4),
  push: () => push(url, n3, n4),
  rep: () => rep(url),
  req: () => req(url, n3, n4, n5),
  pub: () => pub(url, n3, n4),
  sub: () => sub(url, n3, n4),
  inproc: () => inproc(url, n3, n4),
  worker: () => worker(url, n3),
  push2: () => push2(url, a3, n4, n5),
  noread: () => noread(url),
};
const run = modes[mode ?? ""];
if (!run) {
  process.stderr.write(`reference driver: unknown mode ${mode}\n`);
  process.exit(2);
}
run().catch((e: unknown) => {
  process.stderr.write(`reference driver: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(2);
});
