/**
 * Where the two sides of a run sit on the network. The IUT need not run on
 * the suite's machine (a container, a VM, another host): its sockets listen
 * on, and the suite's raw peers dial, the *IUT host*; the suite's listeners
 * bind to, and every URL the IUT is told to dial names, the *suite host*.
 * Both are 127.0.0.1 unless the run says otherwise (runner/hosts.ts).
 *
 * Hosts are kept bare (`::1`, not `[::1]`); {@link urlHost} brackets IPv6
 * literals where they go into a URL or a `Host` header.
 */
import { isIP } from "node:net";
import { networkInterfaces } from "node:os";

/** The default address of both sides. */
export const LOOPBACK = "127.0.0.1";

/** The IUT's address and the suite's, each as the other side reaches it. */
export interface Hosts {
  /** Where IUT sockets listen (`tcp://<iut>:0`) and where the suite dials them. */
  readonly iut: string;
  /** Where the suite's peers listen and what the IUT dials to reach them. */
  readonly suite: string;
  /**
   * The IUT runs on this machine (its host is a loopback address or one of
   * this machine's), so an `ipc://` path means the same file on both sides.
   */
  readonly local: boolean;
}

/** Both sides on 127.0.0.1: the default, and what the vitest suites use. */
export const LOCAL_HOSTS: Hosts = Object.freeze({ iut: LOOPBACK, suite: LOOPBACK, local: true });

/** A TCP endpoint to connect to. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** `host` as written in a URL or a `Host` header: IPv6 literals in brackets. */
export function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** `host:port` (`[::1]:5555` for IPv6), for URLs, `Host` headers and transcripts. */
export function hostPort(host: string, port: number): string {
  return `${urlHost(host)}:${port}`;
}

/**
 * `scheme://host:port` followed by `path` (which starts with `/` when given).
 *
 * @example
 * endpointUrl("ws", "::1", 0, "/sp"); // "ws://[::1]:0/sp"
 */
export function endpointUrl(scheme: string, host: string, port: number, path = ""): string {
  return `${scheme}://${hostPort(host, port)}${path}`;
}

/** The port of a `scheme://host:port[/path]` URL, or undefined when it has none. */
export function urlPort(url: string): number | undefined {
  const m = /^[a-z0-9+.-]+:\/\/(?:\[[^\]]*\]|[^/:]*):(\d+)(?:\/|$)/i.exec(url);
  return m ? Number(m[1]) : undefined;
}

/** The host of a `scheme://host:port[/path]` URL (brackets removed), or undefined. */
export function urlHostOf(url: string): string | undefined {
  const m = /^[a-z0-9+.-]+:\/\/(?:\[([^\]]*)\]|([^/:]*))(?::\d+)?(?:\/|$)/i.exec(url);
  return m ? (m[1] ?? m[2]) : undefined;
}

/**
 * `url` with its host replaced by `host` (scheme, port and path kept): the
 * URL an IUT answered to `listen`, turned towards the address the suite
 * must use.
 *
 * @example
 * withHost("ws://0.0.0.0:4000/sp", "::1"); // "ws://[::1]:4000/sp"
 */
export function withHost(url: string, host: string): string {
  return url.replace(
    /^([a-z0-9+.-]+:\/\/)(?:\[[^\]]*\]|[^/:]*)/i,
    (_, scheme: string) => `${scheme}${urlHost(host)}`,
  );
}

/**
 * Checks a host given by a user or an adapter: an IPv4 or IPv6 literal
 * (brackets allowed) or a DNS name. Returns it bare; throws on anything else.
 */
export function parseHost(text: string): string {
  const t = text.trim();
  const bare = t.startsWith("[") && t.endsWith("]") ? t.slice(1, -1) : t;
  if (isIP(bare) !== 0) return bare;
  const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;
  if (bare === t && bare.length <= 253 && bare.split(".").every((l) => label.test(l))) {
    return bare;
  }
  throw new Error(`'${text}' is neither an IP address nor a host name`);
}

/** True for 127.0.0.0/8, ::1, IPv4-mapped loopback and `localhost`. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  if (isIP(h) === 6) return h === "::1" || /^::ffff:127\./.test(h) || /^(0+:){7}0*1$/.test(h);
  return false;
}

/** True when `address` (an IP literal) is loopback or belongs to one of this machine's interfaces. */
export function isThisMachine(address: string): boolean {
  if (isLoopback(address)) return true;
  const mine = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  return mine.some((i) => i.address.toLowerCase() === address.toLowerCase());
}

/** The loopback address of `host`'s family: `::1` for IPv6 literals, else 127.0.0.1. */
export function loopbackFor(host: string): string {
  return isIP(host) === 6 ? "::1" : LOOPBACK;
}
