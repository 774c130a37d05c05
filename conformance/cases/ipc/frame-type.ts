/**
 * The IPC frame type byte compared in full (SP-IPC-6).
 *
 * SP-IPC-6: a receiver MUST close the connection when a frame starts with any
 * message type other than 0x01, and only that connection. ipc/bad-type-byte
 * sends 0x00 and 0x02; this case sends type bytes whose low bits are 0x01
 * (0x81, 0x41, 0x11), each in front of an otherwise valid request: a reader
 * that masks the byte before comparing would deliver the request. The
 * connection must close, the request must not be delivered, and the socket
 * keeps serving its other connection and new ones (SP-IPC-13).
 */
import { hex, request, utf8 } from "../../harness/sp.ts";
import { T } from "../reqrep/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { ipcRoundTrip, REP_IPC, repOnIpc, reqPeerIpc, withIpc } from "./common.ts";

/** Type bytes that are not 0x01 but end in its bit pattern. */
const TYPES = [0x81, 0x41, 0x11] as const;

const h8 = (n: number): string => `0x${n.toString(16).padStart(2, "0")}`;

const typeByteInFull: ConformanceCase = {
  id: "ipc/type-byte-high-bits",
  title:
    "A frame with type byte 0x81 (or 0x41, 0x11) closes the IPC connection and is not delivered",
  requirements: ["SP-IPC-6", "SP-IPC-13"],
  kind: "malformed",
  needs: REP_IPC,
  covers: ["tcp-pipe:active:close"],
  run: (ctx: CaseContext) =>
    withIpc(ctx, async (ipc) => {
      const { rep, path } = await repOnIpc(ctx, ipc);
      const bystander = await reqPeerIpc(ctx, ipc, path, "bystander");
      for (const [i, type] of TYPES.entries()) {
        const bad = await reqPeerIpc(ctx, ipc, path, `type${h8(type)}`);
        bad.sendTypedFrame(type, request({ hops: [], id: 0x80000050 + i, body: utf8("bad") }));
        await bad.expectClosed(T.prompt, `a frame with type byte ${h8(type)}`);
        const stray = await rep.tryRecv({ timeoutMs: T.quiet });
        if (stray.ok) {
          ctx.fail(`the IUT delivered a frame with type byte ${h8(type)}: ${hex(stray.value)}`);
        }
        // Only that connection: the other one still works.
        await ipcRoundTrip(ctx, rep, bystander, 0x80000060 + i);
      }
      await ipcRoundTrip(ctx, rep, await reqPeerIpc(ctx, ipc, path, "fresh"), 0x80000070);
    }),
};

/** Cases of this file, in run order. */
export const ipcFrameTypeCases: readonly ConformanceCase[] = [typeByteInFull];
