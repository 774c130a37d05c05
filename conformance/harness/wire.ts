/**
 * The raw wire peer: a TCP connection the suite drives byte by byte, with
 * bounded waits (every read has a deadline that fails with a message) and a
 * transcript of all traffic.
 */
import { connect, type NetConnectOpts, type Socket } from "node:net";
import { AcceptQueue } from "./accept-queue.ts";
import { type Endpoint, hostPort } from "./hosts.ts";
import { frame, type HeaderFields, hex, type ParsedHeader, parseHeader, spHeader } from "./sp.ts";
import type { Transcript } from "./transcript.ts";
import { Wakeup } from "./wakeup.ts";
import { watchEnd } from "./watch-end.ts";

/** A harness expectation that did not hold (a wait ran out, the peer closed, ...). */
export class WireError extends Error {
  override name = "WireError";
}

/**
 * Opens a connection (`{ port, host }` or `{ path }`) and resolves once it is
 * up; a refusal or no answer within `ms` rejects with a WireError that names
 * `label` and `where`.
 */
export function openConnection(
  to: NetConnectOpts,
  where: string,
  label: string,
  ms = 3000,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(to);
    const timer = setTimeout(() => {
      s.destroy();
      reject(new WireError(`${label}: connect to ${where} timed out`));
    }, ms);
    s.once("connect", () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once("error", (e) => {
      clearTimeout(timer);
      reject(new WireError(`${label}: connect to ${where} failed: ${e.message}`));
    });
  });
}

/** What happened during a quiet period. */
export type QuietResult =
  | { kind: "nothing" }
  | { kind: "data"; bytes: Uint8Array }
  | { kind: "closed" };

/** One raw TCP connection to or from the IUT. */
export class WirePeer {
  private buf = Buffer.alloc(0);
  private closedFlag = false;
  private readonly wakeup = new Wakeup();

  constructor(
    private readonly sock: Socket,
    readonly label: string,
    private readonly transcript: Transcript,
  ) {
    sock.setNoDelay(true);
    sock.on("data", (d: Buffer) => {
      transcript.in(label, d);
      this.buf = Buffer.concat([this.buf, d]);
      this.wakeup.notify();
    });
    watchEnd(
      sock,
      label,
      transcript,
      () => this.closedFlag,
      () => {
        this.closedFlag = true;
        this.wakeup.notify();
      },
    );
  }

  /** Connects to `to` (the IUT's host and a port it listens on). */
  static async connect(to: Endpoint, label: string, transcript: Transcript) {
    const where = hostPort(to.host, to.port);
    const s = await openConnection({ port: to.port, host: to.host }, where, label);
    transcript.event(label, `connected to ${where} from port ${s.localPort}`);
    return new WirePeer(s, label, transcript);
  }

  /** Bytes received and not yet read. */
  get buffered(): number {
    return this.buf.length;
  }

  /** True once the IUT closed (or reset) the connection. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /** Writes raw bytes. */
  write(bytes: Uint8Array): void {
    if (this.sock.destroyed)
      throw new WireError(`${this.label}: cannot write, connection is closed`);
    this.transcript.out(this.label, bytes);
    this.sock.write(bytes);
  }

  /** Writes a connection header (valid unless fields say otherwise). */
  sendHeader(fields: HeaderFields): void {
    this.write(spHeader(fields));
  }

  /** Writes a frame; `announcedLength` may differ from the payload's length. */
  sendFrame(payload: Uint8Array, announcedLength?: bigint | number): void {
    this.write(frame(payload, announcedLength));
  }

