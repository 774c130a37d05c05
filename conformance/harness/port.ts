/**
 * A raw TCP listener on a port chosen in advance, for cases that let the IUT
 * dial a port before anything listens there (reconnect back-off).
 */
import { createServer, type Server, type Socket } from "node:net";
import { hostPort, LOOPBACK } from "./hosts.ts";
import type { Transcript } from "./transcript.ts";
import { Wakeup } from "./wakeup.ts";
import { WirePeer } from "./wire.ts";

/** Finds a free port on `host` (listens on port 0, then releases it). */
export async function freePort(host = LOOPBACK): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve, reject) => {
    s.once("error", reject);
    s.listen(0, host, () => resolve());
  });
  const addr = s.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/**
 * A listener on a given port of the suite's host. Call {@link LatePort.close} when done.
 *
 * @example
 * ```ts
 * const port = await freePort(ctx.hosts.suite);
 * await iut.dial(ctx.suiteUrl("tcp", port));   // refused for now
 * const l = await LatePort.listen(ctx.hosts.suite, port, "late", transcript);
 * const peer = await l.accept(2000);           // the IUT's reconnect
 * l.close();
 * ```
 */
export class LatePort {
  private readonly queue: Socket[] = [];
  private readonly peers: WirePeer[] = [];
  private readonly wakeup = new Wakeup();
  private count = 0;

  private constructor(
    private readonly server: Server,
    private readonly label: string,
    private readonly transcript: Transcript,
  ) {
    server.on("connection", (s) => {
      this.queue.push(s);
      this.wakeup.notify();
    });
  }

  static async listen(
    host: string,
    port: number,
    label: string,
    transcript: Transcript,
  ): Promise<LatePort> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    transcript.event(label, `listening on ${hostPort(host, port)}`);
    return new LatePort(server, label, transcript);
  }

  /** The next connection within `ms`, or undefined. */
  async accept(ms: number): Promise<WirePeer | undefined> {
    if (!(await this.wakeup.until(() => this.queue.length > 0, ms))) return undefined;
    const s = this.queue.shift() as Socket;
    const label = `${this.label}.${++this.count}`;
    this.transcript.event(label, `accepted a connection from port ${s.remotePort}`);
    const peer = new WirePeer(s, label, this.transcript);
    this.peers.push(peer);
    return peer;
  }

  /** Stops listening and drops every connection. */
  close(): void {
    for (const s of this.queue) s.destroy();
    for (const p of this.peers) p.close();
    this.server.close();
  }
}
