/**
 * inproc pipe life cycle (transport `inproc`): a restarted listener gets its
 * dialers back, closing either end closes the pipe for both, other pipes are
 * never disturbed, and the optional receive limit closes only its pipe.
 * PAIR v0 is monogamous, which makes a pipe that did not close visible: its
 * socket would not take a new partner.
 */
import type { IutSocket } from "../../adapters/iut.ts";
import { hex, utf8 } from "../../harness/sp.ts";
import { expectBytes, inprocName, openCooked, T } from "../raw/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

const INPROC = ["inproc"];

/**
 * Sends numbered messages from `from` until one arrives at `to` (within
 * `ms`); returns the body that arrived, or undefined.
 */
async function deliverSoon(
  from: IutSocket,
  to: IutSocket,
  tag: string,
  ms = 6000,
): Promise<string | undefined> {
  const deadline = performance.now() + ms;
  for (let i = 0; performance.now() < deadline; i++) {
    void from.trySend(utf8(`${tag} ${i}`), { timeoutMs: 400 });
    const r = await to.tryRecv({ timeoutMs: 400 });
    if (r.ok) return new TextDecoder().decode(r.value);
  }
  return undefined;
}

/** SP-INPROC-6: close the listener, bind the name again, the dialer comes back. */
const listenerRestart: ConformanceCase = {
  id: "inproc/listener-restart",
  title: "inproc dialer connects again when the name is bound again after its listener closed",
  requirements: ["SP-INPROC-6", "SP-INPROC-10"],
  kind: "example",
  needs: { protocols: ["push0", "pull0"], transports: INPROC },
  covers: ["inproc-pipe:active:close", "inproc-pipe:active:disconnect"],
  timeoutMs: 20000,
  async run(ctx: CaseContext) {
    const name = inprocName(ctx, "restart");
    const first = await openCooked(ctx, "pull0");
    await first.listen(name);
    const push = await openCooked(ctx, "push0");
    await push.dial(name);
    await push.send(utf8("before"), { timeoutMs: T.prompt });
    expectBytes(ctx, await first.recv({ timeoutMs: T.prompt }), "before", "the first listener");
    await first.close();
    const second = await openCooked(ctx, "pull0");
    await second.listen(name);
    const got = await deliverSoon(push, second, "after restart");
    if (got === undefined) ctx.fail("the dialer did not reach the listener bound again");
    ctx.note(`the new listener got "${got}"`);
  },
};

/** SP-INPROC-10: closing either end frees the other socket's end too (seen through PAIR v0). */
const closeEitherEnd: ConformanceCase = {
  id: "inproc/close-either-end",
  title: "closing either end of an inproc pipe closes it for both sockets",
  requirements: ["SP-INPROC-10", "SP-INPROC-6"],
  kind: "example",
  needs: { protocols: ["pair0"], transports: INPROC },
  covers: ["inproc-pipe:active:close", "inproc-pipe:active:disconnect"],
  timeoutMs: 25000,
  async run(ctx: CaseContext) {
    const name = inprocName(ctx, "pair");
    const listener = await openCooked(ctx, "pair0");
    await listener.listen(name);
    const d1 = await openCooked(ctx, "pair0");
    await d1.dial(name);
    await d1.send(utf8("from d1"), { timeoutMs: T.prompt });
    expectBytes(ctx, await listener.recv({ timeoutMs: T.prompt }), "from d1", "d1's message");
    // The dialing end closes: the listener's end must close too, or its monogamous
    // socket would keep the dead pipe and never take d2.
    await d1.close();
    const d2 = await openCooked(ctx, "pair0");
    await d2.dial(name);
    const toD2 = await deliverSoon(listener, d2, "to d2");
    if (toD2 === undefined) {
      ctx.fail("after the dialer closed, the listener's socket never reached a new partner");
    }
    // The listening end closes: d2's end must close too, so it connects to the next listener.
    await listener.close();
    const again = await openCooked(ctx, "pair0");
    await again.listen(name);
    const fromD2 = await deliverSoon(d2, again, "from d2");
    if (fromD2 === undefined) {
      ctx.fail("after the listener closed, the dialer never reached the listener bound again");
    }
  },
};

/**
 * SP-INPROC-10 with SP-INPROC-5: a dial that is still waiting for its listener
 * ends with its socket; the name's later listener never gets a pipe from it.
 * PAIR v0 makes a leftover pipe visible: the listener would not take a partner.
 */