  /** Reads exactly `n` bytes within `ms`, or throws a WireError saying why not. */
  async readExact(n: number, ms: number, what = `${n} bytes`): Promise<Uint8Array> {
    await this.wakeup.until(() => this.buf.length >= n || this.closedFlag, ms);
    if (this.buf.length < n) {
      const have = this.buf.length ? ` (have ${this.buf.length}: ${hex(this.buf)})` : "";
      throw new WireError(
        this.closedFlag
          ? `${this.label}: the IUT closed the connection while we waited for ${what}${have}`
          : `${this.label}: no ${what} within ${ms} ms${have}`,
      );
    }
    const out = new Uint8Array(this.buf.subarray(0, n));
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Reads the peer's 8-byte connection header. */
  async readHeader(ms = 2000): Promise<ParsedHeader & { bytes: Uint8Array }> {
    const bytes = await this.readExact(8, ms, "connection header");
    return { ...parseHeader(bytes), bytes };
  }

  /** Reads one frame and returns its payload; refuses announced lengths above `maxLen`. */
  async readFrame(ms = 2000, maxLen = 16 * 1024 * 1024): Promise<Uint8Array> {
    const deadline = performance.now() + ms;
    const head = await this.readExact(8, ms, "frame length");
    const len = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0);
    if (len > BigInt(maxLen)) {
      throw new WireError(`${this.label}: the IUT announced a frame of ${len} bytes`);
    }
    const left = Math.max(1, deadline - performance.now());
    return this.readExact(Number(len), left, `frame payload of ${len} bytes`);
  }

  /** Sends our header for `protocol` and checks the IUT's header (magic valid, reserved zero). */
  async handshake(protocol: number, ms = 2000): Promise<ParsedHeader> {
    this.sendHeader({ protocol });
    const h = await this.readHeader(ms);
    if (!h.magicValid || h.reserved !== 0) {
      throw new WireError(`${this.label}: the IUT sent a malformed header ${hex(h.bytes)}`);
    }
    return h;
  }

  /** Watches the connection for `ms`; reports the first thing that happened, if anything. */
  async quiet(ms: number): Promise<QuietResult> {
    await this.wakeup.until(() => this.buf.length > 0 || this.closedFlag, ms);
    if (this.buf.length > 0) return { kind: "data", bytes: new Uint8Array(this.buf) };
    return this.closedFlag ? { kind: "closed" } : { kind: "nothing" };
  }

  /** Fails unless nothing arrives and the connection stays open for `ms`. */
  async expectNothing(ms: number, why = ""): Promise<void> {
    const r = await this.quiet(ms);
    const ctx = why ? ` (${why})` : "";
    if (r.kind === "data") {
      throw new WireError(
        `${this.label}: expected nothing for ${ms} ms${ctx}, got ${hex(r.bytes)}`,
      );
    }
    if (r.kind === "closed") {
      throw new WireError(`${this.label}: expected the connection to stay open${ctx}, it closed`);
    }
  }

  /** Waits up to `ms` for the IUT to close; returns whether it did. Data is ignored. */
  async waitClosed(ms: number): Promise<boolean> {
    return this.wakeup.until(() => this.closedFlag, ms);
  }

  /** Fails unless the IUT closes the connection within `ms`. */
  async expectClosed(ms: number, why = ""): Promise<void> {
    if (!(await this.waitClosed(ms))) {
      const ctx = why ? ` (${why})` : "";
      throw new WireError(
        `${this.label}: expected the IUT to close the connection within ${ms} ms${ctx}`,
      );
    }
  }

  /** Closes our side. */
  close(): void {
    if (!this.sock.destroyed) this.transcript.event(this.label, "closed by the suite");
    this.closedFlag = true;
    this.sock.destroy();
  }
}

/** A raw TCP listener that the IUT dials; each connection becomes a {@link WirePeer}. */
export class WireServer {
  private count = 0;
  readonly peers: WirePeer[] = [];

  private constructor(
    private readonly accepted: AcceptQueue,
    private readonly label: string,
    private readonly transcript: Transcript,
  ) {}

  /** Listens on a fresh port of `host` (the suite's host). */
  static async listen(host: string, label: string, transcript: Transcript): Promise<WireServer> {
    return new WireServer(await AcceptQueue.listen(host, label, transcript), label, transcript);
  }

  /** The port the IUT should dial. */
  get port(): number {
    return this.accepted.port;
  }

  /** The URL the IUT should dial. */
  get url(): string {
    return this.accepted.url;
  }

  /** Waits up to `ms` for the IUT to connect. */
  async accept(ms = 3000): Promise<WirePeer> {
    const s = await this.accepted.next(ms, (m) => new WireError(m));
    const label = `${this.label}.${++this.count}`;
    this.transcript.event(label, `accepted a connection from port ${s.remotePort}`);
    const peer = new WirePeer(s, label, this.transcript);
    this.peers.push(peer);
    return peer;
  }

  /** Stops listening and drops every connection. */
  close(): void {
    this.accepted.close();
    for (const p of this.peers) p.close();
  }
}
