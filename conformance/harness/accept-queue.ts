/**
 * A raw TCP listener on the suite's host for an IUT that dials, and the queue of the
 * connections it accepted: the part that the suite's listening peers
 * ({@link WireServer}, {@link SpListener}) share.
 */
import { createServer, type Server, type Socket } from "node:net";
import { endpointUrl, hostPort } from "./hosts.ts";
import type { Transcript } from "./transcript.ts";
import { Wakeup } from "./wakeup.ts";

export class AcceptQueue {
  private readonly queue: Socket[] = [];
  private readonly wakeup = new Wakeup();

  private constructor(
    private readonly server: Server,
    /** The address it listens on (the suite's host as the IUT reaches it). */
    readonly host: string,
    readonly port: number,
    private readonly label: string,
  ) {
    server.on("connection", (s) => {
      s.on("error", () => {});
      this.queue.push(s);
      this.wakeup.notify();
    });
  }

  /** Listens on a fresh port of `host` (noted in the transcript under `label`). */
  static async listen(host: string, label: string, transcript: Transcript): Promise<AcceptQueue> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, host, () => resolve());
    });
    const addr = server.address();
    const port = typeof addr === "object" && addr ? addr.port : 0;
    transcript.event(label, `listening on ${hostPort(host, port)}`);
    return new AcceptQueue(server, host, port, label);
  }

  /** The URL the IUT dials. */
  get url(): string {
    return endpointUrl("tcp", this.host, this.port);
  }

  /** The next accepted connection, waiting up to `ms`; `fail` builds the error on time-out. */
  async next(ms: number, fail: (message: string) => Error = (m) => new Error(m)): Promise<Socket> {
    if (!(await this.wakeup.until(() => this.queue.length > 0, ms)))
      throw fail(`${this.label}: the IUT did not connect within ${ms} ms`);
    return this.queue.shift() as Socket;
  }

  /** Stops listening and drops the connections not taken yet. */
  close(): void {
    for (const s of this.queue) s.destroy();
    this.queue.length = 0;
    this.server.close();
  }
}
