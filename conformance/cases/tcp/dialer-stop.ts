/**
 * The two `tcp-dialer` stops no other case walks: a dialer closed while its
 * connection attempt is still open (the SP header exchange counts as part of
 * the attempt), and a dialer closed before it was ever started (feature
 * `dialers`, ADAPTER.md §3.2). Both conclude from what the harness's raw TCP
 * listener sees: connections that close, and connections that never come.
 */
import { protocols } from "../../../spec/constants.ts";
import type { IutSocket } from "../../adapters/iut.ts";
import { hex } from "../../harness/sp.ts";
import { nextConnection, stoppableDial } from "../common/dialer.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

/** Generous bounds for what must happen; quiet windows span many reconnect intervals. */
const T = { prompt: 3000, reconnect: 50, quiet: 500 } as const;

/** A short reconnect interval, so that a quiet window covers many would-be attempts. */
async function shortReconnect(sock: IutSocket): Promise<void> {
  await sock.setopt("reconnect-time-min", T.reconnect);
}

export const dialerStopWhileConnecting: ConformanceCase = {
  id: "tcp/dialer-stop-during-handshake",
  title: "Closing a dialer whose attempt is still in the header exchange closes it for good",
  requirements: ["SP-TCP-13"],
  kind: "example",
  needs: {
    protocols: ["req0"],
    transports: ["tcp"],
    options: ["reconnect-time-min"],
  },
  covers: ["tcp-dialer:idle:start", "tcp-dialer:connecting:stop", "tcp-pipe:handshake:close"],
  async run(ctx: CaseContext) {
    const server = await ctx.server("harness");
    const req = await ctx.iut.open("req0");
    await shortReconnect(req);
    const stop = await stoppableDial(ctx, req, server.url);
    const peer = await nextConnection(server, T.prompt);
    if (!peer) return ctx.fail(`the dialer did not connect within ${T.prompt} ms`);
    // SP-TCP-1: the IUT sends its header at once; we never send ours, so the attempt
    // stays in its header exchange (connecting, in the dialer's machine).
    const h = await peer.readHeader(T.prompt);
    if (!h.magicValid) ctx.fail(`the IUT sent a malformed header ${hex(h.bytes)}`);
    if (h.protocol !== protocols.req0.number) {
      ctx.fail(`the IUT announced protocol 0x${h.protocol.toString(16)}, not REQ`);
    }
    // The attempt must still be open when the dialer closes, or the close proves nothing.
    if ((await peer.quiet(200)).kind === "closed") {
      ctx.info("the IUT gave up the header exchange by itself within 200 ms; nothing to stop");
      return;
    }
    await stop();
    if (!(await peer.waitClosed(T.prompt))) {
      ctx.fail(
        `the connection whose header exchange was in progress stayed open ${T.prompt} ms after its dialer was closed`,
      );
    }
    // SP-TCP-13 is about reconnecting; a closed dialer must not: many intervals pass quietly.
    const again = await nextConnection(server, T.quiet);
    if (again) ctx.fail(`the closed dialer connected again (reconnect interval ${T.reconnect} ms)`);
  },
};

export const dialerStopBeforeStart: ConformanceCase = {
  id: "tcp/dialer-closed-before-start",
  title: "A dialer created without starting never connects, and closing it keeps it so",
  requirements: ["SP-TCP-13"],
  kind: "example",
  needs: {
    protocols: ["req0"],
    transports: ["tcp"],
    options: ["reconnect-time-min"],
    features: ["dialers"],
  },
  covers: ["tcp-dialer:idle:stop", "tcp-dialer:idle:start", "tcp-dialer:connecting:connected"],
  async run(ctx: CaseContext) {
    const server = await ctx.server("harness");
    const req = await ctx.iut.open("req0");
    await shortReconnect(req);
    const idle = await req.dialer(server.url);
    // Unstarted: many reconnect intervals pass and nothing may arrive.
    const early = await nextConnection(server, T.quiet);
    if (early) return ctx.fail("a dialer that was never started connected");
    await idle.close();
    // A closed dialer stays stopped, even when asked to start.
    try {
      await idle.start();
      ctx.note("the IUT accepted dialer-start on a closed dialer");
    } catch (e) {
      ctx.note(`dialer-start on the closed dialer: ${e instanceof Error ? e.message : String(e)}`);
    }
    const late = await nextConnection(server, T.quiet);
    if (late) return ctx.fail("a dialer closed before it was started connected");
    // Control: a started dialer of the same socket to the same listener does connect, so
    // the quiet windows above were the dialer's doing, not the listener's.
    const control = await req.dialer(server.url);
    await control.start();
    const peer = await nextConnection(server, T.prompt);
    if (!peer) {
      return ctx.fail(`a started dialer did not connect within ${T.prompt} ms (control)`);
    }
    const h = await peer.handshake(protocols.rep0.number, T.prompt);
    if (h.protocol !== protocols.req0.number) {
      ctx.fail(`the IUT announced protocol 0x${h.protocol.toString(16)}, not REQ`);
    }
    // Exactly one dialer is live: no second connection comes.
    const extra = await nextConnection(server, T.quiet);
    if (extra) ctx.fail("a second connection arrived; only the control dialer was started");
  },
};

/** Cases of this file, in run order. */
export const dialerStopCases = [dialerStopWhileConnecting, dialerStopBeforeStart];
