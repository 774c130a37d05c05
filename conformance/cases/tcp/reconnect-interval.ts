/**
 * The dialer's reconnection interval over time (SP-TCP-13): with the default
 * maximum of zero it stays at the minimum however many attempts fail, and a
 * connection that got through resets a grown interval to the minimum.
 *
 * Both are timing cases with wide margins: the interval a broken dialer
 * reaches after a few seconds of refusals (1.6 s or more, doubling from
 * 100 ms) is several times the delay a conforming one shows (at most the
 * 100 ms minimum plus the connect), so a late timer on a loaded machine does
 * not turn into a verdict. SP-TCP-13 is a SHOULD: a dialer that waits too
 * long gets `warn`; one that never comes back fails.
 */
import { protocols } from "../../../spec/constants.ts";
import { freePort, LatePort } from "../../harness/port.ts";
import { sleep } from "../common/paths-runtime.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

const T = {
  /** reconnect-time-min set on the IUT. */
  min: 100,
  /** reconnect-time-max of the reset case. */
  max: 2000,
  /**
   * How long nothing listens. A dialer doubling from 100 ms tries at about 0,
   * 0.1, 0.3, 0.7, 1.5, 3.1 and 6.3 s, so listening at 4.5 s falls 1.4 s
   * before its next attempt (later still with late timers).
   */
  refused: 4500,
  /** Longer than this from listening to connecting: the interval was not the minimum. */
  late: 1000,
  /** Longest wait for a connection at all. */
  give: 5000,
} as const;

/** Time (ms) until the IUT's next connection reaches `late`, or undefined. */
async function timeToConnect(
  late: LatePort,
  ms: number,
): Promise<{ ms: number; peer: Awaited<ReturnType<LatePort["accept"]>> }> {
  const t0 = performance.now();
  const peer = await late.accept(ms);
  return { ms: performance.now() - t0, peer };
}

export const dialerIntervalStaysAtMinimum: ConformanceCase = {
  id: "tcp/dialer-interval-stays-at-minimum",
  title:
    "With no reconnect maximum set, a dialer refused for seconds still retries at its minimum interval",
  requirements: ["SP-TCP-13"],
  kind: "example",
  needs: { protocols: ["req0"], transports: ["tcp"], options: ["reconnect-time-min"] },
  covers: ["tcp-dialer:connecting:failed", "tcp-dialer:backoff:after:reconnectDelay"],
  timeoutMs: 20000,
  async run(ctx: CaseContext) {
    const port = await freePort(ctx.hosts.suite);
    const req = await ctx.iut.open("req0");
    await req.setopt("reconnect-time-min", T.min);
    await req.dial(ctx.suiteUrl("tcp", port));
    await sleep(T.refused);
    const late = await LatePort.listen(ctx.hosts.suite, port, "late", ctx.transcript);
    try {
      const { ms, peer } = await timeToConnect(late, T.give);
      if (!peer) {
        return ctx.fail(
          `after ${T.refused} ms of refusals the dialer did not connect within ${T.give} ms of the port opening`,
        );
      }
      ctx.note(`connected ${ms.toFixed(0)} ms after the port opened`);
      if (ms > T.late) {
        ctx.warn(
          `the dialer connected ${ms.toFixed(0)} ms after the port opened, with reconnect-time-min ${T.min} ms and no maximum set: its interval grew although the default maximum of zero keeps it at the minimum (SP-TCP-13)`,
        );
      }
      await peer.handshake(protocols.rep0.number);
    } finally {
      await req.close();
      late.close();
    }
  },
};

export const dialerIntervalResetOnConnect: ConformanceCase = {
  id: "tcp/dialer-interval-reset-on-connect",
  title:
    "A connection that got through resets the dialer's grown interval: after it drops, the dialer comes back at its minimum",
  requirements: ["SP-TCP-13"],
  kind: "example",
  needs: {
    protocols: ["req0"],
    transports: ["tcp"],
    options: ["reconnect-time-min", "reconnect-time-max"],
  },
  covers: [
    "tcp-dialer:connecting:failed",
    "tcp-dialer:backoff:after:reconnectDelay",
    "tcp-dialer:connecting:connected",
    "tcp-dialer:connected:pipeClosed",
  ],
  timeoutMs: 25000,
  async run(ctx: CaseContext) {
    const port = await freePort(ctx.hosts.suite);
    const req = await ctx.iut.open("req0");
    await req.setopt("reconnect-time-min", T.min);
    await req.setopt("reconnect-time-max", T.max);
    await req.dial(ctx.suiteUrl("tcp", port));
    // Refusals grow the interval towards the maximum.
    await sleep(T.refused);
    const late = await LatePort.listen(ctx.hosts.suite, port, "late", ctx.transcript);
    try {
      const first = await timeToConnect(late, T.max + T.give);
      if (!first.peer) {
        return ctx.fail(
          `the dialer did not connect within ${T.max + T.give} ms of the port opening (reconnect-time-max ${T.max} ms)`,
        );
      }
      ctx.note(`first connection ${first.ms.toFixed(0)} ms after the port opened`);
      await first.peer.handshake(protocols.rep0.number);
      // Let the IUT attach the pipe (the connection got through), then drop it.
      await sleep(200);
      first.peer.close();
      const again = await timeToConnect(late, T.max + T.give);
      if (!again.peer) {
        return ctx.fail(
          `the dialer did not come back within ${T.max + T.give} ms after its connection was dropped`,
        );
      }
      ctx.note(`reconnected ${again.ms.toFixed(0)} ms after the connection was dropped`);
      if (again.ms > T.late) {
        ctx.warn(
          `the dialer came back ${again.ms.toFixed(0)} ms after its connection dropped, with reconnect-time-min ${T.min} ms: the connection that got through did not reset the interval grown by the refusals before it (SP-TCP-13)`,
        );
      }
      await again.peer.handshake(protocols.rep0.number);
    } finally {
      await req.close();
      late.close();
    }
  },
};

/** Cases of this file, in run order. */
export const tcpReconnectCases = [dialerIntervalStaysAtMinimum, dialerIntervalResetOnConnect];
