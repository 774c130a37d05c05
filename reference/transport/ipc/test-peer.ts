import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "../../../testkit/raw-peer.ts";
import { FrameReader } from "../tcp/frame-reader.ts";

let serial = 0;

/**
 * A fresh socket path in the temp directory, short enough for every platform.
 *
 * @example
 * ```ts
 * const url = `ipc://${uniqueSocketPath()}`;
 * ```
 */
export function uniqueSocketPath(tag = "t"): string {
  return join(tmpdir(), `sp-${tag}-${process.pid}-${++serial}.sock`);
}

/** One IPC frame: `[type][u64 BE length][payload]` (SP-IPC-5); `type` may be wrong on purpose. */
export function ipcFrame(payload: Uint8Array, type = 0x01, announced = payload.length): Buffer {
  const head = Buffer.alloc(9);
  head[0] = type;
  head.writeUInt32BE(Math.floor(announced / 2 ** 32), 1);
  head.writeUInt32BE(announced >>> 0, 5);
  return Buffer.concat([head, payload]);
}

/**
 * A hand-played SP peer over a UNIX domain socket, for tests: records the
 * header and the frames it receives (checking their type byte is 0x01).
 *
 * @example
 * ```ts
 * const p = await IpcRawPeer.connect("/tmp/a.sock");
 * p.write(ipcFrame(Buffer.from("x")));
 * ```
 */
export class IpcRawPeer {
  header: Buffer | null = null;
  readonly frames: Buffer[] = [];
  /** A type byte other than 0x01 seen from the other side, if any. */
  badType: number | undefined;
  ended = false;
  private readonly reader: FrameReader;

  constructor(readonly socket: Socket) {
    this.reader = new FrameReader(
      {
        onHeader: (h) => {
          this.header = h;
        },
        onFrame: (f) => {
          this.frames.push(Buffer.from(f));
        },
        onOversize: () => {},
        onBadType: (t) => {
          this.badType = t;
        },
        limit: () => 0,
      },
      true,
      0x01,
    );
    socket.on("data", (c: Buffer) => this.reader.feed(c));
    socket.on("error", () => {});
    socket.on("close", () => {
      this.ended = true;
    });
  }

  /** Connects to the socket file at `path`. */
  static connect(path: string): Promise<IpcRawPeer> {
    return new Promise((resolve, reject) => {
      const s = connect({ path }, () => resolve(new IpcRawPeer(s)));
      s.once("error", reject);
    });
  }

  write(data: Uint8Array): void {
    this.socket.write(data);
  }

  /** Waits until the other side closed the connection. */
  waitEnded(timeoutMs = 3000): Promise<void> {
    return waitFor(() => this.ended, timeoutMs, "connection close");
  }

  close(): void {
    this.socket.destroy();
  }
}
