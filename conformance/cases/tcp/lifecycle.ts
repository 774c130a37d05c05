/**
 * TCP connection and dialer transitions nobody else walks: closing a socket
 * while a connection is still in its handshake, a dialer that is refused,
 * backs off and connects once something listens, and a dialer stopped while
 * it backs off.
 */
import { protocols } from "../../../spec/constants.ts";
import { freePort, LatePort } from "../../harness/port.ts";
import { hex } from "../../harness/sp.ts";
import { sleep } from "../common/paths-runtime.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

const T = { prompt: 2000, reconnect: 50 } as const;

export const closeDuringHandshake: ConformanceCase = {
  id: "tcp/close-during-handshake",
  title: "Closing a socket closes a connection whose handshake is still open",
  requirements: ["SP-TCP-1", "SP-TCP-12"],
  kind: "example",
  needs: { protocols: ["rep0"], transports: ["tcp"] },
  covers: ["tcp-pipe:handshake:close"],
  async run(ctx: CaseContext) {
    const rep = await ctx.iut.open("rep0");
    const url = await rep.listen(ctx.iutUrl("tcp"));
    const peer = await ctx.connect(url, "silent");
    // SP-TCP-1: the IUT sends its header at once; we never answer.
    const h = await peer.readHeader(T.prompt);
    if (!h.magicValid) ctx.fail(`the IUT sent a malformed header ${hex(h.bytes)}`);
    await rep.close();
    if (!(await peer.waitClosed(T.prompt))) {
      ctx.fail("the IUT kept a half-open connection after the socket was closed");
    }
  },
};

export const dialerBackoff: ConformanceCase = {
  id: "tcp/dialer-refused-then-connects",
  title: "A refused dialer backs off, retries, connects once the peer listens, and stops on close",
  requirements: ["SP-TCP-13", "SP-TCP-12"],
  kind: "example",
  needs: { protocols: ["req0"], transports: ["tcp"], options: ["reconnect-time-min"] },
  covers: [
    "tcp-dialer:idle:start",
    "tcp-dialer:connecting:failed",
    "tcp-dialer:backoff:after:reconnectDelay",
    "tcp-dialer:connecting:connected",
    // Closing the socket closes its pipes before its dialers: the dialer sees its pipe go,
    // then the stop while backing off (not connected:stop, which a ws:// dialer walks).
    "tcp-dialer:connected:pipeClosed",
    "tcp-dialer:backoff:stop",
  ],
  async run(ctx: CaseContext) {
    const port = await freePort(ctx.hosts.suite);
    const req = await ctx.iut.open("req0");
    await req.setopt("reconnect-time-min", T.reconnect);
    await req.dial(ctx.suiteUrl("tcp", port));
    // Nothing listens yet: the first attempts are refused.
    await sleep(200);
    const late = await LatePort.listen(ctx.hosts.suite, port, "late", ctx.transcript);
    try {
      const peer = await late.accept(T.prompt);
      if (!peer) return ctx.fail(`the dialer did not retry within ${T.prompt} ms after a refusal`);
      const h = await peer.handshake(protocols.rep0.number);
      if (h.protocol !== protocols.req0.number)
        ctx.fail(`the IUT announced 0x${h.protocol.toString(16)}`);
      await req.close();
      if (!(await peer.waitClosed(T.prompt))) ctx.fail("the connection stayed open after close");
      const again = await late.accept(500);
      if (again) ctx.fail("the closed socket's dialer connected again");
    } finally {
      late.close();
    }
  },
};

export const dialerStopInBackoff: ConformanceCase = {
  id: "tcp/dialer-stops-while-backing-off",
  title: "Closing a socket whose dialer is backing off ends the retries",
  requirements: ["SP-TCP-13"],
  kind: "example",
  needs: { protocols: ["req0"], transports: ["tcp"], options: ["reconnect-time-min"] },
  covers: ["tcp-dialer:idle:start", "tcp-dialer:connecting:failed", "tcp-dialer:backoff:stop"],
  async run(ctx: CaseContext) {
    const port = await freePort(ctx.hosts.suite);
    const req = await ctx.iut.open("req0");
    await req.setopt("reconnect-time-min", 300);
    await req.dial(ctx.suiteUrl("tcp", port));
    await sleep(100);
    await req.close();
    const late = await LatePort.listen(ctx.hosts.suite, port, "late", ctx.transcript);
    try {
      const peer = await late.accept(800);
      if (peer) ctx.fail("the dialer of a closed socket still connected");
    } finally {
      late.close();
    }
  },
};

/** Cases of this file, in run order. */
export const tcpCoverageCases = [closeDuringHandshake, dialerBackoff, dialerStopInBackoff];
