/**
 * A hand-played SP peer for tests, over tcp:// or ipc://. It is a thin
 * adapter over the suite's raw peer ({@link WirePeer}): the bytes are read by
 * the harness's own framing code, never by the library's decoder, so a test
 * cannot pass because both sides share a bug. Where the harness waits for
 * each read, this peer reads in the background and collects what arrives
 * (`header`, `frames`, `ended`), which suits tests that poll with
 * {@link waitFor}.
 */
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { ipcFrame as harnessIpcFrame, ipcPath } from "../conformance/harness/ipc.ts";
import {
  frame as harnessFrame,
  spHeader as harnessSpHeader,
  words as harnessWords,
} from "../conformance/harness/sp.ts";
import { Transcript } from "../conformance/harness/transcript.ts";
import { waitFor } from "../conformance/harness/wait.ts";
import { openConnection, WirePeer } from "../conformance/harness/wire.ts";

export { waitFor };

/** The IPC frame type of an in-band message (SP-IPC-5). */
const IPC_INBAND = 0x01;
/** The longest a single read may wait (the largest delay a timer takes). */
const NO_DEADLINE = 2 ** 31 - 1;

/** The same bytes as a Buffer, without a copy (tests compare with Buffers). */
const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** Returns `v`, failing the test when it is undefined (instead of a `!` assertion). */
export function must<T>(v: T | undefined | null, what = "value"): T {
  if (v === undefined || v === null) throw new Error(`missing ${what}`);
  return v;
}

/** An 8-byte SP header for `proto` (optionally with bad reserved bytes or magic). */
export function spHeader(proto: number, reserved = 0, magic = [0x00, 0x53, 0x50, 0x00]): Buffer {
  return asBuffer(harnessSpHeader({ protocol: proto, reserved, magic }));
}

/** One TCP frame: u64 BE length + payload. */
export function frame(payload: Uint8Array): Buffer {
  return asBuffer(harnessFrame(payload));
}

/** Big-endian 32-bit words. */
export function words(...ws: number[]): Buffer {
  return asBuffer(harnessWords(...ws));
}

/** One IPC frame: `[type][u64 BE length][payload]`; `type` and `announced` may lie. */
export function ipcFrame(payload: Uint8Array, type = IPC_INBAND, announced?: number): Buffer {
  return asBuffer(harnessIpcFrame(payload, type, announced));
}

/**
 * A fresh socket path in the temp folder.
 *
 * @example
 * ```ts
 * const url = `ipc://${uniqueSocketPath("ipc")}`;
 * ```
 */
export function uniqueSocketPath(tag = "t"): string {
  return ipcPath(tag);
}

/** A transcript that keeps nothing: the tests look at `frames`, and floods would pile up. */
class NoTranscript extends Transcript {
  override out(): void {}
  override in(): void {}
  override event(): void {}
}

/**
 * One raw connection. It records the other side's header and the frames it
 * receives and lets a test write any bytes at all.
 *
 * @example
 * ```ts
 * const peer = await RawPeer.connect(url);
 * peer.write(spHeader(0x31));
 * await waitFor(() => peer.frames.length === 1);
 * ```
 */
export class RawPeer {
  /** The other side's 8-byte header, once it arrived. */
  header: Buffer | null = null;
  /** The payloads received, in order. */
  readonly frames: Buffer[] = [];
  /** IPC only: a type byte other than 0x01 that arrived; reading stopped there. */
  badType: number | undefined;
  /** True once the connection is closed and everything before the close was read. */
  ended = false;
  private readonly wire: WirePeer;

  /** Wraps a connected socket; `ipc` says frames carry the IPC type byte. */
  constructor(
    readonly socket: Socket,
    ipc = false,
  ) {
    this.wire = new WirePeer(socket, "raw", new NoTranscript());
    void this.collect(ipc);
  }

  private async collect(ipc: boolean): Promise<void> {
    try {
      this.header = asBuffer((await this.wire.readHeader(NO_DEADLINE)).bytes);
      for (;;) {
        if (ipc) {
          const [type] = await this.wire.readExact(1, NO_DEADLINE, "frame type");
          if (type !== IPC_INBAND) {
            this.badType = type;
            break;
          }
        }
        const payload = await this.wire.readFrame(NO_DEADLINE, Number.MAX_SAFE_INTEGER);
        this.frames.push(asBuffer(payload));
      }
    } catch {
      // the connection closed
    }
    await this.wire.waitClosed(NO_DEADLINE);
    this.ended = true;
  }

  /** Connects to `tcp://host:port` or `ipc:///path`, failing after `timeoutMs`. */
  static async connect(url: string, timeoutMs = 5000): Promise<RawPeer> {
    if (url.startsWith("ipc://")) {
      const path = url.slice("ipc://".length);
      return new RawPeer(await openConnection({ path }, url, "raw", timeoutMs), true);
    }
    const m = /^tcp:\/\/\[?([^\]]*)\]?:(\d+)$/.exec(url);
    if (!m) throw new Error(`bad url ${url}`);
    const to = { host: m[1], port: Number(m[2]) };
    return new RawPeer(await openConnection(to, url, "raw", timeoutMs));
  }

  write(data: Uint8Array): void {
    this.socket.write(data);
  }

  /** Waits until the other side closed the connection. */
  waitEnded(timeoutMs = 3000): Promise<void> {
    return waitFor(() => this.ended, timeoutMs, "the connection to close");
  }

  /** Closes our side. */
  close(): void {
    this.wire.close();
  }

  /** Resets the connection (RST), as a killed process would. */
  kill(): void {
    this.socket.resetAndDestroy();
  }
}

/**
 * A raw TCP listener on 127.0.0.1 that wraps each connection it accepts in a
 * {@link RawPeer}.
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
    const { port: bound } = server.address() as AddressInfo;
    return new RawServer(server, `tcp://127.0.0.1:${bound}`, peers);
  }

  close(): Promise<void> {
    for (const p of this.peers) p.close();
    return new Promise((r) => this.server.close(() => r()));
  }
}
