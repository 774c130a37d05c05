/**
 * Send priorities on dialed pipes (option `send-priority`, NN_SNDPRIO
 * semantics: it applies to endpoints created after it is set). The
 * listening variant is pipeline/push-send-priority.
 */
import { IutError, type IutSocket } from "../../adapters/iut.ts";
import { hex, sameBytes, utf8 } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { sleep } from "../common/paths-runtime.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { openIut, PIPELINE_PROTO, T, whichGot } from "./common.ts";

/** Sends `body` and returns which of `peers` got it (checking the bytes). */
async function sendAndSee(
  ctx: CaseContext,
  send: (b: Uint8Array) => Promise<void>,
  peers: WirePeer[],
  body: string,
): Promise<WirePeer> {
  await send(utf8(body));
  const i = await whichGot(peers);
  if (i < 0) ctx.fail(`"${body}" reached none of ${peers.map((p) => p.label).join(", ")}`);
  const p = peers[i] as WirePeer;
  const f = await p.readFrame(T.prompt);
  if (!sameBytes(f, utf8(body))) ctx.fail(`${p.label} got ${hex(f)}, expected "${body}"`);
  return p;
}

/**
 * SP-PIPELINE-8: a PUSH dials a priority-1 and a priority-3 PULL. The
 * priority-1 pipe takes every message; when it goes, the priority-3 pipe
 * takes them; when the dialer has reconnected, priority 1 wins again.
 */
export const pushPriorityDialed: ConformanceCase = {
  id: "pipeline/push-priority-dialed",
  title:
    "PUSH dialing with send priorities uses the best-priority pipe, and falls back when it goes",
  requirements: ["SP-PIPELINE-7", "SP-PIPELINE-8"],
  kind: "example",
  needs: { protocols: ["push0"], transports: ["tcp"], options: ["send-priority"] },
  timeoutMs: 30000,
  async run(ctx: CaseContext) {
    const push = await openIut(ctx, "push0");
    const lowServer = await ctx.server("low");
    const highServer = await ctx.server("high");
    // The low-priority endpoint is created (and connects) first, so order cannot explain the result.
    await push.setopt("send-priority", 3);
    await push.dial(lowServer.url);
    const low = await lowServer.accept(T.prompt * 2);
    await low.handshake(PIPELINE_PROTO.pull0);
    await push.setopt("send-priority", 1);
    await push.dial(highServer.url);
    const high = await highServer.accept(T.prompt * 2);
    await high.handshake(PIPELINE_PROTO.pull0);
    await sleep(T.settle);
    const send = (b: Uint8Array) => push.send(b, { timeoutMs: T.prompt });
    for (let i = 0; i < 4; i++) {
      const who = await sendAndSee(ctx, send, [high, low], `first-${i}`);
      if (who !== high)
        ctx.fail(`first-${i} went to the priority-3 pipe while priority 1 was ready`);
    }
    // The priority-1 connection goes; the dialer will try again, but we leave that
    // attempt without an SP header for now, so no priority-1 pipe exists.
    high.close();
    await sleep(400);
    for (let i = 0; i < 4; i++) {
      const r = await push.trySend(utf8(`fallback-${i}`), { timeoutMs: T.prompt * 2 });
      if (!r.ok) {
        ctx.fail(`fallback-${i} failed with ${r.code} although a priority-3 pipe was ready`);
      }
      const f = await low.readFrame(T.prompt);
      if (!sameBytes(f, utf8(`fallback-${i}`))) ctx.fail(`the priority-3 peer got ${hex(f)}`);
    }
    // The dialer reconnects; once that pipe is up, it is the best again.
    const again = await highServer.accept(10000);
    await again.handshake(PIPELINE_PROTO.pull0);
    await sleep(T.settle);
    for (let i = 0; i < 3; i++) {
      const who = await sendAndSee(ctx, send, [again, low], `again-${i}`);
      if (who !== again) {
        ctx.fail(`again-${i} went to the priority-3 pipe after the priority-1 pipe came back`);
      }
    }
  },
};

/** True when nothing accepts a connection at `url` (refused, or closed at once). */
async function refuses(ctx: CaseContext, url: string, label: string): Promise<boolean> {
  let peer: WirePeer;
  try {
    peer = await ctx.connect(url, label);
  } catch {
    return true;
  }
  return peer.waitClosed(T.prompt);
}

/**
 * SP-FRAMEWORK-19 for endpoints created with a send priority: closing the
 * PUSH closes its prioritised listener and dialer and their pipes, and a
 * listen that was still in progress when close came leaves nothing open.
 */
