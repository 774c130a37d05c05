/**
 * Zero-length IPC frames (SP-IPC-7).
 *
 * SP-IPC-7: a frame whose length is zero is valid and MUST reach the protocol
 * as an empty message. REQ/REP cannot carry one (a request needs its id word,
 * which is why ipc/empty-body sends four bytes), so this case uses PAIR v0,
 * whose messages have no header: an empty IPC frame is an empty PAIR message.
 * A raw peer sends `01 00..00` (type, zero length, no payload) and then a
 * non-empty frame; the IUT must deliver the empty message first, then the
 * other, and keep the connection. The other way, an empty message sent by the
 * IUT must go out as a frame of type 0x01 with length zero (SP-IPC-5) and the
 * frames after it must stay in step.
 */
import { hex, PROTO, utf8 } from "../../harness/sp.ts";
import { expectBytes, iutRecv, T } from "../reqrep/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { withIpc } from "./common.ts";

const h16 = (n: number): string => `0x${n.toString(16).padStart(4, "0")}`;

const zeroLengthFrame: ConformanceCase = {
  id: "ipc/zero-length-frame",
  title: "A zero-length IPC frame is delivered as an empty message, both ways (PAIR v0)",
  requirements: ["SP-IPC-7", "SP-IPC-5"],
  kind: "example",
  needs: { protocols: ["pair0"], transports: ["ipc"] },
  covers: ["tcp-pipe:handshake:header"],
  run: (ctx: CaseContext) =>
    withIpc(ctx, async (ipc) => {
      const pair = await ctx.iut.open("pair0");
      const path = ipc.path("pair");
      await pair.listen(`ipc://${path}`);
      const peer = await ipc.connect(path, "peer");
      const h = await peer.handshake(PROTO.pair0, T.prompt);
      if (h.protocol !== PROTO.pair0) {
        ctx.fail(`the IUT PAIR announced ${h16(h.protocol)}, expected 0x0010`);
      }

      // To the IUT: an empty frame, then one with a body.
      peer.sendFrame(new Uint8Array(0));
      peer.sendFrame(utf8("after the empty one"));
      const first = await iutRecv(ctx, pair, "the message of the zero-length frame");
      if (first.length !== 0) {
        ctx.fail(
          `the first message delivered was ${hex(first)}, not the empty one: a zero-length frame must be delivered as an empty message (SP-IPC-7)`,
        );
      }
      expectBytes(
        ctx,
        await iutRecv(ctx, pair, "the message after the empty one"),
        utf8("after the empty one"),
        "the message after the empty one",
      );
      if (peer.closed) ctx.fail("the IUT closed the connection after a zero-length frame");

      // From the IUT: an empty message is a frame announcing zero bytes.
      await pair.send(new Uint8Array(0), { timeoutMs: T.prompt });
      await pair.send(utf8("next"), { timeoutMs: T.prompt });
      // readFrame checks the type byte 0x01 (SP-IPC-5).
      const empty = await peer.readFrame(T.prompt);
      if (empty.length !== 0) ctx.fail(`the empty message went out as ${hex(empty)}`);
      expectBytes(
        ctx,
        await peer.readFrame(T.prompt),
        utf8("next"),
        "the frame after the empty one",
      );
    }),
};

/** Cases of this file, in run order. */
export const ipcZeroLengthCases: readonly ConformanceCase[] = [zeroLengthFrame];
