/**
 * A ws:// dialer whose upgrade is never answered. The harness plays a plain
 * TCP server: it accepts the IUT's connection, reads the HTTP upgrade
 * request and then stays silent, so the dialer's connection stays in its
 * upgrade (`upgrading` in the `ws-pipe` machine) until the IUT ends it:
 * either because the case closes the dialer (or its socket), or because the
 * IUT's handshake timeout passes. Both cases conclude from what the raw TCP
 * listener sees: connections that close, and connections that (do not) come.
 */
import type { IutSocket } from "../../adapters/iut.ts";
import type { WirePeer, WireServer } from "../../harness/wire.ts";
import { nextConnection, stoppableDial } from "../common/dialer.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

/** The subprotocol a REQ dialer offers (SP-WS-2: the name of its peer, REP). */
const REP_NAME = "rep.sp.nanomsg.org";
/** The path the IUT dials; SP-WS-14 puts it in the request line. */
const PATH = "/unanswered";

/** Generous bounds for what must happen; quiet windows span many reconnect intervals. */
const T = { prompt: 3000, reconnect: 50, quiet: 500, settle: 200 } as const;

/** Handshake timeout set through the option, and the wait for the close it causes. */
const SHORT = { timeout: 300, wait: 300 + 2700 } as const;
/** Without the option: the drafts' recommended ten seconds plus margin for a loaded machine. */
const DEFAULT_WAIT = 12500;

/** Upper bound on the size of the upgrade request we are willing to read. */
const MAX_REQUEST = 8192;

/** The request line and header fields of an HTTP request. */
interface UpgradeRequest {
  method: string;
  target: string;
  /** Header fields by lower-case name; repeated fields joined with ", ". */
  headers: Map<string, string>;
}

/** Reads one HTTP request head (up to the blank line) within `ms`; fails the case otherwise. */
async function readUpgrade(ctx: CaseContext, peer: WirePeer, ms: number): Promise<UpgradeRequest> {
  const deadline = performance.now() + ms;
  const bytes: number[] = [];
  const ended = () => {
    const n = bytes.length;
    return n >= 4 && bytes[n - 4] === 13 && bytes[n - 3] === 10 && bytes[n - 2] === 13;
  };
  while (!(ended() && bytes[bytes.length - 1] === 10)) {
    if (bytes.length >= MAX_REQUEST) {
      ctx.fail(`the IUT sent ${MAX_REQUEST} bytes without ending its upgrade request`);
    }
    const left = deadline - performance.now();
    if (left <= 0) ctx.fail(`the IUT did not send a whole upgrade request within ${ms} ms`);
    try {
      const [b] = await peer.readExact(1, left, "the upgrade request");
      bytes.push(b as number);
    } catch (e) {
      ctx.fail(e instanceof Error ? e.message : String(e));
    }
  }
  const lines = Buffer.from(bytes).toString("latin1").split("\r\n");
  const [method = "", target = ""] = (lines[0] ?? "").split(" ");
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const had = headers.get(name);
    headers.set(name, had === undefined ? value : `${had}, ${value}`);
  }
  return { method, target, headers };
}

