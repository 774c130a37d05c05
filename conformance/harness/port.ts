/**
 * A raw TCP listener on a port chosen in advance, for cases that let the IUT
 * dial a port before anything listens there (reconnect back-off).
 */
import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { hostPort, LOOPBACK } from "./hosts.ts";
import type { Transcript } from "./transcript.ts";
import { Wakeup } from "./wakeup.ts";
import { WirePeer } from "./wire.ts";

/**
 * The range freePort draws from: below the kernel's ephemeral range, so that
 * no outgoing connection (an IUT dialing, a peer tool, another test worker)
 * can be handed the port between our check and its use. Linux publishes the
 * ephemeral range; elsewhere (macOS, Windows: 49152 and up) ports under
 * 32768 are outside it.
 */
export function portRange(): { low: number; high: number } {
  let ephemeralLow = 32768;
  try {
    const text = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8");
    const first = Number.parseInt(text.trim().split(/\s+/)[0] ?? "", 10);
    if (Number.isInteger(first) && first > 12_000) ephemeralLow = first;
  } catch {
    // Not Linux: keep the default.
  }
  return { low: 10_000, high: Math.min(ephemeralLow, 32768) - 1 };
}

/** Where this process's cursor starts: random, so parallel workers rarely meet. */
let cursor = -1;

async function bindable(port: number, host: string): Promise<boolean> {
  const s = createServer();
  const ok = await new Promise<boolean>((resolve) => {
    s.once("error", () => resolve(false));
    s.listen({ port, host, exclusive: true }, () => resolve(true));
  });
  if (ok) await new Promise<void>((resolve) => s.close(() => resolve()));
  return ok;
}

/**
 * Finds a free port on `host`: the next port, from a random per-process start
 * in {@link portRange}, that can be bound now. A port taken from the kernel's
 * ephemeral range (listen on 0) can be handed to an outgoing connection
 * before the caller binds it; the grid of peer tools hit that in CI.
 */
export async function freePort(host = LOOPBACK): Promise<number> {
  const { low, high } = portRange();
  const span = high - low + 1;
  if (cursor < 0) cursor = Math.floor(Math.random() * span);
  for (let tries = 0; tries < 200; tries++) {
    const port = low + (cursor % span);
    cursor = (cursor + 1) % span;
    if (await bindable(port, host)) return port;
  }
  throw new Error(`no free port on ${host} in ${low}-${high} after 200 tries`);
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
