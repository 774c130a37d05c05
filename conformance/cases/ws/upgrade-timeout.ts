/**
 * The handshake timeouts (SP-TCP-7, SP-WS-17, both SHOULD): a peer that opens
 * a connection and then says nothing is cut off after a bounded time. When
 * the IUT lets the suite shorten the bound (option `handshake-timeout`) the
 * case sets 300 ms; otherwise it waits out the drafts' recommended ten
 * seconds plus a margin, which makes these two of the slowest cases.
 */
import type { IutSocket } from "../../adapters/iut.ts";
import { portOf } from "../../harness/ws.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

const SHORT = 300;
/** Ten seconds recommended by the drafts, plus margin for a loaded machine. */
const DEFAULT_WAIT = 12500;

/** Sets a short handshake timeout when the IUT takes it; returns how long to wait for the close. */
async function shortenHandshake(ctx: CaseContext, sock: IutSocket): Promise<number> {
  try {
    await sock.setopt("handshake-timeout", SHORT);
    return SHORT + 2000;
  } catch {
    ctx.note("the IUT has no handshake-timeout option; waiting for its own bound");
    return DEFAULT_WAIT;
  }
}

export const wsUpgradeTimeout: ConformanceCase = {
  id: "ws/upgrade-timeout",
  title: "A WebSocket client that never finishes its upgrade request is disconnected (SHOULD)",
  requirements: ["SP-WS-17"],
  kind: "example",
  needs: { protocols: ["rep0"], transports: ["ws"] },
  // No covers: the reference times out an unfinished upgrade request in its HTTP server,
  // before any pipe (and ws-pipe machine) exists.
  timeoutMs: 20000,
  async run(ctx: CaseContext) {
    const rep = await ctx.iut.open("rep0");
    const wait = await shortenHandshake(ctx, rep);
    const url = await rep.listen("ws://127.0.0.1:0/slow");
    const started = performance.now();
    const slow = await ctx.connect(portOf(url), "slow");
    // SP-WS-17: the request line and one header, never the blank line that ends it.
    slow.write(new TextEncoder().encode("GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
    if (!(await slow.waitClosed(wait))) {
      ctx.warn(`a client that never finished its upgrade was still connected after ${wait} ms`);
      return;
    }
    ctx.note(`closed after ${(performance.now() - started).toFixed(0)} ms`);
  },
};

export const wsUpgradeTimeoutCases: readonly ConformanceCase[] = [wsUpgradeTimeout];
