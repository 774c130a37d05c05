/**
 * Operator-visible counting of refused input (feature `stats`): a socket
 * closes a pipe whose input it cannot parse and counts it where an operator
 * can see it (SP-FRAMEWORK-17), read here as the `bad-input` statistic.
 */

import type { IutSocket } from "../../adapters/iut.ts";
import { utf8 } from "../../harness/sp.ts";
import { listening, NUM, needs, statsOf, T, wirePeer } from "../raw/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

/** Reads `bad-input`, failing when the adapter's stats lack it. */
async function badInput(ctx: CaseContext, sock: IutSocket): Promise<number> {
  const s = await statsOf(ctx, sock);
  const n = s["bad-input"];
  if (typeof n !== "number") ctx.fail(`the stats have no bad-input counter: ${JSON.stringify(s)}`);
  return n;
}

/** Polls `bad-input` until it exceeds `before` (bounded); returns the last value. */
async function grows(ctx: CaseContext, sock: IutSocket, before: number): Promise<number> {
  const deadline = performance.now() + T.prompt;
  for (;;) {
    const n = await badInput(ctx, sock);
    if (n > before || performance.now() > deadline) return n;
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** SP-FRAMEWORK-17: closed and counted, for a bad header and an oversize frame. */
const badInputCounted: ConformanceCase = {
  id: "framework/stats-bad-input",
  title: "a socket closes a pipe with unparsable input and counts it in its statistics",
  requirements: ["SP-FRAMEWORK-17", "SP-TCP-3", "SP-TCP-10"],
  kind: "malformed",
  needs: needs(["rep0"], ["stats"], ["recv-size-max"]),
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "rep0", { options: { "recv-size-max": 1024 } });
    const start = await badInput(ctx, sock);
    // A connection header with a wrong magic: input the protocol cannot parse.
    const bad = await ctx.connect(url, "badMagic");
    bad.sendHeader({ protocol: NUM.req0, magic: [0x00, 0x53, 0x51, 0x00] });
    await bad.expectClosed(T.prompt, "a wrong magic must close the connection (SP-TCP-3)");
    const afterMagic = await grows(ctx, sock, start);
    if (afterMagic <= start) {
      ctx.fail(`bad-input stayed at ${start} after the IUT closed a connection for a bad header`);
    }
    // An oversize frame on an established pipe.
    const big = await wirePeer(ctx, url, "req0", "rep0", "oversize");
    big.sendFrame(utf8("x".repeat(4096)));
    await big.expectClosed(T.prompt, "a frame over recv-size-max must close the pipe (SP-TCP-10)");
    const afterBig = await grows(ctx, sock, afterMagic);
    if (afterBig <= afterMagic) {
      ctx.fail(
        `bad-input stayed at ${afterMagic} after the IUT closed a pipe for an oversize frame`,
      );
    }
    ctx.note(`bad-input: ${start} → ${afterMagic} → ${afterBig}`);
  },
};

/** Stats cases, in run order. */
export const statsCases: readonly ConformanceCase[] = [badInputCounted];
