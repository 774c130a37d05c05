/**
 * A WebSocket client written on a plain TCP socket, for the closing cases
 * (SP-WS-27, SP-WS-18). The `ws` package stops parsing once it has a Close frame and
 * answers a Close by itself, so it cannot show what an IUT sends after its
 * Close frame or while ours is unanswered; this client does the upgrade by
 * hand (RFC 6455 §4.1), records every frame with its arrival time, and writes
 * masked frames only when told to.
 */
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { hex } from "../../harness/sp.ts";
import type { Transcript } from "../../harness/transcript.ts";
import { Wakeup } from "../../harness/wakeup.ts";
import { WireError } from "../../harness/wire.ts";

/** Frame opcodes (RFC 6455 §5.2). */
export const OP = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

/** One frame received from the IUT. */
export interface RawFrame {
  /** Milliseconds since the client connected. */
  t: number;
  fin: boolean;
  opcode: number;
  /** True when the IUT masked it (a server must not, RFC 6455 §5.1). */
  masked: boolean;
  payload: Uint8Array;
}

/** True for the frames of data messages (text, binary and their continuations). */
export const isData = (f: RawFrame): boolean => f.opcode <= OP.binary;

/** A hand-driven WebSocket client connection. */
export class RawWsClient {
  readonly frames: RawFrame[] = [];
  /** When the IUT closed TCP (ms since connect), if it did. */
  closedAt: number | undefined;
  private buf = Buffer.alloc(0);
  private readonly start = performance.now();
  private readonly wakeup = new Wakeup();

  private constructor(
    private readonly sock: Socket,
    readonly label: string,
    private readonly transcript: Transcript,
    rest: Buffer,
  ) {
    sock.on("data", (d: Buffer) => this.feed(d));
    const onClose = (why: string) => {
      if (this.closedAt !== undefined) return;
      this.closedAt = this.now();
      transcript.event(label, why);
      this.wakeup.notify();
    };
    sock.on("end", () => onClose("TCP closed by the IUT (FIN)"));
    sock.on("error", (e) => onClose(`TCP error: ${e.message}`));
    sock.on("close", () => onClose("TCP closed"));
    if (rest.length > 0) this.feed(rest);
  }

  /**
   * Upgrades a TCP connection to `url` (ws://host:port/path, as the IUT answered it) offering
   * `protocol`; rejects with a WireError unless the answer is 101 with that subprotocol.
   */
  static connect(
    url: string,
    protocol: string,
    label: string,
    transcript: Transcript,
    ms = 3000,
  ): Promise<RawWsClient> {
    const u = new URL(url);
    return new Promise((resolve, reject) => {
      // URL.hostname keeps the brackets of an IPv6 literal; net.connect wants it bare.
      const sock = connect({ host: u.hostname.replace(/^\[(.*)\]$/, "$1"), port: Number(u.port) });
      let head = Buffer.alloc(0);
      const fail = (why: string) => {
        clearTimeout(timer);
        sock.destroy();
        reject(new WireError(`${label}: ${why}`));
      };
      const timer = setTimeout(() => fail(`no upgrade answer within ${ms} ms`), ms);
      sock.once("connect", () => {
        const key = randomBytes(16).toString("base64");
        const req = [
          `GET ${u.pathname} HTTP/1.1`,
          `Host: ${u.host}`,
          "Upgrade: websocket",
          "Connection: Upgrade",
          `Sec-WebSocket-Key: ${key}`,
          "Sec-WebSocket-Version: 13",
          `Sec-WebSocket-Protocol: ${protocol}`,
          "",
          "",
        ].join("\r\n");
        transcript.event(label, `upgrade ${u.pathname} offering ${protocol} (hand-made client)`);
        sock.write(req);
      });
      const onData = (d: Buffer) => {
        head = Buffer.concat([head, d]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        sock.off("data", onData);
        clearTimeout(timer);
        const text = head.subarray(0, end).toString("latin1");
        const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
        const answered = /^sec-websocket-protocol:\s*(.+)$/im.exec(text)?.[1]?.trim();
        if (status !== "101" || answered !== protocol) {
          fail(`upgrade answered ${status ?? "?"} with subprotocol ${answered ?? "(none)"}`);
          return;
        }
        sock.setNoDelay(true);
        transcript.event(label, `101, subprotocol ${answered}`);
        resolve(new RawWsClient(sock, label, transcript, head.subarray(end + 4)));
      };
      sock.on("data", onData);
      sock.once("error", (e) => fail(`connect failed: ${e.message}`));
    });
  }

  /** Milliseconds since connect. */
  now(): number {
    return performance.now() - this.start;
  }

  private feed(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const f = this.parseOne();
      if (f === undefined) break;
      this.frames.push(f);
      const what =
        f.opcode === OP.close ? `CLOSE ${closeStatus(f) ?? "(no status)"}` : `opcode ${f.opcode}`;
      this.transcript.event(this.label, `<< ${what} ${hex(f.payload, 16)}`);
    }
    this.wakeup.notify();
  }

  private parseOne(): RawFrame | undefined {
    const b = this.buf;
    if (b.length < 2) return undefined;
    const b0 = b[0] as number;
    const b1 = b[1] as number;
    let len = b1 & 0x7f;
    let off = 2;
    if (len === 126) {
      if (b.length < 4) return undefined;
      len = b.readUInt16BE(2);
      off = 4;
    } else if (len === 127) {
      if (b.length < 10) return undefined;
      len = Number(b.readBigUInt64BE(2));
      off = 10;
    }
    const masked = (b1 & 0x80) !== 0;
    const mask = masked ? b.subarray(off, off + 4) : undefined;
    if (masked) off += 4;
    if (b.length < off + len) return undefined;
    const payload = new Uint8Array(b.subarray(off, off + len));
    if (mask) {
      for (let i = 0; i < payload.length; i++)
        payload[i] = (payload[i] as number) ^ (mask[i % 4] as number);
    }
    this.buf = b.subarray(off + len);
    return { t: this.now(), fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, masked, payload };
  }

  /** Writes one masked, final frame (client frames must be masked, RFC 6455 §5.3). */
  send(opcode: number, payload: Uint8Array): void {
    if (this.sock.destroyed) throw new WireError(`${this.label}: cannot write, TCP is closed`);
    const len = payload.length;
    const head =
      len < 126
        ? Buffer.from([0x80 | opcode, 0x80 | len])
        : Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff]);
    const mask = randomBytes(4);
    const body = Buffer.from(payload);
    for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (mask[i % 4] as number);
    this.transcript.event(this.label, `>> opcode ${opcode} ${hex(payload, 16)}`);
    this.sock.write(Buffer.concat([head, mask, body]));
  }

  /** Writes a Close frame with `status`. */
  sendClose(status: number): void {
    this.send(OP.close, new Uint8Array([status >> 8, status & 0xff]));
  }

  /** Waits up to `ms` for `pred`; returns whether it held. */
  until(pred: () => boolean, ms: number): Promise<boolean> {
    return this.wakeup.until(pred, ms);
  }

  /** Drops the TCP connection. */
  close(): void {
    if (!this.sock.destroyed) this.transcript.event(this.label, "TCP closed by the suite");
    this.sock.destroy();
  }
}

/** The status code of a Close frame, if it carries one. */
export function closeStatus(f: RawFrame): number | undefined {
  return f.payload.length >= 2
    ? ((f.payload[0] as number) << 8) | (f.payload[1] as number)
    : undefined;
}
