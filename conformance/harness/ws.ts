/**
 * Raw WebSocket peers for the WebSocket mapping cases: a client that offers
 * any subprotocols (or none) and can send TEXT, fragmented or oversize
 * messages, and a server that records what an IUT dialer offered. Every wait
 * is bounded and every message goes to the case transcript.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { endpointUrl, hostPort } from "./hosts.ts";
import { hex } from "./sp.ts";
import type { Transcript } from "./transcript.ts";
import { Wakeup } from "./wakeup.ts";
import { WireError, type WirePeer } from "./wire.ts";

/** One received WebSocket message. */
export interface WsMessage {
  data: Uint8Array;
  binary: boolean;
}

/** Outcome of an upgrade attempt. */
export type WsConnectResult =
  | { kind: "open"; peer: WsPeer }
  | { kind: "refused"; status: number; headers: IncomingMessage["headers"] }
  | { kind: "failed"; message: string };

/** One WebSocket connection driven by the suite. */
export class WsPeer {
  private queue: WsMessage[] = [];
  private readonly wakeup = new Wakeup();
  private closeInfo: { code: number; reason: string } | undefined;
  private pongs: Uint8Array[] = [];

  constructor(
    readonly ws: WebSocket,
    readonly label: string,
    private readonly transcript: Transcript,
  ) {
    ws.binaryType = "nodebuffer";
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      transcript.in(label, data);
      if (!isBinary) transcript.event(label, "(that message was TEXT)");
      this.queue.push({ data: new Uint8Array(data), binary: isBinary });
      this.wakeup.notify();
    });
    ws.on("pong", (data: Buffer) => {
      transcript.event(label, `PONG ${hex(data)}`);
      this.pongs.push(new Uint8Array(data));
      this.wakeup.notify();
    });
    ws.on("close", (code: number, reason: Buffer) => {
      transcript.event(label, `closed with status ${code} ${reason.toString()}`);
      this.closeInfo = { code, reason: reason.toString() };
      this.wakeup.notify();
    });
    ws.on("error", (e) => transcript.event(label, `error: ${e.message}`));
  }

  /**
   * Opens a WebSocket to `url` offering `protocols` (none when empty).
   *
   * @example
   * ```ts
   * const r = await WsPeer.connect("ws://192.0.2.7:5555/", ["rep.sp.nanomsg.org"], "ws1", t);
   * if (r.kind === "open") r.peer.send(bytes);
   * ```
   */
  static connect(
    url: string,
    protocols: string[],
    label: string,
    transcript: Transcript,
    ms = 3000,
  ): Promise<WsConnectResult> {
    transcript.event(label, `upgrade ${url} offering [${protocols.join(", ")}]`);
    return new Promise((resolve) => {
      const ws = new WebSocket(url, protocols, { perMessageDeflate: false });
      const timer = setTimeout(() => {
        ws.terminate();
        resolve({ kind: "failed", message: `no upgrade answer within ${ms} ms` });
      }, ms);
      ws.once("open", () => {
        clearTimeout(timer);
        transcript.event(label, `101, subprotocol ${JSON.stringify(ws.protocol)}`);
        resolve({ kind: "open", peer: new WsPeer(ws, label, transcript) });
      });
      ws.once("unexpected-response", (_req, res) => {
        clearTimeout(timer);
        transcript.event(label, `refused: HTTP ${res.statusCode} ${res.statusMessage ?? ""}`);
        resolve({ kind: "refused", status: res.statusCode ?? 0, headers: res.headers });
        ws.terminate();
      });
      ws.once("error", (e) => {
        clearTimeout(timer);
        transcript.event(label, `upgrade failed: ${e.message}`);
        resolve({ kind: "failed", message: e.message });
      });
    });
  }

  /** The subprotocol the server answered. */
  get protocol(): string {
    return this.ws.protocol;
  }

  /** The close status received, if closed. */
  get closed(): { code: number; reason: string } | undefined {
    return this.closeInfo;
  }

  /** Sends one BINARY message, optionally split into fragments of `fragment` bytes. */
  send(bytes: Uint8Array, fragment?: number): void {
    this.transcript.out(this.label, bytes);
    if (!fragment || fragment >= bytes.length) {
      this.ws.send(bytes, { binary: true });
      return;
    }
    for (let off = 0; off < bytes.length; off += fragment) {
      const end = Math.min(bytes.length, off + fragment);
      this.ws.send(bytes.subarray(off, end), { binary: true, fin: end === bytes.length });
    }
    this.transcript.event(this.label, `(sent as fragments of ${fragment} bytes)`);
  }

  /** Sends one TEXT message. */
  sendText(text: string): void {
    this.transcript.event(this.label, `>> TEXT ${JSON.stringify(text)}`);
    this.ws.send(text, { binary: false });
  }

  /** Sends a PING with `payload`. */
  ping(payload: Uint8Array): void {
    this.transcript.event(this.label, `PING ${hex(payload)}`);
    this.ws.ping(payload);
  }

  /** Waits for a PONG; returns its payload or undefined. */
  async pong(ms: number): Promise<Uint8Array | undefined> {
    await this.wakeup.until(() => this.pongs.length > 0 || this.closeInfo !== undefined, ms);
    return this.pongs.shift();
  }

  /** Reads one message within `ms`, or throws a WireError saying why not. */
  async read(ms: number, what = "a message"): Promise<WsMessage> {
    await this.wakeup.until(() => this.queue.length > 0 || this.closeInfo !== undefined, ms);
    const m = this.queue.shift();
    if (m) return m;
    throw new WireError(
      this.closeInfo
        ? `${this.label}: the IUT closed (status ${this.closeInfo.code}) while we waited for ${what}`
        : `${this.label}: no ${what} within ${ms} ms`,
    );
  }

  /** Waits up to `ms` for the close; returns its status, or undefined when still open. */
  async waitClosed(ms: number): Promise<number | undefined> {
    await this.wakeup.until(() => this.closeInfo !== undefined, ms);
    return this.closeInfo?.code;
  }

  /** Drops the connection. */
  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.transcript.event(this.label, "closed by the suite");
    }
    this.ws.terminate();
  }
}

