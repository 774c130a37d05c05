/**
 * Paths of the `req` machine. World: is the raw REP peer connected, is a recv
 * outstanding at the IUT. The IUT REQ dials a raw listener; the harness
 * decides when the connection completes (`pipeAdded`) and drops it
 * (`pipeRemoved`).
 */
import { reqMachine, reqTransitions } from "../../../spec/machines/req.ts";
import type { IutSocket } from "../../adapters/iut.ts";
import { concat, firstWord, hex, utf8, word32, words } from "../../harness/sp.ts";
import type { WirePeer, WireServer } from "../../harness/wire.ts";
import { expectErrorName } from "../common/error-name.ts";
import type { MachinePath, PathModel, PathStep, Stimulus } from "../common/paths-model.ts";
import { type MachinePaths, Pending, sleep } from "../common/paths-runtime.ts";
import type { CaseContext } from "../types.ts";
import { expectBytes, T } from "./common.ts";

interface W {
  peer: boolean;
  recv: boolean;
}

const model: PathModel<W> = {
  machine: reqMachine,
  table: reqTransitions,
  initialWorld: { peer: false, recv: false },
  stimuli(state, w) {
    const out: Stimulus<W>[] = [];
    const add = (name: string, event: string, guards: Record<string, boolean>, world: W) =>
      out.push({ name, event, guards, world });
    if (state === "idle") {
      add("send", "send", { pipeAvailable: w.peer }, { ...w, recv: false });
      add("recv", "recv", {}, w);
      if (w.peer) add("reply (stray id)", "reply", { idMatches: false }, w);
      // World-only moves: the connection comes and goes while nothing is outstanding.
      if (w.peer)
        add("peer leaves", "pipeRemoved", { carriedRequest: false }, { ...w, peer: false });
      else add("peer joins", "pipeAdded", {}, { ...w, peer: true });
      add("close", "close", {}, w);
    } else if (state === "pending") {
      add("send", "send", { pipeAvailable: w.peer }, { ...w, recv: false });
      if (!w.recv) add("recv", "recv", {}, { ...w, recv: true });
      if (!w.peer) add("peer joins", "pipeAdded", {}, { ...w, peer: true });
      add("close", "close", {}, w);
    } else if (state === "waiting") {
      add("reply[idMatches]", "reply", { idMatches: true }, { ...w, recv: false });
      add("reply (other id)", "reply", { idMatches: false }, w);
      if (!w.recv) add("recv", "recv", {}, { ...w, recv: true });
      add("after:resendTime", "after:resendTime", {}, w);
      add("peer drops", "pipeRemoved", { carriedRequest: true }, { ...w, peer: false });
      add("send", "send", { pipeAvailable: true }, { ...w, recv: false });
      add("close", "close", {}, w);
    }
    return out;
  },
  unobservable: {
    "req:pending:reply":
      "REQ is pending with a pipe attached only while that pipe is backed up; the path driver's peer always reads, so it never gets there (reqrep/req-reply-before-request-sent walks the row by holding a 16 MiB request unread)",
  },
};

interface D {
  req: IutSocket;
  server: WireServer;
  peer: WirePeer | undefined;
  /** Outstanding request id as seen on the wire, and its body. */
  id: number | undefined;
  body: Uint8Array | undefined;
  seen: Set<number>;
  recv: Pending<Uint8Array> | undefined;
  /**
   * Receives that were waiting for a cancelled request and went on waiting
   * (SP-REQREP-37 allows it): each may take the next matching reply.
   */
  stale: Pending<Uint8Array>[];
  /** A send still waiting for a peer. */
  sendOp: Pending<void> | undefined;
  /** The walk set a short resend interval: requests are repeated every T.resend ms. */
  resends: boolean;
  /** The IUT's reconnection after the peer left, held without our header until "peer joins". */
  early: WirePeer | undefined;
  n: number;
}

/** Reads request frames until `pick` accepts one (skipping resends of older ones). */
async function nextRequest(
  ctx: CaseContext,
  peer: WirePeer,
  pick: (id: number) => boolean,
  what: string,
): Promise<{ id: number; body: Uint8Array }> {
  const deadline = performance.now() + T.prompt;
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) ctx.fail(`no ${what} reached the peer within ${T.prompt} ms`);
    const payload = await peer.readFrame(left);
    const id = firstWord(payload);
    if (id === undefined)
      ctx.fail(`the IUT REQ sent a ${payload.length}-byte request without an id`);
    if (pick(id)) return { id, body: payload.subarray(4) };
  }
}

