/**
 * REQ/REP over IPC between two sockets of the IUT, and an empty body through
 * a raw peer (draft-sp-ipc, draft-sp-reqrep).
 */
import { hex, utf8, words } from "../../harness/sp.ts";
import { expectBytes, iutRecv, T } from "../reqrep/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { REQREP_IPC, repOnIpc, reqPeerIpc, withIpc } from "./common.ts";

/** IUT REQ dials IUT REP over ipc:// and three requests make the round trip. */
export const ipcReqRepRoundTrip: ConformanceCase = {
  id: "ipc/reqrep-round-trip",
  title: "REQ and REP of the IUT exchange requests and replies over ipc://",
  requirements: ["SP-IPC-1", "SP-IPC-4", "SP-IPC-5", "SP-REQREP-7", "SP-REQREP-13"],
  kind: "example",
  needs: REQREP_IPC,
  covers: ["req:waiting:reply[idMatches]", "rep:idle:deliver", "rep:holding:send"],
  run: (ctx: CaseContext) =>
    withIpc(ctx, async (ipc) => {
      const { rep, path } = await repOnIpc(ctx, ipc);
      const req = await ctx.iut.open("req0");
      await req.setopt("reconnect-time-min", T.reconnect).catch(() => {});
      await req.dial(`ipc://${path}`);
      for (let i = 0; i < 3; i++) {
        await req.send(utf8(`request ${i}`), { timeoutMs: T.prompt });
        expectBytes(ctx, await iutRecv(ctx, rep, `request ${i}`), utf8(`request ${i}`), "request");
        await rep.send(utf8(`reply ${i}`), { timeoutMs: T.prompt });
        expectBytes(ctx, await iutRecv(ctx, req, `reply ${i}`), utf8(`reply ${i}`), "reply");
      }
    }),
};

/** A request made of the id word only (an empty body) round-trips over IPC (SP-IPC-7). */
export const ipcEmptyBody: ConformanceCase = {
  id: "ipc/empty-body",
  title: "An empty request body and an empty reply round-trip over IPC",
  requirements: ["SP-IPC-5", "SP-IPC-7"],
  kind: "example",
  needs: { protocols: ["rep0"], transports: ["ipc"] },
  cat: { send: { rep0: { data: "" } } },
  covers: ["rep:idle:deliver", "rep:holding:send"],
  run: (ctx: CaseContext) =>
    withIpc(ctx, async (ipc) => {
      const { rep, path } = await repOnIpc(ctx, ipc);
      const peer = await reqPeerIpc(ctx, ipc, path);
      peer.sendFrame(words(0x80000050));
      const got = await iutRecv(ctx, rep, "the empty request");
      if (got.length !== 0) ctx.fail(`expected an empty body, got ${hex(got)}`);
      await rep.send(new Uint8Array(0), { timeoutMs: T.prompt });
      expectBytes(ctx, await peer.readFrame(T.prompt), words(0x80000050), "empty reply frame");
    }),
};

/** Cases of this file, in run order. */
export const ipcReqRepCases = [ipcReqRepRoundTrip, ipcEmptyBody];