export const pushPriorityClose: ConformanceCase = {
  id: "pipeline/push-close-priority-endpoints",
  title: "Closing a PUSH closes the endpoints and pipes it created with a send priority",
  requirements: ["SP-FRAMEWORK-19", "SP-FRAMEWORK-20", "SP-PIPELINE-7"],
  kind: "example",
  needs: { protocols: ["push0"], transports: ["tcp"], options: ["send-priority"] },
  timeoutMs: 20000,
  async run(ctx: CaseContext) {
    const push = await openIut(ctx, "push0");
    await push.setopt("send-priority", 2);
    const server = await ctx.server("dialed");
    await push.dial(server.url);
    const dialed = await server.accept(T.prompt * 2);
    await dialed.handshake(PIPELINE_PROTO.pull0);
    const url = await push.listen(ctx.iutUrl("tcp"));
    const accepted = await ctx.connect(url, "accepted");
    await accepted.handshake(PIPELINE_PROTO.pull0);
    await sleep(T.settle);
    // A listen still in progress when close arrives: it fails with ECLOSED, or it
    // completed first and close then closes it like the others.
    const racing = push.listen(ctx.iutUrl("tcp")).then(
      (u) => ({ ok: true as const, url: u }),
      (e: unknown) => ({
        ok: false as const,
        why: String(e),
        code: e instanceof IutError ? e.code : undefined,
      }),
    );
    await push.close();
    const late = await racing;
    ctx.note(late.ok ? `the racing listen completed (${late.url})` : `racing listen: ${late.why}`);
    // SP-FRAMEWORK-20: an operation cut short by close reports ECLOSED.
    if (!late.ok && late.code !== "ECLOSED") {
      ctx.warn(
        `the listen that raced with close failed with ${late.code ?? late.why}, not ECLOSED`,
      );
    }
    if (!(await dialed.waitClosed(T.prompt))) ctx.fail("the dialed pipe stayed open after close");
    if (!(await accepted.waitClosed(T.prompt)))
      ctx.fail("the accepted pipe stayed open after close");
    if (!(await refuses(ctx, url, "after-close"))) {
      ctx.fail("the priority listener still accepts connections after close");
    }
    if (late.ok && !(await refuses(ctx, late.url, "racing-after-close"))) {
      ctx.fail("the listener of a listen that raced with close still accepts connections");
    }
    // The priority dialer is closed too: it does not connect again.
    let redialed = false;
    try {
      await server.accept(800);
      redialed = true;
    } catch {
      // No connection: the dialer is gone.
    }
    if (redialed) ctx.fail("the priority dialer connected again after the socket was closed");
  },
};

/** Reads the IUT's `bad-input` counter of `sock`. */
async function badInput(ctx: CaseContext, sock: IutSocket): Promise<number> {
  const n = (await ctx.iut.stats(sock))["bad-input"];
  if (typeof n !== "number") ctx.fail("the stats have no bad-input counter");
  return n;
}

/**
 * SP-FRAMEWORK-17 on a listener created with a send priority: a connection
 * whose SP header is wrong is closed and counted like on any other endpoint.
 */
export const pushPriorityBadInput: ConformanceCase = {
  id: "pipeline/push-priority-listener-counts-bad-input",
  title: "A PUSH listener with a send priority closes and counts a connection with a bad header",
  requirements: ["SP-FRAMEWORK-17", "SP-TCP-3", "SP-PIPELINE-7"],
  kind: "malformed",
  needs: {
    protocols: ["push0"],
    transports: ["tcp"],
    options: ["send-priority"],
    features: ["stats"],
  },
  async run(ctx: CaseContext) {
    const push = await openIut(ctx, "push0");
    await push.setopt("send-priority", 4);
    const url = await push.listen(ctx.iutUrl("tcp"));
    const before = await badInput(ctx, push);
    const bad = await ctx.connect(url, "badMagic");
    bad.sendHeader({ protocol: PIPELINE_PROTO.pull0, magic: [0x00, 0x53, 0x51, 0x00] });
    if (!(await bad.waitClosed(T.prompt)))
      ctx.fail("a wrong SP magic did not close the connection");
    const deadline = performance.now() + T.prompt;
    let after = await badInput(ctx, push);
    while (after <= before && performance.now() < deadline) {
      await sleep(50);
      after = await badInput(ctx, push);
    }
    ctx.note(`bad-input: ${before} → ${after}`);
    if (after <= before) ctx.fail(`bad-input stayed at ${before} after a bad header was refused`);
    // The listener still works for a proper PULL.
    const good = await ctx.connect(url, "pull");
    await good.handshake(PIPELINE_PROTO.pull0);
    await sleep(T.settle);
    await push.send(utf8("after the bad one"), { timeoutMs: T.prompt });
    const f = await good.readFrame(T.prompt);
    if (!sameBytes(f, utf8("after the bad one"))) ctx.fail(`the PULL peer got ${hex(f)}`);
  },
};

/**
 * SP-FRAMEWORK-20: a dial with a send priority on a transport the IUT does not
 * have fails with ENOTSUP, as a dial without one does, and the socket stays usable.
 */
export const pushPriorityUnknownScheme: ConformanceCase = {
  id: "pipeline/push-priority-dial-unknown-transport",
  title: "A PUSH dial with a send priority to an unknown transport fails with ENOTSUP",
  requirements: ["SP-FRAMEWORK-20", "SP-PIPELINE-7"],
  kind: "malformed",
  needs: { protocols: ["push0"], transports: ["tcp"], options: ["send-priority"] },
  async run(ctx: CaseContext) {
    const push = await openIut(ctx, "push0");
    await push.setopt("send-priority", 5);
    let code: string | undefined;
    try {
      await push.dial(ctx.suiteUrl("nosuchtransport", 5555));
    } catch (e) {
      code = e instanceof IutError ? e.code : String(e);
    }
    if (code === undefined) ctx.warn("a dial to an unknown transport was accepted");
    else if (code !== "ENOTSUP") ctx.warn(`a dial to an unknown transport failed with ${code}`);
    // The failed dial left the socket as it was: a proper priority dial works.
    const server = await ctx.server("pull");
    await push.dial(server.url);
    const pull = await server.accept(T.prompt * 2);
    await pull.handshake(PIPELINE_PROTO.pull0);
    await sleep(T.settle);
    await push.send(utf8("still here"), { timeoutMs: T.prompt });
    const f = await pull.readFrame(T.prompt);
    if (!sameBytes(f, utf8("still here"))) ctx.fail(`the PULL peer got ${hex(f)}`);
  },
};

/** Send-priority cases of this family, in run order. */
export const pushPriorityCases: ConformanceCase[] = [
  pushPriorityDialed,
  pushPriorityClose,
  pushPriorityBadInput,
  pushPriorityUnknownScheme,
];
