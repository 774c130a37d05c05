/**
 * IPC wire cases (draft-sp-ipc): the connection header over a UNIX domain
 * socket, the 0x01 type byte on every frame, frames with another type byte,
 * and oversize frames.
 */
import { vanishingConnections } from "../../harness/ipc.ts";
import { hex, PROTO, request, spHeader, utf8 } from "../../harness/sp.ts";
import { expectTopBit, readRequest, T } from "../reqrep/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { ipcRoundTrip, REP_IPC, REQREP_IPC, repOnIpc, reqPeerIpc, withIpc } from "./common.ts";

/** The IUT sends the TCP header at once over IPC, and type 0x01 in front of every frame. */
export const ipcHeaderAndType: ConformanceCase = {
  id: "ipc/header-and-type-byte",
  title: "Over IPC, REQ and REP send the 8-byte header and prefix every frame with type 0x01",
  requirements: [
    "SP-IPC-1",
    "SP-IPC-3",
    "SP-IPC-4",
    "SP-IPC-5",
    "SP-TCP-1",
    "SP-TCP-4",
    "SP-TCP-16",
  ],
  kind: "example",
  needs: REQREP_IPC,
  cat: { send: { rep0: { data: "pong" }, req0: { data: "hello" } } },
  covers: ["tcp-pipe:handshake:entry", "tcp-pipe:handshake:header"],
  run: (ctx: CaseContext) =>
    withIpc(ctx, async (ipc) => {
      const { rep, path } = await repOnIpc(ctx, ipc);
      const toRep = await ipc.connect(path, "toRep");
      const got = await toRep.readExact(8, T.prompt, "the REP's header (we sent nothing)");
      if (hex(got) !== hex(spHeader({ protocol: PROTO.rep0 }))) {
        ctx.fail(`REP header over ipc: got ${hex(got)}`);
      }
      toRep.sendHeader({ protocol: PROTO.req0 });
      for (let i = 0; i < 3; i++) await ipcRoundTrip(ctx, rep, toRep, 0x80000010 + i);

      // The IUT REQ dials a raw IPC listener.
      const req = await ctx.iut.open("req0");
      const server = await ipc.server();
      await req.dial(server.url);
      const fromReq = await server.accept(T.prompt);
      const h = await fromReq.handshake(PROTO.rep0, T.prompt);
      if (h.protocol !== PROTO.req0) ctx.fail(`REQ announced 0x${h.protocol.toString(16)}`);
      await req.send(utf8("hello"), { timeoutMs: T.prompt });
      // readRequest → IpcWirePeer.readFrame, which checks the type byte.
      const r = await readRequest(ctx, fromReq);
      expectTopBit(ctx, r.id);
      fromReq.sendFrame(new Uint8Array([...new Uint8Array(r.payload.subarray(0, 4)), 0x6f, 0x6b]));
      const reply = await req.recv({ timeoutMs: T.prompt });
      if (Buffer.from(reply).toString() !== "ok") ctx.fail(`REQ delivered ${hex(reply)}`);
    }),
};

/** A frame whose type byte is not 0x01 closes that connection; the socket and the process live on. */
export const ipcBadTypeByte: ConformanceCase = {
  id: "ipc/bad-type-byte",
  title:
    "A frame with type byte 0x00 or 0x02 closes only that IPC connection; the socket keeps serving",
  requirements: ["SP-IPC-6", "SP-IPC-13"],
  kind: "malformed",
  needs: REP_IPC,
  cat: { send: { rep0: { data: "pong" } } },
  covers: ["tcp-pipe:active:close"],
  run: (ctx: CaseContext) =>
    withIpc(ctx, async (ipc) => {
      const { rep, path } = await repOnIpc(ctx, ipc);
      const bystander = await reqPeerIpc(ctx, ipc, path, "bystander");
      for (const type of [0x00, 0x02]) {
        const bad = await reqPeerIpc(ctx, ipc, path, `type${type}`);
        bad.sendTypedFrame(type, request({ hops: [], id: 0x80000020 + type, body: utf8("bad") }));
        await bad.expectClosed(T.prompt, `a frame with type byte 0x0${type}`);
        const stray = await rep.tryRecv({ timeoutMs: T.quiet });
        if (stray.ok)
          ctx.fail(`the IUT delivered a frame with type byte 0x0${type}: ${hex(stray.value)}`);
        // The socket (and its process) must live on: the other connection still works.
        await ipcRoundTrip(ctx, rep, bystander, 0x80000030 + type);
      }
      await ipcRoundTrip(ctx, rep, await reqPeerIpc(ctx, ipc, path, "fresh"), 0x80000031);
    }),
};

