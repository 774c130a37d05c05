import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { FrameReader } from "../reference/transport/tcp/frame-reader.ts";

/**
 * Polls `cond` until it holds, failing after `timeoutMs`. For tests: wait for
 * a condition with an upper bound instead of sleeping.
 *
 * @example
 * ```ts
 * await waitFor(() => peer.frames.length === 2);
 * ```
 */
export async function waitFor(
  cond: () => boolean,
  timeoutMs = 3000,
  what = "condition",
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Returns `v`, failing the test when it is undefined (instead of a `!` assertion). */
export function must<T>(v: T | undefined | null, what = "value"): T {
  if (v === undefined || v === null) throw new Error(`missing ${what}`);
  return v;
}

/** Builds an 8-byte SP header for `proto` (optionally with bad magic or reserved bytes). */
export function spHeader(proto: number, reserved = 0, magic = [0x00, 0x53, 0x50, 0x00]): Buffer {
  return Buffer.from([...magic, proto >> 8, proto & 0xff, reserved >> 8, reserved & 0xff]);
}

/** Frames one payload: u64 BE length + bytes. */
export function frame(payload: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(Math.floor(payload.length / 2 ** 32), 0);
  head.writeUInt32BE(payload.length >>> 0, 4);
  return Buffer.concat([head, payload]);
}

/** Big-endian 32-bit words as a Buffer. */
export function words(...ws: number[]): Buffer {
  const b = Buffer.alloc(4 * ws.length);
  ws.forEach((w, i) => {
    b.writeUInt32BE(w >>> 0, i * 4);
  });
  return b;
}

/**
 * A hand-played SP peer over a raw `net` socket: it records the header and
 * frames it receives and lets a test write arbitrary bytes.
 *
 * @example
 * ```ts
 * const peer = await RawPeer.connect(url);
 * peer.write(spHeader(0x31));
 * ```
 */
export class RawPeer {
  header: Buffer | null = null;
  readonly frames: Buffer[] = [];
  ended = false;
  private readonly reader: FrameReader;

  constructor(readonly socket: Socket) {
    this.reader = new FrameReader({
      onHeader: (h) => {
        this.header = h;
      },
      onFrame: (f) => {
        this.frames.push(Buffer.from(f));
      },
      onOversize: () => {},
      limit: () => 0,
    });
    socket.on("data", (c: Buffer) => this.reader.feed(c));
    socket.on("error", () => {});
    socket.on("close", () => {
      this.ended = true;
    });
  }

  /** Connects to `tcp://host:port`. */
  static connect(url: string): Promise<RawPeer> {
    const m = /^tcp:\/\/\[?([^\]]*)\]?:(\d+)$/.exec(url);
    if (!m) throw new Error(`bad url ${url}`);
    return new Promise((resolve, reject) => {
      const s = connect({ host: m[1], port: Number(m[2]) }, () => resolve(new RawPeer(s)));
      s.once("error", reject);
    });
  }

  write(data: Uint8Array): void {
    this.socket.write(data);
  }

  /** Waits until the connection is closed by the other side. */
  waitEnded(timeoutMs = 3000): Promise<void> {
    return waitFor(() => this.ended, timeoutMs, "connection close");
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * A raw TCP server that wraps each accepted connection in a {@link RawPeer}.
 *
 * @example
 * ```ts
 * const srv = await RawServer.start();
 * req.dial(srv.url);
 * await waitFor(() => srv.peers.length === 1);
 * ```
 */
export class RawServer {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly peers: RawPeer[],
  ) {}

  static async start(port = 0): Promise<RawServer> {
    const peers: RawPeer[] = [];
    const server = createServer((s) => peers.push(new RawPeer(s)));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: "127.0.0.1", port }, () => resolve());
    });
    return new RawServer(
      server,
      `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`,
      peers,
    );
  }

  close(): Promise<void> {
    for (const p of this.peers) p.close();
    return new Promise((r) => this.server.close(() => r()));
  }
}
