import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { SPError } from "../../core/errors.ts";
import type { Listener, PipeHost } from "../../core/transport.ts";
import { formatUrl, resolveUrl, type SPUrl } from "../../core/url.ts";
import { TcpPipe, type TcpPipeMachine } from "./pipe.ts";

/**
 * A bound TCP listener. Each accepted connection becomes a {@link TcpPipe};
 * a failed connection never disturbs the others (SP-TCP-12).
 *
 * @example
 * ```ts
 * const l = await TcpListener.bind(parseUrl("tcp://127.0.0.1:0", true), socket);
 * l.url; // "tcp://127.0.0.1:41234"
 * ```
 */
export class TcpListener implements Listener {
  readonly url: string;
  private readonly server: Server;
  private readonly pipes = new Set<TcpPipe>();
  private closing: Promise<void> | undefined;

  private constructor(server: Server, url: string) {
    this.server = server;
    this.url = url;
  }

  /**
   * Binds; EADDRINUSE when the port is taken, EADDRINVAL for an unusable address.
   * `makeServer` lets another transport (TLS) supply the server; it calls back with each ready socket.
   */
  static async bind(
    url: SPUrl,
    host: PipeHost,
    machine?: TcpPipeMachine,
    makeServer: (onSocket: (socket: Socket) => void) => Server = (onSocket) =>
      createServer(onSocket),
  ): Promise<TcpListener> {
    const addr = await resolveUrl(url);
    let listener: TcpListener | undefined;
    const server = makeServer((socket) => {
      if (!listener || listener.closing) {
        socket.destroy();
        return;
      }
      const pipes = listener.pipes;
      const pipe = new TcpPipe({
        socket,
        host,
        machine,
        onClose: (p) => pipes.delete(p),
      });
      if (!pipe.isClosed) pipes.add(pipe);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", (e: NodeJS.ErrnoException) => {
        if (e.code === "EADDRINUSE") reject(new SPError("EADDRINUSE", e.message, { cause: e }));
        else reject(new SPError("EADDRINVAL", e.message, { cause: e }));
      });
      server.listen({ host: addr.address, port: addr.port }, () => resolve());
    });
    server.on("error", () => {
      // Accept errors (e.g. EMFILE) do not end the listener.
    });
    const bound = server.address() as AddressInfo;
    listener = new TcpListener(server, formatUrl(url.scheme, bound.address, bound.port));
    return listener;
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const p of this.pipes) p.close();
      this.pipes.clear();
    });
    return this.closing;
  }

  /** Closes the listener (`await using l = await s.listen(...)`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