/**
 * With a short resend interval, sends the reply well between two resends:
 * drops the resends already read, waits for a fresh one and then a little.
 * nanomsg 1.1.5 drops a matching reply that reaches it while it is resending
 * (seen in CI: a reply written 0.3 ms before a resend was never delivered);
 * a reply placed at a random phase of the 100 ms timer hit that window about
 * once in a few hundred walks. The walk checks the rows, not that race.
 */
async function betweenResends(ctx: CaseContext, d: D): Promise<void> {
  const peer = d.peer as WirePeer;
  const id = d.id as number;
  while (peer.buffered >= 8) await peer.readFrame(T.prompt);
  await nextRequest(ctx, peer, (x) => x === id, "resent request");
  await sleep(RESEND_GAP_MS);
}

/** How long after a resend the reply goes out (a fifth of the 100 ms interval). */
const RESEND_GAP_MS = 20;

/** Fails if a receive left waiting for a cancelled request delivered something. */
function expectStaleQuiet(ctx: CaseContext, d: D, why: string) {
  for (const p of d.stale) {
    if (p.outcome?.ok)
      ctx.fail(
        `${why}, yet a recv left over from a cancelled request delivered ${hex(p.outcome.value)}`,
      );
  }
  d.stale = d.stale.filter((p) => !p.settled);
}

/**
 * The matching reply must reach exactly one of the receives that wait for it:
 * the current one, or (nanomsg) one left waiting since a cancelled request.
 * Which one takes it when several wait is the IUT's choice.
 */
async function deliveredOnce(
  ctx: CaseContext,
  d: D,
  current: Pending<Uint8Array>,
): Promise<Uint8Array> {
  const waiting = [current, ...d.stale];
  const deadline = performance.now() + T.prompt;
  for (;;) {
    const got = waiting.filter((p) => p.outcome?.ok);
    if (got.length > 1) ctx.fail(`the reply was delivered ${got.length} times`);
    const open = waiting.filter((p) => !p.settled);
    if (got.length === 1 || open.length === 0) break;
    const left = deadline - performance.now();
    if (left <= 0) break;
    await Promise.race([...open.map((p) => p.promise), sleep(left)]);
  }
  const got = waiting.find((p) => p.outcome?.ok);
  if (!got?.outcome?.ok) {
    const o = current.outcome;
    ctx.fail(
      `the matching reply was not delivered: ${o && !o.ok ? `recv failed with ${o.code}` : `no recv delivered it within ${T.prompt} ms`}`,
    );
  }
  const value = got.outcome.value;
  // No second delivery from the receives still waiting.
  await sleep(T.quiet / 5);
  if (waiting.filter((p) => p.outcome?.ok).length > 1) ctx.fail("the reply was delivered twice");
  d.stale = waiting.filter((p) => !p.settled);
  return value;
}

async function expectRecvNotSettled(ctx: CaseContext, d: D, why: string) {
  expectStaleQuiet(ctx, d, why);
  if (d.recv && (await d.recv.within(T.quiet))) {
    const o = d.recv.outcome;
    ctx.fail(
      `${why}, yet the pending recv ${o?.ok ? `delivered ${hex(o.value)}` : `failed with ${o?.code}`}`,
    );
  }
}

async function accept(ctx: CaseContext, d: D): Promise<WirePeer> {
  const held = d.early;
  d.early = undefined;
  let peer = held && !held.closed ? held : await d.server.accept(T.prompt);
  // A connection the harness left unanswered for a while may have been given up by
  // the IUT (its handshake timeout, SP-TCP-7; nanomsg waits 1 s) before "peer joins":
  // the IUT dials again, and the next connection is the one that counts.
  for (let dropped = 0; ; dropped++) {
    const h = await peer.handshake(0x31).catch((e: unknown) => {
      if (peer.closed && dropped < 5) return undefined;
      throw e;
    });
    if (h && !peer.closed) {
      if (h.protocol !== 0x30) ctx.fail(`the IUT REQ announced 0x${h.protocol.toString(16)}`);
      break;
    }
    ctx.note("the IUT had closed a connection the harness had not answered yet; took its next one");
    if (dropped >= 5) ctx.fail("the IUT kept closing its connections before the header exchange");
    peer = await d.server.accept(T.prompt);
  }
  d.peer = peer;
  return peer;
}