const closeWhileJoining: ConformanceCase = {
  id: "inproc/close-while-joining",
  title: "an inproc dial closed before any listener bound the name never joins a later listener",
  requirements: ["SP-INPROC-10", "SP-INPROC-5"],
  kind: "example",
  needs: { protocols: ["pair0"], transports: INPROC },
  covers: ["inproc-pipe:joining:close", "inproc-pipe:joining:connect"],
  timeoutMs: 20000,
  async run(ctx: CaseContext) {
    const name = inprocName(ctx, "early-close");
    const gone = await openCooked(ctx, "pair0");
    await gone.dial(name);
    // Long enough for an implementation that retries its dial to have tried at least once.
    await new Promise((res) => setTimeout(res, 300));
    await gone.close();
    const listener = await openCooked(ctx, "pair0");
    await listener.listen(name);
    await new Promise((res) => setTimeout(res, T.quiet));
    const partner = await openCooked(ctx, "pair0");
    await partner.dial(name);
    const got = await deliverSoon(partner, listener, "to the listener");
    if (got === undefined) {
      ctx.fail(
        "the listener never took a live partner: the closed socket's waiting dial must have joined it",
      );
    }
    const back = await deliverSoon(listener, partner, "back");
    if (back === undefined) ctx.fail("the listener's messages never reached its live partner");
    ctx.note(`the listener and its live partner exchanged "${got}" and "${back}"`);
  },
};

/** SP-INPROC-11: a closed pipe leaves the socket's other pipes and endpoints alone. */
const othersUnaffected: ConformanceCase = {
  id: "inproc/other-pipes-unaffected",
  title: "closing one inproc pipe leaves the other pipes, listeners and dialers working",
  requirements: ["SP-INPROC-11"],
  kind: "example",
  needs: { protocols: ["push0", "pull0"], transports: INPROC },
  async run(ctx: CaseContext) {
    const n1 = inprocName(ctx, "one");
    const n2 = inprocName(ctx, "two");
    const pull = await openCooked(ctx, "pull0");
    await pull.listen(n1);
    await pull.listen(n2);
    const p1 = await openCooked(ctx, "push0");
    const p2 = await openCooked(ctx, "push0");
    await p1.dial(n1);
    await p2.dial(n1);
    for (const [p, tag] of [
      [p1, "p1"],
      [p2, "p2"],
    ] as const) {
      await p.send(utf8(`hello from ${tag}`), { timeoutMs: T.prompt });
      expectBytes(ctx, await pull.recv({ timeoutMs: T.prompt }), `hello from ${tag}`, tag);
    }
    await p1.close();
    await p2.send(utf8("p2 still here"), { timeoutMs: T.prompt });
    expectBytes(ctx, await pull.recv({ timeoutMs: T.prompt }), "p2 still here", "p2 after p1 left");
    // The listeners still accept: a new dialer on each name.
    for (const n of [n1, n2]) {
      const p = await openCooked(ctx, "push0");
      await p.dial(n);
      await p.send(utf8(`new on ${n}`), { timeoutMs: T.prompt });
      expectBytes(ctx, await pull.recv({ timeoutMs: T.prompt }), `new on ${n}`, `a new dialer`);
    }
  },
};

/** SP-INPROC-9: when the IUT applies recv-size-max to inproc (SP-INPROC-14), only the carrying pipe closes. */
const receiveLimit: ConformanceCase = {
  id: "inproc/receive-limit",
  title: "an inproc message over recv-size-max, when the limit applies, closes only its pipe",
  requirements: ["SP-INPROC-9", "SP-INPROC-14", "SP-INPROC-11"],
  kind: "malformed",
  needs: { protocols: ["push0", "pull0"], transports: INPROC, options: ["recv-size-max"] },
  covers: ["inproc-pipe:active:oversize"],
  async run(ctx: CaseContext) {
    const name = inprocName(ctx, "limit");
    const pull = await openCooked(ctx, "pull0");
    await pull.setopt("recv-size-max", 1024);
    await pull.listen(name);
    const big = await openCooked(ctx, "push0");
    const small = await openCooked(ctx, "push0");
    await big.dial(name);
    await small.dial(name);
    for (const [p, tag] of [
      [big, "big"],
      [small, "small"],
    ] as const) {
      await p.send(utf8(`hello from ${tag}`), { timeoutMs: T.prompt });
      expectBytes(ctx, await pull.recv({ timeoutMs: T.prompt }), `hello from ${tag}`, tag);
    }
    await big.send(new Uint8Array(4096).fill(0x42), { timeoutMs: T.prompt });
    const r = await pull.tryRecv({ timeoutMs: T.quiet * 2 });
    if (r.ok) {
      if (r.value.length !== 4096) ctx.fail(`the 4096-byte message arrived as ${hex(r.value)}`);
      ctx.info(
        "the IUT does not apply recv-size-max to inproc messages (SP-INPROC-14 allows that; nothing further to check)",
      );
      return;
    }
    // The limit applied: the other pipe must be untouched.
    await small.send(utf8("small after"), { timeoutMs: T.prompt });
    expectBytes(ctx, await pull.recv({ timeoutMs: T.prompt }), "small after", "the other pipe");
    ctx.note("the 4096-byte message was refused (the limit applies to inproc)");
  },
};

/** inproc life-cycle cases, in run order. */
export const inprocLifecycleCases: readonly ConformanceCase[] = [
  listenerRestart,
  closeEitherEnd,
  closeWhileJoining,
  othersUnaffected,
  receiveLimit,
];
