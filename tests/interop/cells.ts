/**
 * Runs one interop cell: a reference socket in this process against nngcat or
 * nanocat in a child process, over one transport, one side listening.
 *
 * Each exchange checks both directions where the protocol has two:
 * - REQ/REP: request and reply bodies arrive intact at each end.
 * - PUB/SUB: a SUB subscribed to `keep` gets `keep-me`; a peer SUB also never
 *   prints the `drop-me` the reference PUB sends alongside.
 * - PUSH/PULL: the job arrives.
 * - PAIR v0/v1, BUS: each end gets the other's message.
 * - SURVEYOR/RESPONDENT: the question arrives and the answer comes back within
 *   the survey.
 *
 * Everything is bounded by the cell's deadline; the child is killed and the
 * socket closed whatever happens.
 *
 * @module
 */
import { existsSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SocketBase } from "../../reference/core/socket.ts";
import type { EndpointOptions } from "../../reference/core/transport.ts";
import { openSocket } from "../../reference/protocols.ts";
import type { TestCerts } from "../../testkit/certs.ts";
import { freePort, sleep } from "../../testkit/wait.ts";
import { type Running, start } from "./harness.ts";
import type { Cell, CellResult } from "./matrix.ts";
import { type PeerEnd, type PeerName, peerArgs, peerTool } from "./peers.ts";

/** How long one cell may take. */
export const CELL_DEADLINE_MS = 9_000;

/** A SUB socket of the reference (checked by duck typing: the registry is generic). */
interface Subscriber {
  subscribe(topic: Uint8Array | string): void;
}

function hasSubscribe(s: unknown): s is Subscriber {
  return typeof (s as Partial<Subscriber>).subscribe === "function";
}

const text = (b: Uint8Array) => Buffer.from(b).toString("latin1");

let ipcSeq = 0;

/**
 * A fresh address for the peer to listen on. nanocat cannot bind a ws:// URL
 * with a path (EINVAL; nanomsg serves every path), so it gets none.
 */
async function peerListenUrl(scheme: string, peer: PeerName): Promise<string> {
  if (scheme === "ipc") {
    const path = join(tmpdir(), `spm-${process.pid}-${ipcSeq++}.sock`);
    if (existsSync(path)) unlinkSync(path);
    return `ipc://${path}`;
  }
  const port = await freePort();
  if (scheme === "ws")
    return peer === "nanomsg" ? `ws://127.0.0.1:${port}` : `ws://127.0.0.1:${port}/sp`;
  return `${scheme}://127.0.0.1:${port}`;
}

/** The address the reference listens on (port 0: the bound URL tells the real one). */
function refListenUrl(scheme: string): string {
  if (scheme === "ipc") return `ipc://${join(tmpdir(), `spm-${process.pid}-${ipcSeq++}.sock`)}`;
  return scheme === "ws" ? "ws://127.0.0.1:0/sp" : `${scheme}://127.0.0.1:0`;
}

/** What the peer sends, how often, and what it subscribes to, per protocol. */
function peerPlan(protocol: string): Pick<PeerEnd, "data" | "intervalSec" | "subscribe"> {
  switch (protocol) {
    case "rep0":
      return { data: "pong-from-peer" };
    case "req0":
      return { data: "ping-from-peer" };
    case "sub0":
      return { subscribe: ["keep"] };
    case "pub0":
      return { data: "keep-me", intervalSec: 0.25 };
    case "push0":
      return { data: "job-from-peer", intervalSec: 0.25 };
    case "pull0":
      return {};
    case "respondent0":
      return { data: "answer-from-peer" };
    case "surveyor0":
      return { data: "question-from-peer", intervalSec: 1 };
    default:
      return { data: "from-peer", intervalSec: 0.25 };
  }
}

/** Shared state of a running cell. */
interface Ctx {
  readonly sock: SocketBase;
  readonly peer: Running;
  readonly deadline: number;
}

function left(ctx: Ctx): number {
  return Math.max(1, ctx.deadline - Date.now());
}

/** Receives with the cell's remaining time as timeout. */
async function recv(ctx: Ctx): Promise<string> {
  ctx.sock.setOption("recvTimeout", left(ctx));
  return text(await ctx.sock.recv());
}

/** Waits until the peer has printed `line` (quoted format). */
async function peerPrinted(ctx: Ctx, body: string): Promise<void> {
  const want = `"${body}"\n`;
  while (!ctx.peer.stdout().toString("latin1").includes(want)) {
    if (ctx.peer.child.exitCode !== null) {
      // Output may still be in the pipe when the exit is seen: wait for the streams to close.
      const done = await ctx.peer.done;
      if (done.stdout.toString("latin1").includes(want)) return;
      throw new Error(`peer exited (${done.code}) without printing ${want.trim()}`);
    }
    if (Date.now() > ctx.deadline) throw new Error(`peer never printed ${want.trim()}`);
    await sleep(20);
  }
}

function expectBody(got: string, want: string): void {
  if (got !== want) throw new Error(`reference received ${JSON.stringify(got)}, not ${want}`);
}

/** Sends `body` until the peer prints it (for protocols that drop while unconnected). */
async function sendUntilPrinted(ctx: Ctx, body: string, extra?: string): Promise<void> {
  ctx.sock.setOption("sendTimeout", 200);
  const want = `"${body}"\n`;
  while (!ctx.peer.stdout().toString("latin1").includes(want)) {
    if (Date.now() > ctx.deadline) throw new Error(`peer never printed ${want.trim()}`);
    if (ctx.peer.child.exitCode !== null) {
      const done = await ctx.peer.done;
      if (done.stdout.toString("latin1").includes(want)) return;
      throw new Error(`peer exited (${done.code}) without printing ${want.trim()}`);
    }
    try {
      if (extra !== undefined) await ctx.sock.send(extra);
      await ctx.sock.send(body);
    } catch (e) {
      if ((e as { code?: string }).code !== "ETIMEDOUT") throw e;
    }
    await sleep(100);
  }
}

