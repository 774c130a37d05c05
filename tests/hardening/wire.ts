/**
 * Helpers of the live hardening tests: an echo REP, a timed REQ round trip,
 * pipe-event capture and a percentile. The raw peer they play by hand is
 * testkit's RawPeer.
 */
import type { SPError } from "../../reference/core/errors.ts";
import type { SocketBase } from "../../reference/core/socket.ts";
import type { PipeEvent } from "../../reference/core/stats.ts";
import { rep0, req0 } from "../../reference/index.ts";
import { uniqueSocketPath } from "../../testkit/raw-peer.ts";

/** A unique ipc:// URL in the temp folder. */
export function ipcUrl(tag: string): string {
  return `ipc://${uniqueSocketPath(`hard-${tag}`)}`;
}

/** A REP that answers every request with `reply:` + body until it closes. */
export function echoRep(options?: Parameters<typeof rep0>[0]) {
  const rep = rep0(options);
  const served = { count: 0 };
  void (async () => {
    try {
      for await (const m of rep) {
        served.count++;
        await rep.send(Buffer.concat([Buffer.from("reply:"), m]));
      }
    } catch {
      // closed
    }
  })();
  return { rep, served };
}

/**
 * One REQ round trip against `url` from a fresh REQ socket; resolves with the
 * time it took (connect excluded) and closes the REQ.
 */
export async function goodRoundTrip(url: string, body = "hello"): Promise<number> {
  const req = req0({ recvTimeout: 5000, reconnectMin: 20 });
  try {
    await req.dial(url).connected;
    const t0 = performance.now();
    await req.send(body);
    const r = await req.recv();
    if (r.toString() !== `reply:${body}`) throw new Error(`wrong reply ${r.toString()}`);
    return performance.now() - t0;
  } finally {
    await req.close();
  }
}

/** Collects a socket's pipe events in the background. */
export function capturePipeEvents(sock: SocketBase): PipeEvent[] {
  const events: PipeEvent[] = [];
  void (async () => {
    for await (const e of sock.pipeEvents()) events.push(e);
  })();
  return events;
}

/** The typed errors carried by the remove events seen so far. */
export function removeErrors(events: readonly PipeEvent[]): SPError[] {
  return events.flatMap((e) => (e.type === "remove" && e.error ? [e.error] : []));
}

/** The p-th percentile (0..100) of `xs`. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}
