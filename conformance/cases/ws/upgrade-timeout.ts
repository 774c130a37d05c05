/**
 * The WebSocket upgrade timeout (SP-WS-17, SHOULD): a client that opens a
 * connection and never finishes its upgrade request is cut off after a
 * bounded time (the bound is shortened as in ../common/handshake-timeout.ts).
 */
import { portOf } from "../../harness/ws.ts";
import { shortenHandshake } from "../common/handshake-timeout.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

export const wsUpgradeTimeout: ConformanceCase = {
  id: "ws/upgrade-timeout",
  title: "A WebSocket client that never finishes its upgrade request is disconnected (SHOULD)",
  requirements: ["SP-WS-17"],
  kind: "example",
  needs: { protocols: ["rep0"], transports: ["ws"] },
  cat: {},
  // No covers: the reference times out an unfinished upgrade request in its HTTP server,
  // before any pipe (and ws-pipe machine) exists.
  timeoutMs: 20000,
  async run(ctx: CaseContext) {
    const rep = await ctx.iut.open("rep0");
    const wait = await shortenHandshake(ctx, rep);
    const url = await rep.listen(ctx.iutUrl("ws", "/slow"));
    const started = performance.now();
    const slow = await ctx.connect(portOf(url), "slow");
    // SP-WS-17: the request line and one header, never the blank line that ends it.
    const host = new URL(url).host;
    slow.write(new TextEncoder().encode(`GET /slow HTTP/1.1\r\nHost: ${host}\r\n`));
    if (!(await slow.waitClosed(wait))) {
      ctx.warn(`a client that never finished its upgrade was still connected after ${wait} ms`);
      return;
    }
    ctx.note(`closed after ${(performance.now() - started).toFixed(0)} ms`);
  },
};

export const wsUpgradeTimeoutCases: readonly ConformanceCase[] = [wsUpgradeTimeout];
