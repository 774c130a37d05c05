/**
 * The `tls+tcp://` transport (rfc/draft-sp-tls.md): the TCP mapping run
 * inside a TLS connection. It is built by composition: the TCP listener gets a
 * TLS server, the TCP dialer a TLS connect function; header, framing, receive
 * limit and the `tcp-pipe` / `tcp-dialer` machines are the TCP ones.
 */
import { isIP, type Server, type Socket } from "node:net";
import {
  checkServerIdentity,
  createServer as createTlsServer,
  type TLSSocket,
  connect as tlsConnect,
} from "node:tls";
import {
  type DialerEventListener,
  type DialerEventMap,
  dialFailure,
} from "../../core/dialer-driver.ts";
import { SPError } from "../../core/errors.ts";
import type {
  Dialer,
  EndpointOptions,
  Listener,
  PipeHost,
  TlsEndpointOptions,
  Transport,
} from "../../core/transport.ts";
import { resolveUrl, type SPUrl } from "../../core/url.ts";
import { TcpDialer } from "../tcp/dialer.ts";
import { TcpListener } from "../tcp/listener.ts";

/** SP-TLS-2: never below TLS 1.2. */
const MIN_VERSION = "TLSv1.2";

/** Error codes node gives a server socket whose client starts a new handshake. */
const RENEGOTIATION_CODES = new Set(["ERR_TLS_RENEGOTIATION_DISABLED", "ERR_TLS_SESSION_ATTACK"]);

/**
 * SP-TLS-5 on an accepted socket: a client's renegotiation attempt closes the
 * connection. `disableRenegotiation()` alone is not enough: node then emits an
 * `error` when the new handshake starts but leaves the socket open (an `error`
 * event does not destroy a TLS socket), and OpenSSL goes on to complete the
 * handshake. So every error on the socket destroys it here; `onRefused` runs for
 * the renegotiation errors (for statistics). TLS 1.3 has no renegotiation, and its
 * post-handshake messages (tickets, key updates) do not count as a new handshake.
 */
export function refuseServerRenegotiation(socket: TLSSocket, onRefused?: () => void): void {
  socket.disableRenegotiation();
  socket.on("error", (e: NodeJS.ErrnoException) => {
    if (RENEGOTIATION_CODES.has(e.code ?? "")) onRefused?.();
    socket.destroy();
  });
}

/**
 * SP-TLS-5 on a dialed socket, to be called once the handshake is done: a
 * server that starts renegotiation (a TLS 1.2 HelloRequest) gets the connection
 * closed. node has no public hook for the start of a client-side handshake and
 * OpenSSL accepts the request, so the second `secure` event (a handshake
 * completed after the first) is the signal; the socket is destroyed before any
 * further application data is read through the pipe. Listeners added while the
 * first `secure` is being emitted are not called for it, so calling this from
 * the `secureConnect` handler counts only later handshakes.
 */
export function refuseClientRenegotiation(socket: TLSSocket, onRefused?: () => void): void {
  socket.on("secure", () => {
    onRefused?.();
    socket.destroy(new SPError("EPROTO", "the TLS server started renegotiation"));
  });
}

/** Node error codes of a connection that never reached TLS: they mean what they mean for TCP. */
const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "EADDRNOTAVAIL",
]);

/**
 * Turns a failure of a TLS connection into an SPError with a readable message:
 * a certificate that does not verify (untrusted chain, wrong name, expired) is
 * EPEERAUTH "TLS peer verification failed (CODE): ..."; a refused or unresolvable
 * connection keeps its TCP meaning (ECONNREFUSED, EADDRINVAL...); any other
 * failure of the handshake (the peer does not speak TLS, no common version) is
 * ECRYPTO. An SPError is returned as it is.
 *
 * @example
 * ```ts
 * tlsError(Object.assign(new Error("self-signed"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" })).code;
 * // "EPEERAUTH"
 * ```
 */
export function tlsError(e: unknown): SPError {
  if (e instanceof SPError) return e;
  const err = e as NodeJS.ErrnoException;
  const code = err?.code ?? "";
  const verify =
    /CERT|SELF_SIGNED|UNABLE_TO|ALTNAME|VERIFY|ISSUER|EXPIRED|NOT_YET_VALID/.test(code) ||
    /certificate/i.test(err?.message ?? "");
  if (verify) {
    return new SPError("EPEERAUTH", `TLS peer verification failed (${code}): ${err.message}`, {
      cause: e,
    });
  }
  if (CONNECT_CODES.has(code)) return dialFailure(e);
  return new SPError("ECRYPTO", `TLS connection failed (${code || "error"}): ${err?.message}`, {
    cause: e,
  });
}

/**
 * A `tls+tcp://` dialer: the TCP dialer over a TLS connect, plus the last TLS
 * failure (SP-TLS-11). Failed attempts are `error` events like TCP's, with
 * EPEERAUTH for a certificate that does not verify and ECRYPTO for another
 * handshake failure.
 */
export class TlsDialer implements Dialer {
  readonly url: string;
  readonly connected: Promise<void>;
  /** Why the latest attempt failed, e.g. a certificate that did not verify; cleared on success. */
  lastError: SPError | undefined;
  private readonly inner: TcpDialer;

