/**
 * Helpers of the TLS cases (draft-sp-tls): throw-away certificates made with
 * `openssl` once per process (and per pair of hosts: the good certificate
 * names the IUT's and the suite's host), a TLS client that wraps the harness's raw peer,
 * and a TLS server the IUT dials. The SP bytes inside TLS are read with the
 * same {@link WirePeer} the TCP cases use (SP-TLS-12: the TCP mapping runs
 * unchanged inside TLS).
 */
import {
  type ConnectionOptions,
  createServer,
  type TlsOptions as NodeTlsOptions,
  type Server,
  type TLSSocket,
  connect as tlsConnect,
} from "node:tls";
import type { TlsOptions } from "../../adapters/iut.ts";
import { makeTestCerts } from "../../harness/certs.ts";
import { endpointUrl, hostPort } from "../../harness/hosts.ts";
import { WireError, WirePeer } from "../../harness/wire.ts";
import type { CaseContext, CaseNeeds } from "../types.ts";

/** PEM material: a CA, a server key with certificates signed by it, and an unrelated CA. */
export interface TlsMaterial {
  ca: string;
  otherCa: string;
  key: string;
  /** Signed by `ca` for 127.0.0.1, localhost, the IUT's host and the suite's host. */
  valid: string;
  /** Signed by `ca` for wrong-name.invalid only. */
  wrongName: string;
}

/** Material by the hosts its good certificate names (`<iut> <suite>`). */
const material = new Map<string, TlsMaterial>();

/**
 * The certificates for the case's hosts, generated on first use (needs
 * `openssl` on PATH). Every piece of one case must come from the same call's
 * set: the CA differs between sets.
 */
export function certs(ctx: CaseContext): TlsMaterial {
  const { iut, suite } = ctx.hosts;
  const key = `${iut} ${suite}`;
  let m = material.get(key);
  if (m === undefined) {
    const c = makeTestCerts({ hosts: [iut, suite] });
    c.cleanup();
    m = {
      ca: c.caCert,
      otherCa: c.otherCaCert,
      key: c.serverKey,
      valid: c.serverCert,
      wrongName: c.wrongNameCert,
    };
    material.set(key, m);
  }
  return m;
}

/** Server side settings for an IUT listener (SP-TLS-6). */
export function listenerTls(ctx: CaseContext): TlsOptions {
  const c = certs(ctx);
  return { cert: c.valid, key: c.key };
}

/**
 * Client side settings for an IUT dialer that trusts the CA. The name is set
 * to `localhost` because some TLS stacks (mbed TLS in nng) match DNS names only.
 */
export function dialerTls(ctx: CaseContext): TlsOptions {
  return { ca: certs(ctx).ca, servername: "localhost" };
}

/** Needs of a case on an IUT socket of `protocol` over tls+tcp. */
export const tlsNeeds = (protocol: string): CaseNeeds => ({
  protocols: [protocol],
  transports: ["tls+tcp"],
});

/** Bounds of the TLS cases (ms); a handshake costs more than a TCP connect. */
export const TT = { prompt: 3000, refuse: 1500 } as const;

/** Port of a `tls+tcp://host:port` URL. */
export function portOf(url: string): number {
  const m = /:(\d+)(\/|$)/.exec(url.replace(/^[a-z+]+:\/\//, ""));
  if (!m) throw new WireError(`cannot find a port in ${url}`);
  return Number(m[1]);
}

/** Outcome of a TLS connection attempt by the harness. */
export type TlsAttempt =
  | { ok: true; peer: WirePeer; protocol: string }
  | { ok: false; why: string };

/**
 * Opens a TLS connection to the IUT at `port` of its host; `extra` adjusts the
 * client (versions, trust). Resolves with the failure instead of throwing.
 */
export function tlsClient(
  ctx: CaseContext,
  port: number,
  label: string,
  extra: ConnectionOptions = {},
): Promise<TlsAttempt> {
  return new Promise((resolve) => {
    const s: TLSSocket = tlsConnect({
      host: ctx.hosts.iut,
      port,
      ca: certs(ctx).ca,
      servername: "localhost",
      ...extra,
    });
    let settled = false;
    const settle = (a: TlsAttempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!a.ok) s.destroy();
      resolve(a);
    };
    const timer = setTimeout(
      () => settle({ ok: false, why: "no handshake within bound" }),
      TT.prompt,
    );
    s.once("secureConnect", () => {
      const protocol = s.getProtocol() ?? "?";
      ctx.transcript.event(label, `TLS handshake done (${protocol}, ${s.getCipher().name})`);
      settle({ ok: true, peer: new WirePeer(s, label, ctx.transcript), protocol });
    });
    s.once("error", (e) => settle({ ok: false, why: e.message }));
    s.once("close", () => settle({ ok: false, why: "connection closed during the handshake" }));
  });
}

/** A TLS server the IUT dials; records handshakes that failed. */
export class TlsServer {
  readonly peers: WirePeer[] = [];
  readonly failures: string[] = [];
  private queue: TLSSocket[] = [];
  private count = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly label: string,
    private readonly ctx: CaseContext,
  ) {
    server.on("secureConnection", (s: TLSSocket) => this.queue.push(s));
    server.on("tlsClientError", (e) => {
      this.failures.push(e.message);
      ctx.transcript.event(label, `a TLS handshake failed: ${e.message}`);
    });
  }

  /** Listens on the suite's host with a fresh port, presenting `cert`; `extra` adjusts the server. */
  static async listen(
    ctx: CaseContext,
    cert: string,
    label = "tls-server",
    extra: NodeTlsOptions = {},
  ): Promise<TlsServer> {
    const server = createServer({ cert, key: certs(ctx).key, ...extra });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, ctx.hosts.suite, () => resolve());
    });
    const addr = server.address();
    const port = typeof addr === "object" && addr ? addr.port : 0;
    ctx.transcript.event(label, `TLS listening on ${hostPort(ctx.hosts.suite, port)}`);
    return new TlsServer(server, port, label, ctx);
  }

  /** The URL the IUT should dial. */
  get url(): string {
    return endpointUrl("tls+tcp", this.ctx.hosts.suite, this.port);
  }

  /** Waits up to `ms` for a completed handshake; undefined when none came. */
  async accept(ms: number): Promise<WirePeer | undefined> {
    const deadline = performance.now() + ms;
    while (this.queue.length === 0 && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const s = this.queue.shift();
    if (s === undefined) return undefined;
    const label = `${this.label}.${++this.count}`;
    this.ctx.transcript.event(label, `TLS connection accepted (${s.getProtocol()})`);
    const peer = new WirePeer(s, label, this.ctx.transcript);
    this.peers.push(peer);
    return peer;
  }

  /** Stops listening and drops every connection. */
  close(): void {
    for (const s of this.queue) s.destroy();
    for (const p of this.peers) p.close();
    this.server.close();
  }
}

/** Runs `body` with a TLS server presenting `cert` (`extra` adjusts it), closing it afterwards. */
export async function withTlsServer<T>(
  ctx: CaseContext,
  cert: string,
  body: (srv: TlsServer) => Promise<T>,
  extra: NodeTlsOptions = {},
): Promise<T> {
  const srv = await TlsServer.listen(ctx, cert, "tls-server", extra);
  try {
    return await body(srv);
  } finally {
    srv.close();
  }
}
