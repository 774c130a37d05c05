/**
 * The TCP handshake timeout (SP-TCP-7, SHOULD): a peer that opens a
 * connection and never sends its header is cut off after a bounded time (the
 * bound is shortened as in ../common/handshake-timeout.ts).
 */
import { shortenHandshake } from "../common/handshake-timeout.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

export const tcpHandshakeTimeout: ConformanceCase = {
  id: "tcp/handshake-timeout",
  title: "A TCP peer that never sends its header is disconnected after a bounded time (SHOULD)",
  requirements: ["SP-TCP-7"],
  kind: "example",
  needs: { protocols: ["rep0"], transports: ["tcp"] },
  cat: {},
  covers: ["tcp-pipe:handshake:after:handshakeTimeout"],
  timeoutMs: 20000,
  async run(ctx: CaseContext) {
    const rep = await ctx.iut.open("rep0");
    const wait = await shortenHandshake(ctx, rep);
    const url = await rep.listen(ctx.iutUrl("tcp"));
    const started = performance.now();
    const silent = await ctx.connect(url, "silent");
    // SP-TCP-7: we never send our header.
    if (!(await silent.waitClosed(wait))) {
      ctx.warn(`a peer that sent no header was still connected after ${wait} ms`);
      return;
    }
    ctx.note(`closed after ${(performance.now() - started).toFixed(0)} ms`);
  },
};

export const tcpHandshakeTimeoutCases: readonly ConformanceCase[] = [tcpHandshakeTimeout];