/** Fails unless `req` is a WebSocket upgrade for PATH offering exactly REP's name. */
function checkUpgrade(ctx: CaseContext, req: UpgradeRequest): void {
  if (req.method !== "GET") ctx.fail(`the IUT sent a ${req.method} request, not GET`);
  const upgrade = req.headers.get("upgrade") ?? "";
  if (upgrade.toLowerCase() !== "websocket") {
    ctx.fail(`the IUT's request asked to upgrade to ${JSON.stringify(upgrade)}, not websocket`);
  }
  // SP-WS-14: the request target is the path of the dialed address.
  if (req.target !== PATH) {
    ctx.fail(`the IUT requested ${JSON.stringify(req.target)}, expected ${JSON.stringify(PATH)}`);
  }
  // SP-WS-2: exactly the subprotocol of the protocol the server must speak.
  const offered = (req.headers.get("sec-websocket-protocol") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (offered.length !== 1 || offered[0] !== REP_NAME) {
    ctx.fail(`the IUT REQ offered [${offered.join(", ")}], expected exactly [${REP_NAME}]`);
  }
}

/** Accepts the IUT's next connection and reads and checks its upgrade request. */
async function acceptUpgrade(
  ctx: CaseContext,
  server: WireServer,
  what: string,
): Promise<WirePeer> {
  const peer = await nextConnection(server, T.prompt);
  if (!peer) return ctx.fail(`the dialer did not make ${what} within ${T.prompt} ms`);
  checkUpgrade(ctx, await readUpgrade(ctx, peer, T.prompt));
  return peer;
}

/** A REQ socket with a short reconnect interval, and the ws:// URL of `server`. */
async function reqTowards(
  ctx: CaseContext,
  server: WireServer,
): Promise<{ req: IutSocket; url: string }> {
  const req = await ctx.iut.open("req0");
  await req.setopt("reconnect-time-min", T.reconnect);
  return { req, url: ctx.suiteUrl("ws", server.port, PATH) };
}

export const wsDialerCloseDuringUpgrade: ConformanceCase = {
  id: "ws/dialer-close-during-upgrade",
  title: "Closing a ws:// dialer whose upgrade is unanswered drops it and does not reconnect",
  requirements: ["SP-WS-2", "SP-WS-14", "SP-WS-29"],
  kind: "example",
  needs: { protocols: ["req0"], transports: ["ws"], options: ["reconnect-time-min"] },
  covers: ["ws-pipe:upgrading:close", "tcp-dialer:idle:start", "tcp-dialer:connecting:stop"],
  async run(ctx: CaseContext) {
    const server = await ctx.server("harness");
    const { req, url } = await reqTowards(ctx, server);
    const stop = await stoppableDial(ctx, req, url);
    // We never answer the upgrade request, so the attempt stays in its upgrade.
    const peer = await acceptUpgrade(ctx, server, "a connection");
    // The attempt must still be open when the dialer closes, or the close proves nothing.
    if ((await peer.quiet(T.settle)).kind === "closed") {
      ctx.info(`the IUT gave up the unanswered upgrade by itself within ${T.settle} ms`);
      return;
    }
    await stop();
    if (!(await peer.waitClosed(T.prompt))) {
      ctx.fail(
        `the connection whose upgrade was in progress stayed open ${T.prompt} ms after its dialer was closed`,
      );
    }
    // SP-WS-29 with SP-TCP-13: reconnecting is for live dialers; many intervals pass quietly.
    const again = await nextConnection(server, T.quiet);
    if (again) ctx.fail(`the closed dialer connected again (reconnect interval ${T.reconnect} ms)`);
  },
};

export const wsDialerUpgradeTimeout: ConformanceCase = {
  id: "ws/dialer-upgrade-timeout",
  title: "A ws:// dialer drops an upgrade the server never answers (SHOULD), then dials again",
  requirements: ["SP-WS-2", "SP-WS-14", "SP-WS-17", "SP-WS-29"],
  kind: "example",
  // `handshake-timeout` is optional (ADAPTER.md §4): without it the case waits out the IUT's own bound.
  needs: { protocols: ["req0"], transports: ["ws"], options: ["reconnect-time-min"] },
  covers: [
    "ws-pipe:upgrading:after:handshakeTimeout",
    "tcp-dialer:connecting:failed",
    "tcp-dialer:backoff:after:reconnectDelay",
  ],
  timeoutMs: 30000,
  async run(ctx: CaseContext) {
    const server = await ctx.server("harness");
    const { req, url } = await reqTowards(ctx, server);
    let wait: number = SHORT.wait;
    try {
      await req.setopt("handshake-timeout", SHORT.timeout);
      ctx.note(`handshake-timeout set to ${SHORT.timeout} ms`);
    } catch {
      wait = DEFAULT_WAIT;
      ctx.note("the IUT has no handshake-timeout option; waiting for its own bound");
    }
    await req.dial(url);
    const first = await acceptUpgrade(ctx, server, "a connection");
    const seen = performance.now();
    // SP-WS-17: we never answer; the IUT should give up and close the connection. The
    // IUT's clock started before we saw the request, so the time we measure is only a note.
    if (!(await first.waitClosed(wait))) {
      ctx.warn(`a connection whose upgrade was never answered was still open after ${wait} ms`);
      return;
    }
    ctx.note(`closed ${(performance.now() - seen).toFixed(0)} ms after the upgrade request`);
    // SP-WS-29 (SHOULD): a failed attempt is followed by another one (SP-TCP-13 back-off).
    const again = await nextConnection(server, T.prompt);
    if (!again) {
      ctx.warn(`the dialer did not try again within ${T.prompt} ms after its upgrade timed out`);
      return;
    }
    checkUpgrade(ctx, await readUpgrade(ctx, again, T.prompt));
  },
};

/** Cases of this file, in run order. */
export const wsDialerUpgradeCases = [wsDialerCloseDuringUpgrade, wsDialerUpgradeTimeout];
