import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { Listener, PipeHost, TlsEndpointOptions } from "../../core/transport.ts";
import { formatUrl, resolveUrl, type SPUrl } from "../../core/url.ts";
import { type Registration, registerRoute } from "./http-registry.ts";
import { WsPipe, type WsPipeMachine } from "./pipe.ts";
import { offeredSubprotocols, subprotocolName } from "./subprotocol.ts";

/**
 * A WebSocket listener: one path on a (possibly shared) HTTP server. Each
 * upgrade request becomes a {@link WsPipe} whose machine checks the offered
 * subprotocol (SP-WS-3, SP-WS-4).
 *
 * @example
 * ```ts
 * const l = await WsListener.bind(parseUrl("ws://127.0.0.1:0/rpc", true), socket);
 * l.url; // "ws://127.0.0.1:41234/rpc"
 * ```
 */
export class WsListener implements Listener {
  readonly url: string;
  private readonly pipes = new Set<WsPipe>();
  private registration: Registration | undefined;
  private closing: Promise<void> | undefined;

  private constructor(url: string) {
    this.url = url;
  }

  /** Binds; EADDRINUSE when the port (for another process) or the path is taken. */
  static async bind(
    url: SPUrl,
    host: PipeHost,
    tls?: TlsEndpointOptions,
    machine?: WsPipeMachine,
  ): Promise<WsListener> {
    const addr = await resolveUrl(url);
    const path = url.path ?? "/";
    const own = subprotocolName(host.identity.name);
    const wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      handleProtocols: () => own,
    });
    let listener: WsListener | undefined;
    const route = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!listener || listener.closing) {
        socket.destroy();
        return;
      }
      const pipes = listener.pipes;
      const pipe = new WsPipe({
        host,
        machine,
        server: {
          req,
          socket,
          head,
          accept: (cb) => {
            // SP-WS-11: the receive limit in force when the connection opens (0 = none).
            wss.options.maxPayload = host.options.recvMaxSize;
            wss.handleUpgrade(req, socket, head, cb);
          },
        },
        onClose: (p) => pipes.delete(p),
      });
      pipes.add(pipe);
      pipe.offer(offeredSubprotocols(req.headers["sec-websocket-protocol"]));
    };
    const registration = await registerRoute(
      url.scheme,
      addr,
      path,
      route,
      tls,
      host.options.handshakeTimeout,
    );
    listener = new WsListener(`${formatUrl(url.scheme, addr.address, registration.port)}${path}`);
    listener.registration = registration;
    return listener;
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    for (const p of this.pipes) p.close();
    this.pipes.clear();
    this.closing = this.registration?.release() ?? Promise.resolve();
    return this.closing;
  }

  /** Closes the listener (`await using l = await s.listen(...)`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
