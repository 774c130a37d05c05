import { createServer, type Server } from "node:net";
import { IPC_MSG_INBAND, SP_HEADER_MAGIC } from "../../../spec/constants.ts";
import { SPError } from "../../core/errors.ts";
import type { Listener, PipeHost } from "../../core/transport.ts";
import type { SPUrl } from "../../core/url.ts";
import { TcpPipe, type TcpPipeMachine } from "../tcp/pipe.ts";
import { clearStaleSocket, type FileId, fileId, nativePath, removeIfOurs } from "./path.ts";

/** SP-IPC-5: every IPC frame starts with the in-band message type 0x01. */
export const IPC_FRAME_TYPE = IPC_MSG_INBAND[0];

/**
 * A bound IPC listener on a UNIX domain socket (a named pipe on Windows).
 * Each accepted connection is a {@link TcpPipe} with the IPC frame type byte:
 * header exchange, framing, limits and lifecycle are those of TCP (SP-IPC-4).
 *
 * @example
 * ```ts
 * const l = await IpcListener.bind(parseUrl("ipc:///tmp/a.sock", true), socket);
 * await l.close(); // also removes /tmp/a.sock
 * ```
 */
export class IpcListener implements Listener {
  readonly url: string;
  private readonly server: Server;
  private readonly path: string;
  private file: FileId | undefined;
  private readonly pipes = new Set<TcpPipe>();
  private closing: Promise<void> | undefined;

  private constructor(url: string, path: string, host: PipeHost, machine?: TcpPipeMachine) {
    this.url = url;
    this.path = path;
    // The instance exists before the server listens, so a connection accepted
    // while bind() still awaits (the file id below) is served, never dropped.
    this.server = createServer((socket) => {
      if (this.closing) {
        socket.destroy();
        return;
      }
      const pipes = this.pipes;
      const pipe = new TcpPipe({
        socket,
        host,
        machine,
        frameType: IPC_FRAME_TYPE,
        onClose: (p) => pipes.delete(p),
      });
      if (!pipe.isClosed) pipes.add(pipe);
    });
  }

  /** Binds, removing a stale socket file first; EADDRINUSE when the path is live or not a socket. */
  static async bind(url: SPUrl, host: PipeHost, machine?: TcpPipeMachine): Promise<IpcListener> {
    const path = nativePath(url.path ?? "");
    const self = host.identity.self;
    await clearStaleSocket(
      path,
      Uint8Array.from([...SP_HEADER_MAGIC, self >> 8, self & 0xff, 0, 0]),
    );
    const listener = new IpcListener(url.text, path, host, machine);
    const server = listener.server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", (e: NodeJS.ErrnoException) => {
        if (e.code === "EADDRINUSE") reject(new SPError("EADDRINUSE", e.message, { cause: e }));
        else reject(new SPError("EADDRINVAL", e.message, { cause: e }));
      });
      server.listen({ path }, () => resolve());
    });
    server.on("error", () => {
      // Accept errors (e.g. EMFILE) do not end the listener.
    });
    listener.file = await fileId(path);
    return listener;
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const p of this.pipes) p.close();
      this.pipes.clear();
      await stopped;
      // SP-IPC-11: remove the socket file, but only while it is still the one we created.
      await removeIfOurs(this.path, this.file);
    })();
    return this.closing;
  }

  /** Closes the listener (`await using l = await s.listen(...)`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
