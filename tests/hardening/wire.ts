/**
 * Helpers of the live hardening tests: a raw byte-level client for tcp://
 * and ipc:// URLs, an echo REP, a timed REQ round trip, pipe-event capture
 * and process-level fault watching.
 */
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SPError } from "../../reference/core/errors.ts";
import type { SocketBase } from "../../reference/core/socket.ts";
import type { PipeEvent } from "../../reference/core/stats.ts";
import { rep0, req0 } from "../../reference/index.ts";
import { waitFor } from "../../testkit/raw-peer.ts";
import { FrameReader } from "../../reference/transport/tcp/frame-reader.ts";

export { frame, must, spHeader, waitFor, words } from "../../testkit/raw-peer.ts";

/** A raw connection to a tcp:// or ipc:// URL that records what comes back. */
export class RawClient {
  ended = false;
  header: Buffer | null = null;
  readonly frames: Buffer[] = [];
  private readonly reader: FrameReader;

  private constructor(
    readonly socket: Socket,
    ipc: boolean,
  ) {
    this.reader = new FrameReader(
      {
        onHeader: (h) => {
          this.header = h;
        },
        onFrame: (f) => {
          this.frames.push(Buffer.from(f));
        },
        onOversize: () => {},
        limit: () => 0,
      },
      true,
      ipc ? 1 : undefined,
    );
    socket.on("data", (c: Buffer) => this.reader.feed(c));
    socket.on("error", () => {});
    socket.on("close", () => {
      this.ended = true;
    });
  }

  /** Connects; `tcp://host:port` or `ipc:///path`. */
  static connect(url: string, timeoutMs = 5000): Promise<RawClient> {
    const ipc = url.startsWith("ipc://");
    const m = /^tcp:\/\/\[?([^\]]*)\]?:(\d+)$/.exec(url);
    if (!ipc && !m) throw new Error(`bad url ${url}`);
    return new Promise((resolve, reject) => {
      const opts = ipc ? { path: url.slice(6) } : { host: m?.[1], port: Number(m?.[2]) };
      const s = connect(opts, () => {
        clearTimeout(t);
        resolve(new RawClient(s, ipc));
      });
      const t = setTimeout(() => {
        s.destroy();
        reject(new Error(`connect to ${url} timed out`));
      }, timeoutMs);
      s.once("error", (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
  }

  write(data: Uint8Array): void {
    this.socket.write(data);
  }

  waitEnded(timeoutMs = 3000): Promise<void> {
    return waitFor(() => this.ended, timeoutMs, "the connection to close");
  }

  /** Resets the connection (RST), as a killed process would. */
  kill(): void {
    this.socket.resetAndDestroy();
  }
}

/** A unique ipc:// URL in the temp folder. */
export function ipcUrl(tag: string): string {
  return `ipc://${join(tmpdir(), `sp-hard-${tag}-${process.pid}-${Math.random().toString(36).slice(2, 8)}.sock`)}`;
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