/** What an IUT dialer sent in its upgrade request. */
export interface WsUpgradeSeen {
  path: string;
  offered: string[];
  host: string | undefined;
}

/** A WebSocket server on the suite's host that an IUT dialer connects to. */
export class WsServer {
  readonly upgrades: WsUpgradeSeen[] = [];
  readonly peers: WsPeer[] = [];
  private pending: WsPeer[] = [];
  private readonly wakeup = new Wakeup();
  private count = 0;

  private constructor(
    private readonly wss: WebSocketServer,
    /** The address it listens on (the suite's host). */
    readonly host: string,
    readonly port: number,
    private readonly label: string,
    transcript: Transcript,
    answer: (offered: string[]) => string | false,
  ) {
    wss.on("connection", (ws) => {
      const peer = new WsPeer(ws, `${this.label}.${++this.count}`, transcript);
      this.peers.push(peer);
      this.pending.push(peer);
      this.wakeup.notify();
    });
    this.answer = answer;
  }

  private readonly answer: (offered: string[]) => string | false;

  /**
   * Listens on a fresh port of `host` (the suite's host); `answer` picks the
   * subprotocol to echo (default: the first offered), `false` answers without one.
   */
  static async listen(
    host: string,
    label: string,
    transcript: Transcript,
    answer: (offered: string[]) => string | false = (o) => o[0] ?? false,
  ): Promise<WsServer> {
    let server: WsServer | undefined;
    const wss = new WebSocketServer({
      host,
      port: 0,
      perMessageDeflate: false,
      handleProtocols: (set, req) => {
        const offered = [...set];
        server?.upgrades.push({ path: req.url ?? "", offered, host: req.headers.host });
        transcript.event(label, `upgrade ${req.url} offering [${offered.join(", ")}]`);
        return server ? server.answer(offered) : false;
      },
    });
    await new Promise<void>((resolve, reject) => {
      wss.once("listening", () => resolve());
      wss.once("error", reject);
    });
    const port = (wss.address() as AddressInfo).port;
    transcript.event(label, `WebSocket server on ${hostPort(host, port)}`);
    server = new WsServer(wss, host, port, label, transcript, answer);
    // Requests without any subprotocol never reach handleProtocols; record them too.
    wss.on("headers", (_h, req) => {
      if (!req.headers["sec-websocket-protocol"]) {
        server?.upgrades.push({ path: req.url ?? "", offered: [], host: req.headers.host });
      }
    });
    return server;
  }

  /** The URL with `path` for the IUT to dial. */
  url(path = "/"): string {
    return endpointUrl("ws", this.host, this.port, path);
  }

  /** Waits up to `ms` for the IUT's next connection. */
  async accept(ms = 3000): Promise<WsPeer> {
    if (!(await this.wakeup.until(() => this.pending.length > 0, ms)))
      throw new WireError(`${this.label}: the IUT did not connect within ${ms} ms`);
    return this.pending.shift() as WsPeer;
  }

  close(): void {
    for (const p of this.peers) p.close();
    this.wss.close();
  }
}

/** The port of a URL. */
export function portOf(url: string): number {
  return Number(new URL(url).port);
}

