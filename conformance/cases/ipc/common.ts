/**
 * Building blocks of the IPC cases: a session that tracks raw IPC peers,
 * listeners and socket paths and removes them after the case, plus REQ/REP
 * helpers over ipc:// (draft-sp-ipc).
 */
import { existsSync, unlinkSync } from "node:fs";
import type { IutSocket } from "../../adapters/iut.ts";
import { IpcWirePeer, IpcWireServer, ipcPath } from "../../harness/ipc.ts";
import { concat, PROTO, request, utf8, words } from "../../harness/sp.ts";
import { expectBytes, iutRecv, T } from "../reqrep/common.ts";
import type { CaseContext, CaseNeeds } from "../types.ts";

/** Needs of a case that drives an IUT REP over IPC. */
export const REP_IPC: CaseNeeds = { protocols: ["rep0"], transports: ["ipc"] };
/** Needs of a case that drives IUT REQ and REP over IPC. */
export const REQREP_IPC: CaseNeeds = { protocols: ["req0", "rep0"], transports: ["ipc"] };

/** Raw IPC peers, listeners and socket paths of one case; `close` cleans up. */
export class IpcSession {
  private readonly peers: IpcWirePeer[] = [];
  private readonly servers: IpcWireServer[] = [];
  private readonly paths: string[] = [];
  private n = 0;

  constructor(private readonly ctx: CaseContext) {}

  /** A fresh socket path, removed after the case. */
  path(tag = "c"): string {
    const p = ipcPath(tag);
    this.paths.push(p);
    return p;
  }

  /** Connects a raw peer to the socket file at `path`. */
  async connect(path: string, label?: string): Promise<IpcWirePeer> {
    const p = await IpcWirePeer.connectPath(path, label ?? `ipc${++this.n}`, this.ctx.transcript);
    this.peers.push(p);
    return p;
  }

  /** Starts a raw IPC listener for the IUT to dial. */
  async server(label?: string): Promise<IpcWireServer> {
    const s = await IpcWireServer.listen(
      label ?? `ipcsrv${this.servers.length + 1}`,
      this.ctx.transcript,
    );
    this.servers.push(s);
    return s;
  }

  close(): void {
    for (const p of this.peers) p.close();
    for (const s of this.servers) s.close();
    for (const p of this.paths) {
      try {
        if (existsSync(p)) unlinkSync(p);
      } catch {
        // already gone
      }
    }
  }
}

/** Runs `body` with an {@link IpcSession} that is cleaned up afterwards. */
export async function withIpc(
  ctx: CaseContext,
  body: (ipc: IpcSession) => Promise<void>,
): Promise<void> {
  const ipc = new IpcSession(ctx);
  try {
    await body(ipc);
  } finally {
    ipc.close();
  }
}

/** Opens an IUT REP with options and lets it listen on a fresh socket path. */
export async function repOnIpc(
  ctx: CaseContext,
  ipc: IpcSession,
  options: Record<string, number> = {},
): Promise<{ rep: IutSocket; path: string }> {
  const rep = await ctx.iut.open("rep0");
  for (const [name, value] of Object.entries(options)) await rep.setopt(name, value);
  const path = ipc.path("rep");
  await rep.listen(`ipc://${path}`);
  return { rep, path };
}

/** Connects a raw REQ peer over IPC and exchanges headers (SP-IPC-4). */
export async function reqPeerIpc(
  ctx: CaseContext,
  ipc: IpcSession,
  path: string,
  label?: string,
): Promise<IpcWirePeer> {
  const peer = await ipc.connect(path, label);
  const h = await peer.handshake(PROTO.req0, T.prompt);
  if (h.protocol !== PROTO.rep0) {
    ctx.fail(`the IUT REP announced protocol 0x${h.protocol.toString(16)}, expected 0x31`);
  }
  return peer;
}

/** A request from a raw peer, answered by the IUT REP; the reply frame must carry type 0x01. */
export async function ipcRoundTrip(
  ctx: CaseContext,
  rep: IutSocket,
  peer: IpcWirePeer,
  id: number,
  body = utf8("ping"),
): Promise<void> {
  peer.sendFrame(request({ hops: [], id, body }));
  expectBytes(ctx, await iutRecv(ctx, rep, "the request over ipc"), body, "request body");
  await rep.send(utf8("pong"), { timeoutMs: T.prompt });
  // IpcWirePeer.readFrame fails unless the type byte is 0x01 (SP-IPC-5).
  const reply = await peer.readFrame(T.prompt);
  expectBytes(ctx, reply, concat(words(id), utf8("pong")), "reply frame from the IUT REP");
}
