/**
 * A ws:// dialer sends the URL path and query unchanged as the request target (SP-WS-14).
 *
 * SP-WS-14: "The client MUST send the path of the address, with its query if
 * any, as the request target of the upgrade request." An IUT REQ dials a
 * suite WebSocket server (the `WsServer` of harness/ws.ts, which records each
 * upgrade's request target) at `/p?x=1`, then with a second dialer at
 * `/a/b?x=1&y=2`; each request target must be exactly that. Only unreserved
 * characters are used, so no normalisation (RFC 3986 §6.2.2) can change them.
 */
import type { WsServer } from "../../harness/ws.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { REP_NAME, REQ_WS, T, withWs } from "./common.ts";

/** Targets the IUT dials, in order. */
const TARGETS = ["/p?x=1", "/a/b?x=1&y=2"] as const;

/** Waits for the IUT's next upgrade at `srv` and returns its request target. */
async function nextTarget(ctx: CaseContext, srv: WsServer, index: number): Promise<string> {
  try {
    await srv.accept(T.prompt);
  } catch (e) {
    ctx.fail(`the IUT's dialer did not connect: ${e instanceof Error ? e.message : String(e)}`);
  }
  const seen = srv.upgrades[index];
  if (!seen) return ctx.fail("the IUT connected without an upgrade request we could see");
  if (seen.offered.length !== 1 || seen.offered[0] !== REP_NAME) {
    ctx.fail(`the IUT REQ offered [${seen.offered.join(", ")}], expected exactly [${REP_NAME}]`);
  }
  return seen.path;
}

const dialerKeepsQuery: ConformanceCase = {
  id: "ws/dialer-sends-query",
  title: "A ws:// dialer requests the URL's path with its query (/p?x=1)",
  requirements: ["SP-WS-14"],
  kind: "example",
  needs: REQ_WS,
  async run(ctx: CaseContext) {
    await withWs(ctx, async (ws) => {
      const srv = await ws.server();
      const req = await ctx.iut.open("req0");
      for (const [i, target] of TARGETS.entries()) {
        await req.dial(ctx.suiteUrl("ws", srv.port, target));
        const got = await nextTarget(ctx, srv, i);
        if (got !== target) {
          ctx.fail(
            `dialing ${JSON.stringify(target)}, the IUT requested ${JSON.stringify(got)}: the request target must be the path with its query`,
          );
        }
      }
    });
  },
};

/** Cases of this file, in run order. */
export const wsDialerQueryCases: readonly ConformanceCase[] = [dialerKeepsQuery];
