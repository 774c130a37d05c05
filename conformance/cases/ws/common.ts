/**
 * Building blocks of the WebSocket mapping cases: raw peers that are closed
 * after the case, IUT sockets listening on ws://, and REQ/REP bytes.
 */
import { isIP } from "node:net";
import type { IutSocket } from "../../adapters/iut.ts";
import { hostPort, urlHostOf, urlPort, withHost } from "../../harness/hosts.ts";
import { WsPeer, WsServer } from "../../harness/ws.ts";
import type { CaseContext, CaseNeeds } from "../types.ts";

/** Bounds used by the WebSocket cases (ms). */
export const T = { prompt: 2000, quiet: 250 } as const;

/** Subprotocol names (SP-WS-2). */
export const REP_NAME = "rep.sp.nanomsg.org";
export const REQ_NAME = "req.sp.nanomsg.org";

export const REP_WS: CaseNeeds = { protocols: ["rep0"], transports: ["ws"] };
export const REQ_WS: CaseNeeds = { protocols: ["req0"], transports: ["ws"] };

/** Collects raw peers and servers so that `cleanup` closes them whatever the verdict. */
export class WsScope {
  private readonly peers: WsPeer[] = [];
  private readonly servers: WsServer[] = [];
  constructor(readonly ctx: CaseContext) {}

  /** Connects to the IUT at `url` (on the IUT's host); fails the case unless the upgrade succeeds. */
  async open(url: string, protocols: string[] = [REP_NAME], label = "ws"): Promise<WsPeer> {
    const to = withHost(url, this.ctx.hosts.iut);
    const r = await WsPeer.connect(to, protocols, label, this.ctx.transcript);
    if (r.kind === "refused")
      this.ctx.fail(`${label}: the IUT refused the upgrade with HTTP ${r.status}`);
    if (r.kind === "failed") this.ctx.fail(`${label}: the upgrade failed: ${r.message}`);
    this.peers.push(r.peer);
    return r.peer;
  }

  /** Connects and returns the raw outcome (refusals are not failures here). */
  async attempt(url: string, protocols: string[], label: string) {
    const to = withHost(url, this.ctx.hosts.iut);
    const r = await WsPeer.connect(to, protocols, label, this.ctx.transcript);
    if (r.kind === "open") this.peers.push(r.peer);
    return r;
  }

  async server(label = "srv", answer?: (offered: string[]) => string | false): Promise<WsServer> {
    const s = await WsServer.listen(this.ctx.hosts.suite, label, this.ctx.transcript, answer);
    this.servers.push(s);
    return s;
  }

  cleanup(): void {
    for (const p of this.peers) p.close();
    for (const s of this.servers) s.close();
  }
}

/** Runs `body` with a {@link WsScope} that is cleaned up afterwards. */
export async function withWs(ctx: CaseContext, body: (s: WsScope) => Promise<void>): Promise<void> {
  const scope = new WsScope(ctx);
  try {
    await body(scope);
  } finally {
    scope.cleanup();
  }
}

/** Opens an IUT REP with options and listens on ws://<IUT host>:0`path`. */
export async function repOnWs(
  ctx: CaseContext,
  path = "/sp",
  options: Record<string, number> = {},
): Promise<{ rep: IutSocket; url: string }> {
  const rep = await ctx.iut.open("rep0");
  for (const [name, value] of Object.entries(options)) await rep.setopt(name, value);
  const url = await rep.listen(ctx.iutUrl("ws", path));
  const port = urlPort(url);
  // A host name may come back as the address it resolved to; an IP literal comes back as is.
  const host = isIP(ctx.hosts.iut) !== 0 ? ctx.hosts.iut : urlHostOf(url);
  if (
    port === undefined ||
    port < 1 ||
    host === undefined ||
    !url.startsWith(`ws://${hostPort(host, port)}/`)
  ) {
    ctx.fail(`the IUT reported ${JSON.stringify(url)} as its bound ws:// URL`);
  }
  return { rep, url };
}

/** Receives one message at the IUT within the prompt bound. */
export async function iutRecv(
  ctx: CaseContext,
  sock: IutSocket,
  what: string,
): Promise<Uint8Array> {
  const r = await sock.tryRecv({ timeoutMs: T.prompt });
  if (!r.ok) ctx.fail(`the IUT did not deliver ${what}: recv failed with ${r.code}`);
  return r.value;
}
