/**
 * SP-INPROC-1: an inproc name lives in the process that binds it. The case
 * starts a second instance of the IUT (another adapter process) and checks,
 * through both, that the same name is free over there, that a dialer over
 * there reaches its own process's listener only, and that nothing crosses
 * in either direction.
 */
import type { IutSocket } from "../../adapters/iut.ts";
import { utf8 } from "../../harness/sp.ts";
import { inprocName } from "../raw/common.ts";
import type { CaseContext, CaseIut, ConformanceCase } from "../types.ts";

const T = { deliver: 3000, quiet: 400 } as const;

/** Binds `name` on a fresh PAIR v0 socket of `iut`; fails the case on an error. */
async function bind(ctx: CaseContext, iut: CaseIut, name: string, who: string) {
  const s = await iut.open("pair0");
  try {
    await s.listen(name);
  } catch (e) {
    ctx.fail(`${who} could not bind ${name}: ${(e as Error).message}`);
  }
  return s;
}

/** Fails if `s` receives anything within the quiet time. */
async function expectSilent(ctx: CaseContext, s: IutSocket, what: string) {
  const r = await s.tryRecv({ timeoutMs: T.quiet });
  if (r.ok) ctx.fail(`${what} received a message from the other process`);
}

const namePerProcess: ConformanceCase = {
  id: "inproc/name-per-process",
  title: "An inproc name is visible only inside the process that binds it",
  requirements: ["SP-INPROC-1"],
  kind: "example",
  needs: { protocols: ["pair0"], transports: ["inproc"] },
  timeoutMs: 20000,
  async run(ctx: CaseContext) {
    const first = ctx.iut;
    const second = await ctx.iut.sibling();
    const name = inprocName(ctx, "shared");

    // SP-INPROC-1: the first process holds the name; the second may bind it too.
    const here = await bind(ctx, first, name, "the first process");
    const there = await bind(ctx, second, name, "the second process (the name is taken elsewhere)");

    // A dialer in the second process reaches the listener of its own process.
    const dialer = await second.open("pair0");
    await dialer.dial(name);
    const hello = utf8("same process");
    let delivered = false;
    const end = performance.now() + T.deliver;
    while (!delivered && performance.now() < end) {
      const sent = await dialer.trySend(hello, { timeoutMs: 300 });
      if (!sent.ok) continue;
      const got = await there.tryRecv({ timeoutMs: 300 });
      delivered = got.ok;
    }
    if (!delivered) ctx.fail("a dialer could not reach the listener of its own process");
    await expectSilent(ctx, here, "the first process's listener");

    // A name bound only in the second process is unknown to the first.
    const only = inprocName(ctx, "only-there");
    const far = await bind(ctx, second, only, "the second process");
    const probe = await first.open("pair0");
    await probe.dial(only);
    const r = await probe.trySend(utf8("cross?"), { timeoutMs: T.quiet });
    // PAIR v0 waits for a peer: a send that completes went somewhere.
    if (r.ok) ctx.note("the first process's send completed without a peer (buffered)");
    await expectSilent(ctx, far, "a listener in the second process");
  },
};

/** Cases of this file, in run order. */
export const inprocProcessCases = [namePerProcess];
