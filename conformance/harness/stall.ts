/**
 * A raw peer that stops reading on demand, so the IUT's writes back up
 * (flow control). Used to drive states that need a connected peer which
 * cannot take another message.
 */
import { connect, type Socket } from "node:net";
import { type Endpoint, hostPort } from "./hosts.ts";
import { spHeader } from "./sp.ts";
import type { Transcript } from "./transcript.ts";

/**
 * A TCP connection that exchanges SP headers, then reads only while resumed
 * (bytes are counted and discarded, not recorded in the transcript).
 *
 * @example
 * ```ts
 * const p = await StallPeer.connect(ctx.iutEndpoint(url), 0x10, "stall", transcript);
 * p.pause();            // the IUT's sends back up
 * p.resume();           // and drain again
 * p.close();
 * ```
 */
export class StallPeer {
  /** Payload bytes read after the header. */
  received = 0;
  private closedFlag = false;

  private constructor(
    private readonly sock: Socket,
    readonly label: string,
    private readonly transcript: Transcript,
  ) {
    sock.on("data", (d: Buffer) => {
      this.received += d.length;
    });
    const onClose = () => {
      if (!this.closedFlag) transcript.event(label, "connection closed");
      this.closedFlag = true;
    };
    sock.on("close", onClose);
    sock.on("error", onClose);
  }

  /** Connects to `to`, sends a header for `protocol` and reads the IUT's header. */
  static async connect(to: Endpoint, protocol: number, label: string, transcript: Transcript) {
    return new StallPeer(await connectSp(to, protocol, label, transcript), label, transcript);
  }

  /** Stops reading. */
  pause(): void {
    this.transcript.event(this.label, "stops reading");
    this.sock.pause();
  }

  /** Reads (and discards) again. */
  resume(): void {
    this.transcript.event(this.label, "reads again");
    this.sock.resume();
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  close(): void {
    this.closedFlag = true;
    this.sock.destroy();
  }
}

/**
 * Opens a TCP connection to `to`, sends our SP header for
 * `protocol` and reads the IUT's 8-byte header (both go to the transcript);
 * resolves with the socket, positioned after that header.
 */
export function connectSp(
  to: Endpoint,
  protocol: number,
  label: string,
  transcript: Transcript,
): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const s = connect({ port: to.port, host: to.host });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`${label}: no SP header from ${hostPort(to.host, to.port)} within 3000 ms`));
    }, 3000);
    s.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.once("connect", () => {
      const h = spHeader({ protocol });
      transcript.out(label, h);
      s.write(h);
    });
    s.once("readable", function first() {
      const head = s.read(8) as Buffer | null;
      if (!head) {
        s.once("readable", first);
        return;
      }
      clearTimeout(timer);
      transcript.in(label, head);
      resolve(s);
    });
  });
}
