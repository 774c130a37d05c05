import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { SPError } from "./errors.ts";

/** A parsed transport URL such as `tcp://127.0.0.1:5555`. */
export interface SPUrl {
  /** The scheme without `://`, e.g. `tcp`. */
  readonly scheme: string;
  /** Host as written (brackets removed); empty for "all interfaces" (`tcp://*:5555`, `tcp://:5555`). */
  readonly host: string;
  /** Port number; 0 asks the listener to pick one. */
  readonly port: number;
  /** The original text. */
  readonly text: string;
  /**
   * `ws://` and `wss://`: the path with its query, `/` when absent (SP-WS-1).
   * `ipc://`: the socket path (SP-IPC-1); `inproc://`: the name (SP-INPROC-1).
   */
  readonly path?: string;
}

/** The schemes whose address part this module knows how to check. */
const KNOWN_SCHEMES = new Set(["tcp", "tls+tcp", "ws", "wss", "ipc", "inproc"]);

/**
 * Parses `tcp://host:port`, `tcp://[::1]:port` (SP-TCP-14), `tcp://*:port` (SP-TCP-17), and
 * the `tls+tcp://`, `ws://`, `wss://`, `ipc://` and `inproc://` forms.
 * Port 0 and a wildcard host are only accepted when `forListen` is set.
 * Anything else fails with EADDRINVAL.
 *
 * The address of any other scheme is not this module's to judge: a `host:port`
 * is split as for TCP, anything else is kept whole in `path` (host "", port 0).
 * So a scheme no transport serves fails with ENOTSUP whatever its address says
 * (`foo://[bad` as `foo://x:1`), and a transport added for it checks its own.
 *
 * @example
 * ```ts
 * parseUrl("tcp://[::1]:5555", false); // { scheme: "tcp", host: "::1", port: 5555, ... }
 * parseUrl("foo://[bad", false); // { scheme: "foo", host: "", port: 0, path: "[bad", ... }
 * ```
 */
export function parseUrl(text: string, forListen: boolean): SPUrl {
  const bad = (why: string) =>
    new SPError("EADDRINVAL", `invalid URL ${JSON.stringify(text)}: ${why}`);
  if (typeof text !== "string") throw bad("not a string");
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(text);
  if (!m) throw bad("no scheme");
  const scheme = (m[1] as string).toLowerCase();
  const rest = m[2] as string;
  if (scheme === "ipc" || scheme === "inproc") return parseLocal(scheme, rest, text);
  if (KNOWN_SCHEMES.has(scheme)) return parseHostPort(scheme, rest, text, forListen);
  try {
    return parseHostPort(scheme, rest, text, forListen);
  } catch {
    return { scheme, host: "", port: 0, text, path: rest };
  }
}

/** The `host:port` part (and for ws/wss the path) of `text`, whose scheme is `scheme`. */
function parseHostPort(scheme: string, address: string, text: string, forListen: boolean): SPUrl {
  const bad = (why: string) =>
    new SPError("EADDRINVAL", `invalid URL ${JSON.stringify(text)}: ${why}`);
  let rest = address;
  let path: string | undefined;
  if (scheme === "ws" || scheme === "wss") {
    // SP-WS-1: the path selects the service; an empty path means "/".
    const slash = rest.search(/[/?]/);
    path = slash < 0 ? "/" : rest.slice(slash);
    if (path.startsWith("?")) path = `/${path}`;
    if (slash >= 0) rest = rest.slice(0, slash);
  }
  let host: string;
  let portText: string;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0 || rest[close + 1] !== ":") throw bad("malformed IPv6 literal");
    host = rest.slice(1, close);
    portText = rest.slice(close + 2);
    if (isIP(host) !== 6) throw bad("not an IPv6 address");
  } else {
    const colon = rest.lastIndexOf(":");
    if (colon < 0) throw bad("missing port");
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
    if (host.includes(":")) throw bad("IPv6 addresses need brackets");
    if (host === "*") host = "";
    if (host !== "" && !/^[A-Za-z0-9._-]+$/.test(host)) throw bad("bad host");
  }
  if (!/^[0-9]{1,5}$/.test(portText)) throw bad("bad port");
  const port = Number(portText);
  if (port > 65535) throw bad("port out of range");
  if (!forListen && (port === 0 || host === "")) throw bad("dial needs a host and a port");
  return path === undefined ? { scheme, host, port, text } : { scheme, host, port, text, path };
}

/**
 * Longest socket path (bytes, without the NUL) that fits the platform's
 * `sockaddr_un` (108 bytes with the NUL on Linux, 104 on macOS and the BSDs).
 * nanomsg needs at most 121 (SP-IPC-2), which the platform limit already implies.
 */
export const IPC_PATH_MAX =
  process.platform === "win32" ? 255 : process.platform === "linux" ? 107 : 103;

/**
 * Parses the part after `ipc://` (a path, SP-IPC-1) or `inproc://` (a name,
 * SP-INPROC-1). Host and port are empty; the path or name is in `path`.
 */
function parseLocal(scheme: "ipc" | "inproc", rest: string, text: string): SPUrl {
  const bad = (why: string) =>
    new SPError("EADDRINVAL", `invalid URL ${JSON.stringify(text)}: ${why}`);
  if (rest === "") throw bad(scheme === "ipc" ? "empty path" : "empty name");
  if (rest.includes("\0")) throw bad("NUL in the address");
  // SP-IPC-2: a path that does not fit is refused, never truncated.
  if (scheme === "ipc" && Buffer.byteLength(rest) > IPC_PATH_MAX) {
    throw bad(`path longer than ${IPC_PATH_MAX} bytes`);
  }
  return { scheme, host: "", port: 0, text, path: rest };
}

/** A resolved address ready for `net`. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
  readonly port: number;
}

/**
 * Resolves the URL's host (literal or name, via `dns.lookup`). A wildcard host
 * resolves to `0.0.0.0`. Failure → EADDRINVAL.
 *
 * @example
 * ```ts
 * await resolveUrl(parseUrl("tcp://localhost:5555", false)); // { address: "127.0.0.1", family: 4, port: 5555 }
 * ```
 */
export async function resolveUrl(url: SPUrl): Promise<ResolvedAddress> {
  if (url.host === "") return { address: "0.0.0.0", family: 4, port: url.port };
  const literal = isIP(url.host);
  if (literal === 4 || literal === 6) return { address: url.host, family: literal, port: url.port };
  try {
    const r = await lookup(url.host);
    return { address: r.address, family: r.family === 6 ? 6 : 4, port: url.port };
  } catch (e) {
    throw new SPError("EADDRINVAL", `cannot resolve ${url.host}`, { cause: e });
  }
}

/**
 * Formats an address back into a URL, bracketing IPv6.
 *
 * @example
 * ```ts
 * formatUrl("tcp", "::1", 4000); // "tcp://[::1]:4000"
 * ```
 */
export function formatUrl(scheme: string, address: string, port: number): string {
  const host = isIP(address) === 6 ? `[${address}]` : address;
  return `${scheme}://${host}:${port}`;
}
