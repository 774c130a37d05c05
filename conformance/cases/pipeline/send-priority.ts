/**
 * Send priorities (option `send-priority`, nanomsg NN_SNDPRIO semantics: it
 * applies to endpoints created after it is set): PUSH sends to a ready pipe
 * of the best priority, round robin among those (SP-PIPELINE-8).
 */
import { hex, utf8 } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { openCooked, settle, T, wirePeer } from "../raw/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

/** Which of `peers` received the next frame, checking it is `body`. */
async function receiver(ctx: CaseContext, peers: WirePeer[], body: string): Promise<WirePeer> {
  const deadline = performance.now() + T.prompt;
  for (;;) {
    const p = peers.find((x) => x.buffered > 0);
    if (p) {
      const f = await p.readFrame(T.prompt);
      if (hex(f) !== hex(utf8(body))) ctx.fail(`${p.label} got ${hex(f)}, expected "${body}"`);
      return p;
    }
    const left = deadline - performance.now();
    if (left <= 0) ctx.fail(`"${body}" reached none of ${peers.map((x) => x.label).join(", ")}`);
    await Promise.race(peers.map((x) => x.quiet(left)));
  }
}

/** SP-PIPELINE-8: best priority first, then the next level, round robin within a level. */
const pushPriority: ConformanceCase = {
  id: "pipeline/push-send-priority",
  title: "PUSH sends to the best-priority pipe while it is there, round robin within a priority",
  requirements: ["SP-PIPELINE-8"],
  kind: "example",
  needs: { protocols: ["push0"], transports: ["tcp"], options: ["send-priority"] },
  timeoutMs: 20000,
  async run(ctx: CaseContext) {
    const push = await openCooked(ctx, "push0");
    await push.setopt("send-priority", 1);
    const high = await push.listen(ctx.iutUrl("tcp"));
    await push.setopt("send-priority", 2);
    const low = await push.listen(ctx.iutUrl("tcp"));
    // Connect the low-priority peers first, so arrival order cannot explain the result.
    const l1 = await wirePeer(ctx, low, "pull0", "push0", "low1");
    const l2 = await wirePeer(ctx, low, "pull0", "push0", "low2");
    const h1 = await wirePeer(ctx, high, "pull0", "push0", "high1");
    await settle();
    const all = [l1, l2, h1];
    // SP-PIPELINE-8: while the priority-1 pipe takes messages, it gets all of them.
    for (let i = 0; i < 6; i++) {
      await push.send(utf8(`p1-${i}`), { timeoutMs: T.prompt });
      const who = await receiver(ctx, all, `p1-${i}`);
      if (who !== h1) ctx.fail(`message p1-${i} went to ${who.label}, not to the priority-1 pipe`);
    }
    // The priority-1 peer leaves: the priority-2 pipes take over, taking turns.
    h1.close();
    await settle(400);
    const owners: string[] = [];
    for (let i = 0; i < 6; i++) {
      await push.send(utf8(`p2-${i}`), { timeoutMs: T.prompt });
      owners.push((await receiver(ctx, [l1, l2], `p2-${i}`)).label);
    }
    ctx.note(`priority-2 owners: ${owners.join(" ")}`);
    for (let i = 1; i < owners.length; i++) {
      if (owners[i] === owners[i - 1]) {
        ctx.fail(`p2-${i - 1} and p2-${i} both went to ${owners[i]}; expected turns`);
      }
    }
  },
};

/** Send-priority cases, in run order. */
export const priorityCases: readonly ConformanceCase[] = [pushPriority];