export const reqPaths: MachinePaths<W, D> = {
  machine: "req",
  family: "reqrep",
  model,
  limits: { maxSteps: 9, maxTours: 4, lifecycles: 3 },
  // The ESTATE of a recv with nothing outstanding, the ECLOSED of operations close fails.
  driverChecks: {
    "req:idle:recv": ["SP-FRAMEWORK-20"],
    "req:pending:close": ["SP-FRAMEWORK-20"],
    "req:waiting:close": ["SP-FRAMEWORK-20"],
  },
  driver: {
    needs(path: MachinePath<W>) {
      const resend = path.steps.some((s) => s.stimulus.event === "after:resendTime");
      return {
        protocols: ["req0"],
        transports: ["tcp"],
        options: resend ? ["reconnect-time-min", "req:resend-time"] : ["reconnect-time-min"],
      };
    },
    async setup(ctx: CaseContext, path: MachinePath<W>) {
      const req = await ctx.iut.open("req0");
      await req.setopt("reconnect-time-min", T.reconnect);
      const resends = path.steps.some((s) => s.stimulus.event === "after:resendTime");
      if (resends) await req.setopt("req:resend-time", T.resend);
      const server = await ctx.server();
      await req.dial(server.url);
      return {
        req,
        server,
        peer: undefined,
        id: undefined,
        body: undefined,
        seen: new Set(),
        recv: undefined,
        stale: [],
        sendOp: undefined,
        early: undefined,
        resends,
        n: 0,
      };
    },
    async apply(ctx: CaseContext, d: D, step: PathStep<W>) {
      const s = step.stimulus.name;
      if (s === "peer joins") {
        const peer = await accept(ctx, d);
        if (step.from === "pending") {
          // SP-REQREP-12: the waiting request goes out on the new connection.
          const r = await nextRequest(ctx, peer, () => true, "request held for a peer");
          if (d.body) expectBytes(ctx, r.body, d.body, "body of the held request");
          d.id = r.id;
          d.seen.add(r.id);
          if (d.sendOp) {
            const sent = await d.sendOp.promise;
            if (!sent.ok) ctx.fail(`the waiting send failed with ${sent.code} once the peer came`);
            d.sendOp = undefined;
          }
        }
      } else if (s === "peer leaves" || s === "peer drops") {
        d.peer?.close();
        d.peer = undefined;
        if (s === "peer drops") d.id = undefined;
        // The next stimulus must meet a REQ that has seen the connection go (else a send,
        // recv or close lands on the state before it). Its dialer connecting again shows
        // it has; that connection is held, without our header (so no pipe), until
        // "peer joins". An IUT that does not reconnect promptly only loses the wait.
        try {
          d.early = await d.server.accept(T.prompt);
        } catch {
          ctx.note(`no reconnection within ${T.prompt} ms after the peer left`);
        }
      } else if (s === "send") {
        const body = utf8(`request ${++d.n}`);
        const previous = d.sendOp;
        // With no peer the send may complete at once or wait for one (SP-REQREP-12 leaves it open).
        const op = new Pending(d.req.trySend(body, { timeoutMs: 30000 }));
        if (await op.within(d.peer ? T.prompt : 50)) {
          if (!op.outcome?.ok) ctx.fail(`send failed with ${op.outcome?.code}`);
          d.sendOp = undefined;
        } else if (d.peer)
          ctx.fail(`send did not complete within ${T.prompt} ms with a peer attached`);
        else {
          ctx.note("send waits while no peer is attached");
          d.sendOp = op;
        }
        if (
          previous &&
          (await previous.within(T.quiet)) &&
          previous.outcome &&
          !previous.outcome.ok
        ) {
          ctx.note(`the send of the cancelled request ended with ${previous.outcome.code}`);
        }
        d.body = body;
        d.id = undefined;
        if (d.peer) {
          const r = await nextRequest(ctx, d.peer, (id) => !d.seen.has(id), "new request");
          if ((r.id & 0x80000000) === 0) ctx.fail(`request id ${word32(r.id)} lacks its top bit`);
          expectBytes(ctx, r.body, body, "body of the new request");
          d.id = r.id;
          d.seen.add(r.id);
        }
        if (d.recv) {
          // SP-REQREP-10: the old request is cancelled; the drafts leave open what a
          // recv that was waiting for it sees, but it must not deliver anything yet.
          if (await d.recv.within(T.quiet)) {
            const o = d.recv.outcome;
            if (o?.ok) ctx.fail(`the recv of the cancelled request delivered ${hex(o.value)}`);
            ctx.note(`a recv waiting for the cancelled request failed with ${o?.code}`);
          } else {
            ctx.note("a recv waiting for the cancelled request stays pending");
            d.stale.push(d.recv);
          }
          d.recv = undefined;
        }
        expectStaleQuiet(ctx, d, "a new request was sent");
      } else if (s === "recv") {
        if (step.from === "idle") {
          const r = await d.req.tryRecv({ timeoutMs: T.prompt });
          if (r.ok) ctx.fail(`recv with no request outstanding delivered ${hex(r.value)}`);
          expectErrorName(ctx, r.code, "ESTATE", "recv with no request outstanding");
        } else {
          d.recv = new Pending(d.req.tryRecv({ timeoutMs: 30000 }));
          await expectRecvNotSettled(ctx, d, "no reply was sent");
        }
      } else if (s === "reply (stray id)") {
        (d.peer as WirePeer).sendFrame(concat(words(0x80c0ffee), utf8("stray")));
        await sleep(50);
        const r = await d.req.tryRecv({ timeoutMs: T.quiet });
        if (r.ok) ctx.fail(`a reply with no request outstanding was delivered: ${hex(r.value)}`);
        expectStaleQuiet(ctx, d, "the reply matched no request");
      } else if (s === "reply (other id)") {
        const other = ((d.id as number) ^ 0x00000101) | 0x80000000;
        (d.peer as WirePeer).sendFrame(concat(words(other), utf8("not yours")));
        // Checked now when a recv waits, else at the next delivery (which must be the real reply).
        await expectRecvNotSettled(ctx, d, "the reply carried another id");
      } else if (s === "reply[idMatches]") {
        if (d.resends) await betweenResends(ctx, d);
        const body = utf8(`reply ${d.n}`);
        (d.peer as WirePeer).sendFrame(concat(words(d.id as number), body));
        // A long timeout: if a stale recv takes the reply, this one stays waiting (until close).
        const current = d.recv ?? new Pending(d.req.tryRecv({ timeoutMs: 30000 }));
        const value = await deliveredOnce(ctx, d, current);
        expectBytes(ctx, value, body, "delivered reply (id stripped)");
        d.recv = undefined;
        d.id = undefined;
      } else if (s === "after:resendTime") {
        const id = d.id as number;
        const r = await nextRequest(ctx, d.peer as WirePeer, (x) => x === id, "resent request");
        expectBytes(ctx, r.body, d.body as Uint8Array, "body of the resent request");
      } else if (s === "close") {
        const peer = d.peer;
        // A send that looked parked may still have gone out on a pipe the IUT
        // had not yet seen drop (a loaded machine stretches that window); it
        // counts only if it settles after close was asked for.
        const doneBefore = d.sendOp?.settled === true && d.sendOp.outcome?.ok === true;
        if (doneBefore) ctx.note("the send thought parked completed before close");
        expectStaleQuiet(ctx, d, "no reply was sent");
        const waitingAtClose = (d.recv ? [d.recv, ...d.stale] : d.stale).filter((p) => !p.settled);
        await d.req.close();
        if (d.sendOp && !doneBefore) {
          const r = await d.sendOp.promise;
          if (r.ok) ctx.fail("a send waiting for a peer completed after close");
          expectErrorName(ctx, r.code, "ECLOSED", "a send waiting for a peer, on close,");
        }
        for (const p of waitingAtClose) {
          const r = await p.promise;
          if (r.ok) ctx.fail(`a pending recv delivered ${hex(r.value)} after close`);
          expectErrorName(ctx, r.code, "ECLOSED", "a pending recv, on close,");
        }
        if (peer && !(await peer.waitClosed(T.prompt)))
          ctx.fail("the IUT kept the connection open after close");
      } else ctx.fail(`no driver for stimulus ${s}`);
    },
  },
};
