/**
 * Raw PUSH (feature `raw`): it load-balances like the cooked socket and puts
 * no header on the wire; as the back of a PULL→PUSH device it forwards each
 * message to exactly one downstream PULL.
 */
import { hex, sameBytes, utf8 } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { sleep } from "../common/paths-runtime.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { PIPELINE_PROTO, rawPeer, T, whichGot } from "./common.ts";

/** Reads which of `pulls` got `body`; fails on other bytes or when none did. */
async function owner(ctx: CaseContext, pulls: WirePeer[], body: string): Promise<number> {
  const who = await whichGot(pulls);
  if (who < 0) ctx.fail(`"${body}" reached none of the PULL peers`);
  const p = pulls[who] as WirePeer;
  const f = await p.readFrame(T.prompt);
  // SP-PIPELINE-2: no header; the frame is the body.
  if (!sameBytes(f, utf8(body))) ctx.fail(`${p.label} got ${hex(f)}, expected "${body}"`);
  return who;
}

/** Fails unless both peers got at least two of the messages (round robin, SP-PIPELINE-4). */
function checkSplit(ctx: CaseContext, owners: number[], what: string): void {
  ctx.note(`${what} owners: ${owners.map((o) => `pull${o + 1}`).join(" ")}`);
  const counts = [0, 1].map((k) => owners.filter((o) => o === k).length);
  if (Math.min(...counts) < 2) {
    ctx.fail(`${what}: the split over two idle PULL peers was ${counts.join(":")}; expected turns`);
  }
}

/** A raw PUSH sends header-less bodies, each to one of two PULL peers, taking turns. */
export const xpushRoundRobin: ConformanceCase = {
  id: "pipeline/xpush-round-robin",
  title: "raw PUSH sends each body, with no header, to exactly one PULL, round robin",
  requirements: ["SP-PIPELINE-2", "SP-PIPELINE-3", "SP-PIPELINE-4"],
  kind: "example",
  needs: { protocols: ["push0"], transports: ["tcp"], features: ["raw"] },
  async run(ctx: CaseContext) {
    const push = await ctx.iut.open("push0", { raw: true });
    const url = await push.listen(ctx.iutUrl("tcp"));
    const pulls: WirePeer[] = [];
    for (const label of ["pull1", "pull2"]) {
      pulls.push(await rawPeer(ctx, url, PIPELINE_PROTO.pull0, PIPELINE_PROTO.push0, label));
    }
    await sleep(T.settle);
    const owners: number[] = [];
    for (let i = 0; i < 6; i++) {
      await push.send(utf8(`raw-${i}`), { timeoutMs: T.prompt, header: new Uint8Array(0) });
      owners.push(await owner(ctx, pulls, `raw-${i}`));
    }
    for (const p of pulls) await p.expectNothing(T.quiet, "every message goes to exactly one peer");
    checkSplit(ctx, owners, "raw PUSH");
  },
};

/** A PULL→PUSH device passes each message from an upstream PUSH to one downstream PULL. */
export const pipelineDevice: ConformanceCase = {
  id: "pipeline/device-pull-to-push",
  title: "a raw PULL→PUSH device forwards each message unchanged to exactly one downstream PULL",
  requirements: ["SP-PIPELINE-2", "SP-PIPELINE-3", "SP-PIPELINE-4", "SP-PIPELINE-10"],
  kind: "example",
  needs: { protocols: ["push0", "pull0"], transports: ["tcp"], features: ["raw", "device"] },
  async run(ctx: CaseContext) {
    const front = await ctx.iut.open("pull0", { raw: true });
    const frontUrl = await front.listen(ctx.iutUrl("tcp"));
    const back = await ctx.iut.open("push0", { raw: true });
    const backUrl = await back.listen(ctx.iutUrl("tcp"));
    await ctx.iut.device(front, back);
    const upstream = await rawPeer(
      ctx,
      frontUrl,
      PIPELINE_PROTO.push0,
      PIPELINE_PROTO.pull0,
      "upstream",
    );
    const pulls: WirePeer[] = [];
    for (const label of ["pull1", "pull2"]) {
      pulls.push(await rawPeer(ctx, backUrl, PIPELINE_PROTO.pull0, PIPELINE_PROTO.push0, label));
    }
    await sleep(T.settle);
    const owners: number[] = [];
    for (let i = 0; i < 6; i++) {
      upstream.sendFrame(utf8(`job-${i}`));
      owners.push(await owner(ctx, pulls, `job-${i}`));
    }
    for (const p of pulls) await p.expectNothing(T.quiet, "every message goes to exactly one peer");
    // SP-PIPELINE-13: the PULL side never sends anything upstream.
    await upstream.expectNothing(T.quiet, "a PULL must not send");
    checkSplit(ctx, owners, "device");
  },
};

/** Raw PUSH cases, in run order. */
export const pushRawCases: ConformanceCase[] = [xpushRoundRobin, pipelineDevice];
