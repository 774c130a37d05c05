/**
 * inproc transfer cases (transport `inproc`): both ends are IUT sockets of
 * one adapter process; the suite observes through send and recv only.
 * Names, the peer check, dialing before binding, and bytes in order.
 */
import { IutError } from "../../adapters/iut.ts";
import { hex, sameBytes, utf8 } from "../../harness/sp.ts";
import { expectBytes, inprocName, openCooked, recvNothing, T } from "../raw/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

const INPROC = ["inproc"];

/** Seeded pseudo-random bytes (xorshift32). */
function bytes(seed: number, n: number): Uint8Array {
  let x = seed >>> 0 || 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** SP-INPROC-3: bytes arrive exactly and in order; protocols split headers as on a stream. */
const bytesInOrder: ConformanceCase = {
  id: "inproc/bytes-in-order",
  title: "inproc delivers each message whole, byte for byte, in the order sent",
  requirements: ["SP-INPROC-3", "SP-FRAMEWORK-1", "SP-FRAMEWORK-2", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: { protocols: ["push0", "pull0", "req0", "rep0"], transports: INPROC },
  covers: ["inproc-pipe:joining:connect"],
  async run(ctx: CaseContext) {
    const name = inprocName(ctx, "pipeline");
    const pull = await openCooked(ctx, "pull0");
    await pull.listen(name);
    const push = await openCooked(ctx, "push0");
    await push.dial(name);
    const msgs = [
      utf8("first"),
      new Uint8Array(0),
      new Uint8Array([0x80, 0, 0, 1]),
      bytes(ctx.seed, 1000),
      bytes(ctx.seed + 1, 70000),
      utf8("last"),
    ];
    // Sends run alongside the receives: PUSH may hold a send until PULL has room.
    const sending = (async () => {
      for (const [i, m] of msgs.entries()) {
        const r = await push.trySend(m, { timeoutMs: T.prompt * 2 });
        if (!r.ok) return `send ${i + 1} failed with ${r.code}`;
      }
      return undefined;
    })();
    for (const [i, m] of msgs.entries()) {
      const r = await pull.tryRecv({ timeoutMs: T.prompt });
      if (!r.ok) ctx.fail(`message ${i + 1} of ${msgs.length} did not arrive: ${r.code}`);
      if (!sameBytes(r.value, m)) {
        ctx.fail(`message ${i + 1}: expected ${hex(m)}, got ${hex(r.value)}`);
      }
    }
    const sendError = await sending;
    if (sendError) ctx.fail(sendError);
    await recvNothing(ctx, pull, "every message was received once");
    // A protocol with a header: REQ's request id is added and removed as on a stream.
    const rname = inprocName(ctx, "reqrep");
    const rep = await openCooked(ctx, "rep0");
    await rep.listen(rname);
    const req = await openCooked(ctx, "req0");
    await req.dial(rname);
    await req.send(utf8("ping"), { timeoutMs: T.prompt });
    expectBytes(ctx, await rep.recv({ timeoutMs: T.prompt }), "ping", "the request at REP");
    await rep.send(utf8("pong"), { timeoutMs: T.prompt });
    expectBytes(ctx, await req.recv({ timeoutMs: T.prompt }), "pong", "the reply at REQ");
  },
};

/** SP-INPROC-2: one name, one listener per process. */
const addressInUse: ConformanceCase = {
  id: "inproc/address-in-use",
  title: "inproc refuses a second listener on a bound name with EADDRINUSE",
  requirements: ["SP-INPROC-2"],
  kind: "example",
  needs: { protocols: ["push0", "pull0"], transports: INPROC },
  async run(ctx: CaseContext) {
    const name = inprocName(ctx, "taken");
    const first = await openCooked(ctx, "pull0");
    await first.listen(name);
    const second = await openCooked(ctx, "pull0");
    try {
      await second.listen(name);
      ctx.fail(`a second listen on ${name} succeeded`);
    } catch (e) {
      if (!(e instanceof IutError)) throw e;
      if (e.code !== "EADDRINUSE")
        ctx.fail(`the second listen failed with ${e.code}, not EADDRINUSE`);
    }
    // The refused bind did not disturb the holder of the name.
    const push = await openCooked(ctx, "push0");
    await push.dial(name);
    await push.send(utf8("to the first"), { timeoutMs: T.prompt });
    expectBytes(
      ctx,
      await first.recv({ timeoutMs: T.prompt }),
      "to the first",
      "the first listener",
    );
  },
};

/** SP-INPROC-4: sockets of protocols that are not peers never exchange a message. */
const peerCheck: ConformanceCase = {
  id: "inproc/peer-check",
  title: "inproc joins only sockets whose protocols are peers",
  requirements: ["SP-INPROC-4", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: { protocols: ["req0", "rep0", "pair0", "push0", "pull0", "pub0"], transports: INPROC },
  // The listening end refuses first; the dialing end, still joining, sees it go (disconnect).
  covers: [
    "inproc-pipe:joining:connect[!peerCompatible]",
    "inproc-pipe:joining:disconnect",
    "inproc-pipe:joining:connect",
  ],
  async run(ctx: CaseContext) {
    // PAIR v0 dialing a REP: nothing may reach the REP.
    const rname = inprocName(ctx, "rep");
    const rep = await openCooked(ctx, "rep0");
    await rep.listen(rname);
    const pair = await openCooked(ctx, "pair0");
    await pair.dial(rname);
    const s = await pair.trySend(utf8("not a request"), { timeoutMs: T.quiet });
    ctx.note(s.ok ? "the PAIR send completed" : `the PAIR send ended with ${s.code}`);
    await recvNothing(ctx, rep, "a PAIR socket is not a peer of REP", T.quiet * 2);
    // PUB dialing a PULL: nothing may reach the PULL.
    const pname = inprocName(ctx, "pull");
    const pull = await openCooked(ctx, "pull0");
    await pull.listen(pname);
    const pub = await openCooked(ctx, "pub0");
    await pub.dial(pname);
    for (let i = 0; i < 3; i++) {
      await pub.send(utf8(`news ${i}`), { timeoutMs: T.prompt });
      await new Promise((res) => setTimeout(res, 100));
    }
    await recvNothing(ctx, pull, "a PUB socket is not a peer of PULL", T.quiet * 2);
    // Both listeners still serve proper peers.
    const req = await openCooked(ctx, "req0");
    await req.dial(rname);
    await req.send(utf8("a request"), { timeoutMs: T.prompt });
    expectBytes(ctx, await rep.recv({ timeoutMs: T.prompt }), "a request", "REQ's request");
    const push = await openCooked(ctx, "push0");
    await push.dial(pname);
    await push.send(utf8("a task"), { timeoutMs: T.prompt });
    expectBytes(ctx, await pull.recv({ timeoutMs: T.prompt }), "a task", "PUSH's message");
  },
};

/** SP-INPROC-5: a dial to an unbound name waits for the listener. */
const dialBeforeListen: ConformanceCase = {
  id: "inproc/dial-before-listen",
  title: "inproc dial before the name is bound connects once a listener binds it",
  requirements: ["SP-INPROC-5"],
  kind: "example",
  needs: { protocols: ["push0", "pull0"], transports: INPROC },
  covers: ["inproc-pipe:joining:connect"],
  timeoutMs: 15000,
  async run(ctx: CaseContext) {
    const name = inprocName(ctx, "later");
    const push = await openCooked(ctx, "push0");
    try {
      await push.dial(name);
    } catch (e) {
      if (!(e instanceof IutError)) throw e;
      ctx.fail(`dialing an unbound inproc name failed with ${e.code}; it must wait for a listener`);
    }
    await new Promise((res) => setTimeout(res, 500));
    const pull = await openCooked(ctx, "pull0");
    const t0 = performance.now();
    await pull.listen(name);
    const sent = push.trySend(utf8("early bird"), { timeoutMs: 8000 });
    const r = await pull.tryRecv({ timeoutMs: 8000 });
    const s = await sent;
    if (!r.ok) ctx.fail(`the dialer never connected after the bind (recv ${r.code})`);
    if (!s.ok) ctx.fail(`the send failed with ${s.code}`);
    expectBytes(ctx, r.value, "early bird", "the message from the early dialer");
    ctx.note(`connected and delivered ${Math.round(performance.now() - t0)} ms after the bind`);
  },
};

/** inproc transfer cases, in run order. */
export const inprocTransferCases: readonly ConformanceCase[] = [
  bytesInOrder,
  addressInUse,
  peerCheck,
  dialBeforeListen,
];
