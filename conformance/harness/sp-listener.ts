/** A raw listener that exchanges SP headers with an IUT that dials it. */
import type { Socket } from "node:net";
import { AcceptQueue } from "./accept-queue.ts";
import { spHeader } from "./sp.ts";
import type { Transcript } from "./transcript.ts";

/**
 * A raw TCP listener on the suite's host for an IUT that dials; {@link accept}
 * takes the next connection and exchanges SP headers on it. (Cases whose
 * `covers` name per-pipe transitions let the IUT dial: the reference's
 * transition recorder attributes a pipe's actors by the async context its
 * socket was made in, which a dialed socket has and an accepted one lacks.)
 */
export class SpListener {
  private constructor(
    private readonly accepted: AcceptQueue,
    readonly label: string,
    private readonly transcript: Transcript,
  ) {}

  /** Listens on a fresh port of `host` (the suite's host, `ctx.hosts.suite`). */
  static async listen(host: string, label: string, transcript: Transcript): Promise<SpListener> {
    return new SpListener(await AcceptQueue.listen(host, label, transcript), label, transcript);
  }

  /** The port the IUT dials. */
  get port(): number {
    return this.accepted.port;
  }

  /** The URL the IUT dials. */
  get url(): string {
    return this.accepted.url;
  }

  /**
   * Waits up to `ms` for the IUT to connect, sends our header for `protocol`
   * and reads the IUT's; resolves with the socket, positioned after it.
   */
  async accept(protocol: number, ms = 3000): Promise<Socket> {
    const deadline = performance.now() + ms;
    const s = await this.accepted.next(ms);
    this.transcript.event(this.label, `accepted a connection from port ${s.remotePort}`);
    const h = spHeader({ protocol });
    this.transcript.out(this.label, h);
    s.write(h);
    const head = await new Promise<Buffer | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), Math.max(1, deadline - performance.now()));
      const onReadable = () => {
        const b = s.read(8) as Buffer | null;
        if (!b) return;
        clearTimeout(timer);
        s.off("readable", onReadable);
        resolve(b);
      };
      s.on("readable", onReadable);
      onReadable();
    });
    if (!head) {
      s.destroy();
      throw new Error(`${this.label}: no SP header from the IUT within ${ms} ms`);
    }
    this.transcript.in(this.label, head);
    return s;
  }

  /** Stops listening; connections already accepted stay open. */
  close(): void {
    this.accepted.close();
  }
}
