/**
 * The raw wire peer over IPC (draft-sp-ipc): UNIX domain socket connections
 * to and from the IUT. The connection header is the TCP one; every frame is
 * `[type][u64 BE length][payload]` with type 0x01 (SP-IPC-5). Reads check the
 * IUT's type byte; writes can use any type byte, on purpose.
 */
import { randomBytes } from "node:crypto";
import { existsSync, unlinkSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hex } from "./sp.ts";
import type { Transcript } from "./transcript.ts";
import { Wakeup } from "./wakeup.ts";
import { openConnection, WireError, WirePeer } from "./wire.ts";

/** The in-band message type (SP-IPC-5). */
export const IPC_INBAND = 0x01;

/** A fresh socket path under the temp directory (well below every platform's limit). */
export function ipcPath(tag = "c"): string {
  return join(tmpdir(), `spc-${tag}-${process.pid}-${randomBytes(4).toString("hex")}.sock`);
}

/** Encodes an IPC frame; `type` and `announcedLength` may be wrong on purpose. */
export function ipcFrame(
  payload: Uint8Array,
  type: number = IPC_INBAND,
  announcedLength?: bigint | number,
): Uint8Array {
  const out = new Uint8Array(9 + payload.length);
  out[0] = type;
  new DataView(out.buffer).setBigUint64(1, BigInt(announcedLength ?? payload.length));
  out.set(payload, 9);
  return out;
}

/**
 * Opens `count` connections to `path` and drops each right after the connect
 * call, before the IUT can exchange headers (what a stale-file probe or a port
 * scanner does). Resolves once every one is closed.
 */
export async function vanishingConnections(
  path: string,
  count: number,
  transcript: Transcript,
): Promise<void> {
  transcript.event("probe", `${count} connections to ipc://${path}, each closed at once`);
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve) => {
          const s = connect({ path });
          s.on("error", () => {});
          s.once("close", () => resolve());
          process.nextTick(() => s.destroy());
        }),
    ),
  );
}

/** A {@link WirePeer} whose frames carry the IPC type byte. */
export class IpcWirePeer extends WirePeer {
  /** Connects to the socket file at `path`. */
  static async connectPath(
    path: string,
    label: string,
    transcript: Transcript,
  ): Promise<IpcWirePeer> {
    const s = await openConnection({ path }, `ipc://${path}`, label);
    transcript.event(label, `connected to ipc://${path}`);
    return new IpcWirePeer(s, label, transcript);
  }

  /** Writes an IPC frame with type 0x01 (or a lying length). */
  override sendFrame(payload: Uint8Array, announcedLength?: bigint | number): void {
    this.write(ipcFrame(payload, IPC_INBAND, announcedLength));
  }

  /** Writes an IPC frame with the given type byte. */
  sendTypedFrame(type: number, payload: Uint8Array): void {
    this.write(ipcFrame(payload, type));
  }

  /**
   * Reads one IPC frame and returns its payload. Fails when the IUT's type
   * byte is not 0x01 (SP-IPC-5) or the length is above `maxLen`.
   */
  override async readFrame(ms = 2000, maxLen = 16 * 1024 * 1024): Promise<Uint8Array> {
    const deadline = performance.now() + ms;
    const head = await this.readExact(9, ms, "IPC frame prefix");
    if (head[0] !== IPC_INBAND) {
      throw new WireError(
        `${this.label}: the IUT sent a frame with type byte 0x${(head[0] ?? 0).toString(16).padStart(2, "0")} (${hex(head)}), expected 0x01`,
      );
    }
    const len = new DataView(head.buffer, head.byteOffset + 1, 8).getBigUint64(0);
    if (len > BigInt(maxLen)) {
      throw new WireError(`${this.label}: the IUT announced a frame of ${len} bytes`);
    }
    const left = Math.max(1, deadline - performance.now());
    return this.readExact(Number(len), left, `frame payload of ${len} bytes`);
  }
}

/** A raw IPC listener that the IUT dials. */
export class IpcWireServer {
  private queue: Socket[] = [];
  private readonly wakeup = new Wakeup();
  private count = 0;
  readonly peers: IpcWirePeer[] = [];

  private constructor(
    private readonly server: Server,
    readonly path: string,
    private readonly label: string,
    private readonly transcript: Transcript,
  ) {
    server.on("connection", (s) => {
      this.queue.push(s);
      this.wakeup.notify();
    });
  }

  /** Listens on a fresh socket path. */
  static async listen(label: string, transcript: Transcript): Promise<IpcWireServer> {
    const path = ipcPath("srv");
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ path }, () => resolve());
    });
    transcript.event(label, `listening on ipc://${path}`);
    return new IpcWireServer(server, path, label, transcript);
  }

  /** The URL the IUT should dial. */
  get url(): string {
    return `ipc://${this.path}`;
  }

  /** Waits up to `ms` for the IUT to connect. */
  async accept(ms = 3000): Promise<IpcWirePeer> {
    if (!(await this.wakeup.until(() => this.queue.length > 0, ms)))
      throw new WireError(`${this.label}: the IUT did not connect within ${ms} ms`);
    const s = this.queue.shift() as Socket;
    const label = `${this.label}.${++this.count}`;
    this.transcript.event(label, "accepted an IPC connection");
    const peer = new IpcWirePeer(s, label, this.transcript);
    this.peers.push(peer);
    return peer;
  }

  /** Stops listening, drops every connection and removes the socket file. */
  close(): void {
    for (const s of this.queue) s.destroy();
    for (const p of this.peers) p.close();
    this.server.close();
    if (existsSync(this.path)) {
      try {
        unlinkSync(this.path);
      } catch {
        // already gone
      }
    }
  }
}