/*
 * WebSocket by hand over a raw {@link WirePeer}, for requests the `ws` package
 * cannot make (an empty request target) and servers it cannot be (one that
 * sees the request line before any HTTP parser judges it).
 */

/** The `Sec-WebSocket-Accept` value that answers `key` (RFC 6455 §4.2.2). */
export function wsAcceptKey(key: string): string {
  return createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
}

/** The head of an HTTP request or response. */
export interface HttpHead {
  /** The request line or status line, exactly as received. */
  startLine: string;
  /** Header fields by lower-case name (repeated fields joined with ", "). */
  headers: Map<string, string>;
}

/**
 * Reads an HTTP head (through the blank line) from `peer` within `ms`; a
 * WireError when it does not come, the IUT closes, or it exceeds `max` bytes.
 *
 * @example
 * ```ts
 * const head = await readHttpHead(peer, 2000);
 * head.startLine; // "HTTP/1.1 101 Switching Protocols"
 * ```
 */
export async function readHttpHead(peer: WirePeer, ms: number, max = 8192): Promise<HttpHead> {
  const deadline = performance.now() + ms;
  const bytes: number[] = [];
  const ended = () =>
    bytes.length >= 4 && bytes.slice(-4).every((b, i) => b === [13, 10, 13, 10][i]);
  while (!ended()) {
    if (bytes.length >= max)
      throw new WireError(`${peer.label}: no end of the HTTP head within ${max} bytes`);
    const left = Math.max(1, deadline - performance.now());
    const [b] = await peer.readExact(1, left, "an HTTP head");
    bytes.push(b as number);
  }
  const lines = Buffer.from(bytes).toString("latin1").split("\r\n").slice(0, -2);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const had = headers.get(name);
    headers.set(name, had === undefined ? value : `${had}, ${value}`);
  }
  return { startLine: lines[0] ?? "", headers };
}

/** One WebSocket frame read by {@link readWsFrame}. */
export interface WsRawFrame {
  fin: boolean;
  opcode: number;
  masked: boolean;
  /** Unmasked payload. */
  payload: Uint8Array;
}

/**
 * Encodes one final frame; `masked` for frames a client sends (RFC 6455 §5.3).
 *
 * @example
 * ```ts
 * peer.write(wsFrame(2, new Uint8Array([0x80, 0, 0, 1, 0x68, 0x69]), true));
 * ```
 */
export function wsFrame(opcode: number, payload: Uint8Array, masked: boolean): Uint8Array {
  const len = payload.length;
  const head =
    len < 126
      ? [0x80 | opcode, len]
      : len < 0x10000
        ? [0x80 | opcode, 126, len >> 8, len & 0xff]
        : [
            0x80 | opcode,
            127,
            0,
            0,
            0,
            0,
            len >>> 24,
            (len >> 16) & 0xff,
            (len >> 8) & 0xff,
            len & 0xff,
          ];
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  head[1] = (head[1] as number) | 0x80;
  const mask = [0x5a, 0xa5, 0x3c, 0xc3];
  const body = payload.map((b, i) => b ^ (mask[i % 4] as number));
  return Buffer.concat([Buffer.from(head), Buffer.from(mask), body]);
}

/** Reads one frame from `peer` within `ms`; refuses payloads over `maxLen`. */
export async function readWsFrame(
  peer: WirePeer,
  ms: number,
  maxLen = 1 << 20,
): Promise<WsRawFrame> {
  const deadline = performance.now() + ms;
  const left = () => Math.max(1, deadline - performance.now());
  const h = await peer.readExact(2, ms, "a WebSocket frame");
  const b0 = h[0] as number;
  const b1 = h[1] as number;
  let len = b1 & 0x7f;
  if (len === 126) {
    const x = await peer.readExact(2, left(), "a frame length");
    len = ((x[0] as number) << 8) | (x[1] as number);
  } else if (len === 127) {
    const x = await peer.readExact(8, left(), "a frame length");
    const big = new DataView(x.buffer, x.byteOffset, 8).getBigUint64(0);
    len = big > BigInt(maxLen) ? maxLen + 1 : Number(big);
  }
  if (len > maxLen)
    throw new WireError(`${peer.label}: the IUT announced a frame over ${maxLen} bytes`);
  const masked = (b1 & 0x80) !== 0;
  const mask = masked ? await peer.readExact(4, left(), "a frame mask") : undefined;
  const payload =
    len > 0 ? await peer.readExact(len, left(), "a frame payload") : new Uint8Array(0);
  if (mask)
    for (let i = 0; i < len; i++) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number);
  return { fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, masked, payload };
}
