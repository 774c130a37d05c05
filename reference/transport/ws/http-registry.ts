/**
 * One HTTP(S) server per address and port, shared by every WebSocket listener
 * of the process that binds there with its own path (SP-WS-28). Process-wide,
 * like nng's shared HTTP servers.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import { defaults } from "../../../spec/constants.ts";
import { SPError } from "../../core/errors.ts";
import type { TlsEndpointOptions } from "../../core/transport.ts";
import type { ResolvedAddress } from "../../core/url.ts";
import { refuseServerRenegotiation } from "../tls/index.ts";
import { acceptEmptyTarget } from "./request-line.ts";

/** Handles an upgrade request for one path. */
export type UpgradeRoute = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

interface Endpoint {
  readonly server: Server;
  port: number;
  readonly routes: Map<string, UpgradeRoute>;
  /** How long a connection may take to send its upgrade request: the largest of the listeners'. */
  handshakeMs: number;
}

/** Keyed by `scheme|address|port` with the bound port. */
const endpoints = new Map<string, Promise<Endpoint>>();

const keyOf = (scheme: string, address: string, port: number) => `${scheme}|${address}|${port}`;

/** The path part of a request target, without the query. */
function pathOf(target: string | undefined): string {
  const t = target ?? "/";
  const q = t.indexOf("?");
  return q < 0 ? t : t.slice(0, q);
}

/** Answers and drops a request that cannot become a pipe. */
export function refuseHttp(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  setTimeout(() => socket.destroy(), 200).unref();
}

async function start(
  scheme: string,
  addr: ResolvedAddress,
  tls: TlsEndpointOptions | undefined,
  handshakeMs: number,
): Promise<Endpoint> {
  let server: Server;
  if (scheme === "wss") {
    if (!tls?.cert || !tls.key)
      throw new SPError("EINVAL", "a wss:// listener needs tls.cert and tls.key");
    server = createHttpsServer({
      cert: tls.cert,
      key: tls.key,
      ca: tls.ca,
      minVersion: "TLSv1.2",
      requestCert: tls.requireClientCert === true,
      rejectUnauthorized: tls.requireClientCert === true,
      // SP-WS-17: the TLS handshake is bounded too (node's default is 120 s).
      handshakeTimeout: handshakeMs,
    }) as unknown as Server;
  } else {
    server = createHttpServer();
  }
  // SP-WS-22: an empty request target is read as "/"; this goes before every other
  // connection listener, so that node's parser only ever sees the fixed request line.
  acceptEmptyTarget(server, scheme === "wss" ? "secureConnection" : "connection");
  const routes = new Map<string, UpgradeRoute>();
  const ep: Endpoint = { server, port: 0, routes, handshakeMs };
  // SP-WS-17: a connection must deliver its upgrade request within the handshake timeout;
  // without this, a silent or slow-loris peer is bounded only by node's HTTP header
  // timeout (60 s, checked every 30 s). Once the upgrade arrives, the pipe's machine times it.
  const waiting = new WeakMap<Duplex, NodeJS.Timeout>();
  server.on(scheme === "wss" ? "secureConnection" : "connection", (socket: Socket) => {
    // SP-WS-15 with SP-TLS-5: a wss client that starts renegotiation is cut off.
    if (scheme === "wss") refuseServerRenegotiation(socket as TLSSocket);
    const t = setTimeout(() => socket.destroy(), ep.handshakeMs);
    t.unref();
    waiting.set(socket, t);
    socket.once("close", () => clearTimeout(t));
  });
  server.on("request", (_req, res) => {
    res.writeHead(426, { Connection: "close", "Content-Length": "0", Upgrade: "websocket" });
    res.end();
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    clearTimeout(waiting.get(socket));
    socket.on("error", () => {});
    const route = routes.get(pathOf(req.url));
    // SP-WS-13: a path on which no socket listens is refused.
    if (!route) refuseHttp(socket, "404 Not Found");
    else route(req, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EADDRINUSE") reject(new SPError("EADDRINUSE", e.message, { cause: e }));
      else reject(new SPError("EADDRINVAL", e.message, { cause: e }));
    });
    server.listen({ host: addr.address, port: addr.port }, () => resolve());
  });
  server.on("error", () => {});
  ep.port = (server.address() as AddressInfo).port;
  return ep;
}

/** A path registered on a shared server. */
export interface Registration {
  readonly port: number;
  /** Removes the path; the server closes with its last path. */
  release(): Promise<void>;
}

/**
 * Registers `route` for `path` on the server at `addr` (started on first use;
 * port 0 always starts a new one). EADDRINUSE when the path is taken.
 *
 * @example
 * ```ts
 * const r = await registerRoute("ws", { address: "127.0.0.1", family: 4, port: 0 }, "/a", route);
 * await registerRoute("ws", { ...addr, port: r.port }, "/b", other); // same server
 * ```
 */
export async function registerRoute(
  scheme: string,
  addr: ResolvedAddress,
  path: string,
  route: UpgradeRoute,
  tls?: TlsEndpointOptions,
  handshakeMs: number = defaults.handshakeTimeoutMs,
): Promise<Registration> {
  let pending: Promise<Endpoint>;
  if (addr.port === 0) {
    const ep = await start(scheme, addr, tls, handshakeMs);
    pending = Promise.resolve(ep);
    endpoints.set(keyOf(scheme, addr.address, ep.port), pending);
  } else {
    const key = keyOf(scheme, addr.address, addr.port);
    const existing = endpoints.get(key);
    pending = existing ?? start(scheme, addr, tls, handshakeMs);
    if (!existing) {
      endpoints.set(key, pending);
      pending.catch(() => endpoints.delete(key));
    }
  }
  const ep = await pending;
  const key = keyOf(scheme, addr.address, ep.port);
  const bare = pathOf(path);
  if (ep.routes.has(bare)) {
    throw new SPError("EADDRINUSE", `${scheme}://...:${ep.port}${bare} already has a listener`);
  }
  ep.routes.set(bare, route);
  ep.handshakeMs = Math.max(ep.handshakeMs, handshakeMs);
  let released = false;
  return {
    port: ep.port,
    release: async () => {
      if (released) return;
      released = true;
      ep.routes.delete(bare);
      if (ep.routes.size > 0) return;
      endpoints.delete(key);
      await new Promise<void>((resolve) => {
        ep.server.close(() => resolve());
        ep.server.closeAllConnections?.();
      });
    },
  };
}