  constructor(
    url: SPUrl,
    host: PipeHost,
    tls: TlsEndpointOptions = {},
    options: { start?: boolean; failFast?: boolean } = {},
  ) {
    this.url = url.text;
    // SP-TLS-8: the expected name is the URL host unless configured; SNI only for DNS names.
    const expected = tls.servername ?? url.host;
    const connect = async (u: SPUrl): Promise<Socket> => {
      const addr = await resolveUrl(u);
      const socket: TLSSocket = tlsConnect({
        host: addr.address,
        port: addr.port,
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        servername: isIP(expected) ? undefined : expected,
        minVersion: MIN_VERSION,
        // SP-TLS-7, SP-TLS-9: verification is on unless `insecure` is set explicitly.
        rejectUnauthorized: tls.insecure !== true,
        checkServerIdentity: (_host, cert) => checkServerIdentity(expected, cert),
      });
      socket.once("secureConnect", () => {
        // SP-TLS-5: no renegotiation on this connection.
        refuseClientRenegotiation(socket, () => host.count("tlsRenegotiationRefused"));
        this.lastError = undefined;
      });
      socket.on("error", (e) => {
        // SP-TLS-11: keep the reason where the application can read it.
        this.lastError = tlsError(e);
        if (this.lastError.code === "EPEERAUTH") host.count("tlsVerifyFailed");
      });
      return socket;
    };
    // SP-TLS-12, SP-TLS-18: TCP framing and the TCP dialer's back-off, over TLS. The pipe starts
    // at the TCP connect, so its handshake timeout also bounds the TLS handshake (SP-TLS-13);
    // node writes nothing of the SP header before the TLS handshake and verification succeed.
    this.inner = new TcpDialer(url, host, {
      connect,
      start: options.start,
      failFast: options.failFast,
      failure: tlsError,
    });
    this.connected = this.inner.connected;
  }

  /** Starts a dialer created with `start: false`; see {@link TcpDialer.start}. */
  start(): void {
    this.inner.start();
  }

  /** Adds a listener of failed attempts (see {@link Dialer.on}). */
  on<K extends keyof DialerEventMap>(type: K, listener: DialerEventListener<K>): void {
    this.inner.on(type, listener);
  }

  /** Removes a listener added with {@link TlsDialer.on}. */
  off<K extends keyof DialerEventMap>(type: K, listener: DialerEventListener<K>): void {
    this.inner.off(type, listener);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Closes the dialer (`await using d = ...`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Binds a `tls+tcp://` listener. `tls.cert` and `tls.key` are required (SP-TLS-6);
 * with `requireClientCert`, clients must present a certificate that verifies against `ca`.
 */
export async function listenTls(
  url: SPUrl,
  host: PipeHost,
  tls: TlsEndpointOptions = {},
): Promise<Listener> {
  if (!tls.cert || !tls.key) {
    throw new SPError("EINVAL", "a tls+tcp:// listener needs tls.cert and tls.key");
  }
  const makeServer = (onSocket: (socket: Socket) => void): Server => {
    const server = createTlsServer(
      {
        cert: tls.cert,
        key: tls.key,
        ca: tls.ca,
        minVersion: MIN_VERSION,
        // SP-TLS-17: optional client certificates; SP-TLS-10: required ones are enforced.
        requestCert: tls.requireClientCert === true,
        rejectUnauthorized: tls.requireClientCert === true,
        // SP-TLS-13: the TLS handshake is bounded like the SP header wait.
        handshakeTimeout: host.options.handshakeTimeout,
      },
      (socket) => {
        // SP-TLS-5: a peer's renegotiation attempt closes the connection.
        refuseServerRenegotiation(socket, () => host.count("tlsRenegotiationRefused"));
        onSocket(socket);
      },
    );
    // SP-TLS-13: node reports a handshake that failed or ran past handshakeTimeout here and,
    // once anyone listens for the event, leaves closing the socket to the listener.
    server.on("tlsClientError", (_error, socket) => {
      host.count("tlsHandshakeFailed");
      socket.destroy();
    });
    return server;
  };
  return TcpListener.bind(url, host, undefined, makeServer);
}

/**
 * Builds the `tls+tcp://` transport. Options come from `listen(url, { tls })` / `dial(url, { tls })`.
 *
 * @example
 * ```ts
 * const rep = rep0();
 * await rep.listen("tls+tcp://127.0.0.1:0", { tls: { cert, key } });
 * const req = req0();
 * req.dial(url, { tls: { ca: cert } }); // verification on by default
 * ```
 */
export function createTlsTransport(): Transport {
  return {
    scheme: "tls+tcp",
    listen: (url: SPUrl, host: PipeHost, options?: EndpointOptions) =>
      listenTls(url, host, options?.tls),
    dial: (url: SPUrl, host: PipeHost, options?: EndpointOptions) =>
      new TlsDialer(url, host, options?.tls, {
        start: options?.start,
        failFast: options?.failFast,
      }),
  };
}

/** The default `tls+tcp://` transport. */
export const tlsTransport: Transport = createTlsTransport();