/** The reference's half of the exchange, by the protocol it plays. */
async function exchange(ctx: Ctx, ref: string): Promise<void> {
  switch (ref) {
    case "req0":
      await ctx.sock.send("ping-from-ref");
      expectBody(await recv(ctx), "pong-from-peer");
      return peerPrinted(ctx, "ping-from-ref");
    case "rep0":
      expectBody(await recv(ctx), "ping-from-peer");
      await ctx.sock.send("pong-from-ref");
      return peerPrinted(ctx, "pong-from-ref");
    case "pub0": {
      await sendUntilPrinted(ctx, "keep-me", "drop-me");
      if (ctx.peer.stdout().toString("latin1").includes("drop-me")) {
        throw new Error("peer SUB printed a message outside its subscription");
      }
      return;
    }
    case "sub0":
      if (!hasSubscribe(ctx.sock)) throw new Error("reference sub0 has no subscribe()");
      ctx.sock.subscribe("keep");
      return expectBody(await recv(ctx), "keep-me");
    case "push0":
      ctx.sock.setOption("sendTimeout", left(ctx));
      await ctx.sock.send("job-from-ref");
      return peerPrinted(ctx, "job-from-ref");
    case "pull0":
      return expectBody(await recv(ctx), "job-from-peer");
    case "surveyor0":
      return survey(ctx);
    case "respondent0":
      expectBody(await recv(ctx), "question-from-peer");
      await ctx.sock.send("answer-from-ref");
      return peerPrinted(ctx, "answer-from-ref");
    default: {
      // PAIR v0/v1 and BUS: both directions at once.
      const got = recv(ctx);
      got.catch(() => undefined); // awaited below; do not let an early failure go unhandled
      await sendUntilPrinted(ctx, "from-ref");
      return expectBody(await got, "from-peer");
    }
  }
}

/** Surveys until an answer arrives (a survey sent before the peer is attached reaches nobody). */
async function survey(ctx: Ctx): Promise<void> {
  ctx.sock.setOptionDynamic("surveyTime", 400);
  for (;;) {
    if (Date.now() > ctx.deadline) throw new Error("no answer to any survey");
    await ctx.sock.send("question-from-ref");
    for (;;) {
      let got: string;
      try {
        ctx.sock.setOption("recvTimeout", Math.min(1000, left(ctx)));
        got = text(await ctx.sock.recv());
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === "ETIMEDOUT" || code === "ESTATE") break;
        throw e;
      }
      expectBody(got, "answer-from-peer");
      return peerPrinted(ctx, "question-from-ref");
    }
  }
}

/** What transports that need configuration (TLS) get. */
export interface CellEnv {
  /** Test certificates; required for tls+tcp:// rows. */
  readonly certs?: TestCerts;
}

/**
 * The reference's endpoint options for tls+tcp://: a listener presents the
 * server certificate, a dialer verifies the peer against the test CA.
 */
export function referenceTls(certs: TestCerts, mode: "listen" | "dial"): EndpointOptions {
  return mode === "listen"
    ? { tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.caCert } }
    : { tls: { ca: certs.caCert } };
}

/**
 * Runs `cell` and reports what happened; never throws.
 *
 * @example
 * ```ts
 * const r = await runCell({ row, peer: "nng" }, {});
 * r.ok; // true when the exchange completed both ways
 * ```
 */
export async function runCell(cell: Cell, env: CellEnv): Promise<CellResult> {
  const t0 = Date.now();
  const { row } = cell;
  const scheme = row.transport.scheme;
  const sock = openSocket(row.ref, { reconnectMin: 50, reconnectMax: 200 });
  let peer: Running | undefined;
  const peerMode = row.direction === "ref listens" ? "dial" : "listen";
  try {
    if (sock === undefined) throw new Error(`reference has no ${row.ref}`);
    const tls =
      scheme === "tls+tcp" && env.certs !== undefined
        ? peerMode === "listen"
          ? {
              cert: env.certs.serverCertPath,
              key: env.certs.serverKeyPath,
              cacert: env.certs.caPath,
            }
          : { cacert: env.certs.caPath }
        : undefined;
    if (scheme === "tls+tcp" && env.certs === undefined) throw new Error("no test certificates");
    const refMode = row.direction === "ref listens" ? "listen" : "dial";
    const opts = tls !== undefined && env.certs ? referenceTls(env.certs, refMode) : undefined;
    let url: string;
    if (refMode === "listen") url = (await sock.listen(refListenUrl(scheme), opts)).url;
    else url = await peerListenUrl(scheme, cell.peer);
    const end: PeerEnd = { protocol: row.peer, mode: peerMode, url, tls, ...peerPlan(row.peer) };
    peer = start(peerTool[cell.peer], peerArgs(cell.peer, end), CELL_DEADLINE_MS + 2000);
    if (refMode === "dial") sock.dial(url, opts);
    const ctx: Ctx = { sock, peer, deadline: t0 + CELL_DEADLINE_MS };
    await exchange(ctx, row.ref);
    return { ok: true, detail: "", ms: Date.now() - t0 };
  } catch (e) {
    const err = peer?.stderr().toString().trim();
    const why = e instanceof Error ? e.message : String(e);
    return { ok: false, detail: err ? `${why}; peer stderr: ${err}` : why, ms: Date.now() - t0 };
  } finally {
    if (peer !== undefined && peer.child.exitCode === null) peer.child.kill("SIGKILL");
    await sock?.close().catch(() => undefined);
    if (peer !== undefined) await peer.done;
  }
}
