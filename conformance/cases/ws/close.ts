/**
 * Closing (draft-sp-websocket §Closing, SP-WS-27 and SP-WS-18): after an
 * endpoint has sent or received a CLOSE frame it sends no further data messages
 * (SP-WS-27), and it closes TCP once the closing handshake is done or a bounded
 * time after it started (SP-WS-18).
 *
 * An IUT PUB (or PAIR) listening on ws:// is kept busy by a background loop of `send`s
 * through the adapter (one every {@link PACE_MS} ms), so that data messages are
 * being produced while the close happens. The harness's peer is a hand-made
 * WebSocket client ({@link RawWsClient}) that keeps TCP open and records every
 * frame with its arrival time.
 *
 * What is judged, and why it is defensible:
 * - A data frame that follows the IUT's own CLOSE frame on the TCP stream is a
 *   violation, without any timing argument: TCP keeps order, so the IUT wrote it
 *   after it had sent its CLOSE.
 * - Data frames that arrive after the harness's CLOSE was written but before the
 *   IUT's CLOSE are normally in flight: the IUT may have queued them (in its
 *   writer or the kernel) before its reader took our CLOSE in, and RFC 6455
 *   §5.5.1 lets an endpoint finish the message it is sending before answering.
 *   The harness cannot see when the IUT read our CLOSE, only when it was written.
 *   On loopback it reaches the IUT's socket within a millisecond, so a conforming
 *   IUT stops producing data messages after a scheduling delay, not after a
 *   protocol round. {@link GRACE_MS} (500 ms, far above the pace of the loop and
 *   a generous margin for a loaded machine, and half the draft's 1000 ms
 *   wsCloseTimeoutMs) is the longest such delay accepted; a data frame arriving
 *   later than that after our CLOSE, with no CLOSE from the IUT before it, means
 *   the IUT kept sending after it had received our CLOSE.
 * - Not closing TCP within {@link WATCH_MS} after the close started breaks
 *   SP-WS-18, a SHOULD (warn).
 */

import type { IutSocket } from "../../adapters/iut.ts";
import { withHost } from "../../harness/hosts.ts";
import { utf8 } from "../../harness/sp.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { T } from "./common.ts";
import { closeStatus, isData, OP, type RawFrame, RawWsClient } from "./raw-client.ts";

/** Interval between two sends of one worker of the background loop (ms). */
const PACE_MS = 5;
/** Data frames received before the close starts, so that the stream is in a steady state. */
const STEADY = 20;
/** Workers of the loop: sends outstanding at once, so that some are in flight at the close. */
const WORKERS = 4;
/** Longest accepted delay between our CLOSE and the IUT's last data frame (ms); see above. */
const GRACE_MS = 500;
/** How long the harness watches after the close started (draft default close timeout 1000 ms + margin). */
const WATCH_MS = 3000;

/** Sends numbered messages on `sock` until stopped; errors (no pipe, closed) are ignored. */
function startSending(sock: IutSocket): { stop(): Promise<number> } {
  let running = true;
  let n = 0;
  const worker = async () => {
    while (running) {
      await sock.trySend(utf8(`msg ${n++}`), { timeoutMs: 500 });
      await new Promise((r) => setTimeout(r, PACE_MS));
    }
  };
  const done = Promise.all(Array.from({ length: WORKERS }, worker));
  return {
    async stop() {
      running = false;
      await done;
      return n;
    },
  };
}

/**
 * An IUT socket of `protocol` listening on ws://, a hand-made client connected to it
 * (offering the IUT's subprotocol name, SP-WS-2), and the send loop running.
 */
async function busySender(ctx: CaseContext, protocol: "pub0" | "pair0") {
  const sock = await ctx.iut.open(protocol);
  const url = withHost(await sock.listen(ctx.iutUrl("ws", "/sp")), ctx.hosts.iut);
  const name = `${protocol.replace(/0$/, "")}.sp.nanomsg.org`;
  const client = await RawWsClient.connect(url, name, "ws-peer", ctx.transcript).catch((e) =>
    ctx.fail(`the upgrade to the IUT ${protocol} failed: ${(e as Error).message}`),
  );
  const loop = startSending(sock);
  const flowing = await client.until(() => client.frames.filter(isData).length >= STEADY, T.prompt);
  if (!flowing) {
    await loop.stop();
    client.close();
    ctx.fail(
      `the IUT ${protocol} sent fewer than ${STEADY} messages within the bound; nothing to observe`,
    );
  }
  return { client, loop };
}

const describe = (f: RawFrame, t0: number) => `opcode ${f.opcode} at +${Math.round(f.t - t0)} ms`;