/** An announced length above recv-size-max closes that IPC connection before the payload. */
export const ipcOversize: ConformanceCase = {
  id: "ipc/oversize-frame",
  title: "An IPC frame longer than recv-size-max closes the connection; the socket keeps serving",
  requirements: ["SP-IPC-8", "SP-IPC-13", "SP-TCP-10"],
  kind: "malformed",
  needs: { ...REP_IPC, options: ["recv-size-max"] },
  cat: { send: { rep0: { data: "pong" } } },
  covers: ["tcp-pipe:active:oversize"],
  run: (ctx: CaseContext) =>
    withIpc(ctx, async (ipc) => {
      const limit = 1024;
      const { rep, path } = await repOnIpc(ctx, ipc, { "recv-size-max": limit });
      const bystander = await reqPeerIpc(ctx, ipc, path, "bystander");
      const big = await reqPeerIpc(ctx, ipc, path, "big");
      // Only the prefix: a conforming IUT closes without waiting for the payload.
      big.write(new Uint8Array([0x01, 0, 0, 0, 0, 0, 0, 0x10, 0x00]));
      await big.expectClosed(T.prompt, `announced 4096 bytes with recv-size-max ${limit}`);
      const huge = await reqPeerIpc(ctx, ipc, path, "huge");
      huge.write(new Uint8Array([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
      await huge.expectClosed(T.prompt, "announced 2^64-1 bytes");
      // Exactly `limit` bytes are served.
      await ipcRoundTrip(ctx, rep, bystander, 0x80000040, new Uint8Array(limit - 4).fill(0x61));
    }),
};

/**
 * A peer that connects and leaves before sending its header (a stale-file
 * probe, a port scanner) must not disturb later connections (SP-IPC-13).
 */
export const ipcDisconnectBeforeHeader: ConformanceCase = {
  id: "ipc/disconnect-before-header",
  title: "A connection closed before its header does not disturb later IPC connections",
  requirements: ["SP-IPC-13", "SP-TCP-12"],
  kind: "malformed",
  needs: REP_IPC,
  // No cat plan: against a CLI the race this case provokes (nanomsg/nng#1518)
  // shows only now and then, so in cat mode its verdict would be a coin toss.
  covers: ["tcp-pipe:handshake:disconnect"],
  run: (ctx: CaseContext) =>
    withIpc(ctx, async (ipc) => {
      const { rep, path } = await repOnIpc(ctx, ipc);
      const half = await ipc.connect(path, "half");
      half.write(new Uint8Array([0x00, 0x53, 0x50])); // a partial header, then gone
      half.close();
      // Whether a connection is gone before the IUT writes its header is a race, so
      // the case repeats bursts of such connections, each followed by a fresh peer.
      for (let round = 0; round < 8; round++) {
        await vanishingConnections(path, 4, ctx.transcript);
        const peer = await reqPeerIpc(ctx, ipc, path, `after${round}`);
        await ipcRoundTrip(ctx, rep, peer, 0x80000070 + round);
        peer.close();
      }
    }),
};

/** Cases of this file, in run order. */
export const ipcWireCases = [
  ipcHeaderAndType,
  ipcBadTypeByte,
  ipcOversize,
  ipcDisconnectBeforeHeader,
];