/** The IUT receives our CLOSE while it is sending; it stops sending data messages. */
export const wsNoDataAfterCloseReceived: ConformanceCase = {
  id: "ws/no-data-after-close-received",
  title:
    "An IUT PUB that receives a CLOSE frame while sending stops sending data messages and closes TCP",
  requirements: ["SP-WS-27", "SP-WS-18"],
  kind: "example",
  needs: { protocols: ["pub0"], transports: ["ws"] },
  timeoutMs: 15000,
  async run(ctx) {
    const { client, loop } = await busySender(ctx, "pub0");
    let sent = 0;
    const tClose = client.now();
    try {
      client.sendClose(1000);
      await client.until(() => client.closedAt !== undefined, WATCH_MS);
    } finally {
      sent = await loop.stop();
      client.close();
    }
    const frames = client.frames;
    const theirs = frames.findIndex((f) => f.opcode === OP.close);
    const closeFrame = frames[theirs];
    const before = frames.filter(
      (f, i) => isData(f) && f.t >= tClose && (theirs < 0 || i < theirs),
    );
    const after = frames.filter((f, i) => isData(f) && theirs >= 0 && i > theirs);
    ctx.note(
      `${sent} sends; ${frames.filter(isData).length} data frames in all, ${before.length} after our CLOSE and before the IUT's; the IUT ${
        closeFrame
          ? `answered CLOSE ${closeStatus(closeFrame) ?? "(no status)"} at +${Math.round(closeFrame.t - tClose)} ms`
          : "sent no CLOSE"
      }; TCP ${client.closedAt === undefined ? "still open" : `closed at +${Math.round(client.closedAt - tClose)} ms`}`,
    );
    // SP-WS-27: nothing of a data message after the IUT's own CLOSE frame.
    const firstAfter = after[0];
    if (firstAfter) {
      ctx.fail(
        `the IUT sent ${after.length} data frame(s) after its CLOSE frame, the first ${describe(firstAfter, tClose)} (after our CLOSE)`,
      );
    }
    // SP-WS-27: once our CLOSE has reached it, the IUT produces no data message (see GRACE_MS).
    const late = before.filter((f) => f.t - tClose > GRACE_MS);
    const firstLate = late[0];
    if (firstLate) {
      ctx.fail(
        `the IUT kept sending data messages after it received our CLOSE: ${late.length} frame(s) more than ${GRACE_MS} ms after it, the first ${describe(firstLate, tClose)}`,
      );
    }
    if (!closeFrame) {
      ctx.info(
        "the IUT did not answer our CLOSE with a CLOSE frame (RFC 6455 §5.5.1 asks for one)",
      );
    }
    if (client.closedAt === undefined) {
      ctx.warn(
        `SP-WS-18: the IUT kept TCP open ${WATCH_MS} ms after the closing handshake started`,
      );
    }
  },
};

/** The IUT closes (TEXT frame, SP-WS-9) while it is sending; no data message follows its CLOSE. */
export const wsNoDataAfterCloseSent: ConformanceCase = {
  id: "ws/no-data-after-close-sent",
  title:
    "An IUT PAIR that sends a CLOSE frame while sending sends no data message after it and drops TCP in bounded time",
  requirements: ["SP-WS-27", "SP-WS-18", "SP-WS-9"],
  kind: "malformed",
  needs: { protocols: ["pair0"], transports: ["ws"] },
  covers: ["ws-pipe:open:textMessage", "ws-pipe:closing:after:wsCloseTimeout"],
  timeoutMs: 15000,
  async run(ctx) {
    // PAIR rather than PUB: a PUB has no use for an incoming message, and an implementation
    // that passes TEXT up instead of closing would test its PUB's input path, not SP-WS-27.
    const { client, loop } = await busySender(ctx, "pair0");
    let sent = 0;
    const tText = client.now();
    let gotClose = false;
    try {
      // A TEXT message makes the IUT close the pipe with 1003 (SP-WS-9). The harness then
      // neither answers the CLOSE nor closes TCP: the IUT stays in its closing state while
      // the loop keeps asking it to send.
      client.send(OP.text, utf8("not an SP message"));
      gotClose = await client.until(
        () => client.frames.some((f) => f.opcode === OP.close) || client.closedAt !== undefined,
        T.prompt,
      );
      if (gotClose) await client.until(() => client.closedAt !== undefined, WATCH_MS);
    } finally {
      sent = await loop.stop();
      client.close();
    }
    const frames = client.frames;
    const theirs = frames.findIndex((f) => f.opcode === OP.close);
    const closeFrame = frames[theirs];
    ctx.note(
      `${sent} sends; ${frames.filter(isData).length} data frames; the IUT ${
        closeFrame
          ? `sent CLOSE ${closeStatus(closeFrame) ?? "(no status)"} at +${Math.round(closeFrame.t - tText)} ms after our TEXT`
          : "sent no CLOSE"
      }; TCP ${client.closedAt === undefined ? "still open" : `closed at +${Math.round(client.closedAt - tText)} ms`}`,
    );
    if (!gotClose) {
      ctx.info(
        "the IUT neither sent a CLOSE nor dropped TCP after a TEXT message (see ws/text-frame-rejected); SP-WS-27 and SP-WS-18 were not exercised",
      );
      return;
    }
    if (!closeFrame) {
      ctx.note("the IUT dropped TCP without a CLOSE frame; no data can follow a CLOSE");
      return;
    }
    // SP-WS-27: ordering on the TCP stream is enough; nothing of a data message after its CLOSE.
    const after = frames.filter((f, i) => isData(f) && i > theirs);
    const first = after[0];
    if (first) {
      ctx.fail(
        `the IUT sent ${after.length} data frame(s) after its own CLOSE frame, the first ${describe(first, closeFrame.t)} after that CLOSE`,
      );
    }
    if (client.closedAt === undefined) {
      ctx.warn(
        `SP-WS-18: the IUT kept TCP open ${WATCH_MS} ms after sending its CLOSE with no answer from the peer`,
      );
    }
  },
};

/** The closing cases, in run order. */
export const wsCloseCases: readonly ConformanceCase[] = [
  wsNoDataAfterCloseReceived,
  wsNoDataAfterCloseSent,
];
