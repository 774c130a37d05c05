/**
 * The URL checks nngcat 1.5.2 makes before it asks for a transport, so that
 * spcat names a malformed address the way nngcat does ("Invalid argument").
 *
 * nng parses every URL with one generic grammar first and looks the scheme up
 * afterwards. So a malformed address is "Invalid argument" even when no
 * transport has the scheme (`foo://[bad`), and a well-formed one with an
 * unknown scheme is "Not supported" (`foo://x:1`, also `://x`). Addresses the
 * grammar accepts are then judged by the reference library (its own codes,
 * e.g. "Address invalid" for `tcp://h:1/x`).
 *
 * What nng 1.5.2 refuses as malformed, measured with nngcat:
 * - no `scheme://` at the first colon (`bad`, `x:/y`);
 * - for schemes with a host (all but ipc, inproc, unix and abstract):
 *   more than one `@` in the host part, a `[` without its `]`, anything but
 *   `:` after the `]`, a `:` with no port after it, and a `%` in the path or
 *   query that is not followed by two hex digits.
 *
 * @module
 */

/** Schemes whose address is a path or a name, which nng does not parse. */
const PATH_SCHEMES = new Set(["ipc", "inproc", "unix", "abstract"]);

/**
 * What nng 1.5.2 would answer for `url` before any transport sees it:
 * `"EINVAL"` (malformed), `"ENOTSUP"` (no transport can have this scheme), or
 * undefined when the URL passes and the library decides.
 *
 * @example
 * ```ts
 * nngUrlVerdict("foo://[bad"); // "EINVAL"
 * nngUrlVerdict("://x"); // "ENOTSUP"
 * nngUrlVerdict("tcp://127.0.0.1:5555"); // undefined
 * ```
 */
export function nngUrlVerdict(url: string): "EINVAL" | "ENOTSUP" | undefined {
  const colon = url.indexOf(":");
  if (colon < 0 || !url.startsWith("://", colon)) return "EINVAL";
  const scheme = url.slice(0, colon).toLowerCase();
  const rest = url.slice(colon + 3);
  if (!PATH_SCHEMES.has(scheme)) {
    const end = rest.search(/[/?#]/);
    const authority = end < 0 ? rest : rest.slice(0, end);
    const tail = end < 0 ? "" : rest.slice(end);
    if (malformedAuthority(authority)) return "EINVAL";
    if (/%(?![0-9a-f]{2})/i.test(tail)) return "EINVAL";
  }
  // The library only knows schemes of this shape; no transport can have another.
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) return "ENOTSUP";
  return undefined;
}

/** The `[userinfo@]host[:port]` checks of nng 1.5.2. */
function malformedAuthority(authority: string): boolean {
  const at = authority.indexOf("@");
  if (at >= 0 && authority.indexOf("@", at + 1) >= 0) return true;
  const hostPort = at < 0 ? authority : authority.slice(at + 1);
  let afterHost: string;
  if (hostPort.startsWith("[")) {
    const close = hostPort.indexOf("]");
    if (close < 0) return true;
    afterHost = hostPort.slice(close + 1);
    if (afterHost !== "" && !afterHost.startsWith(":")) return true;
  } else {
    const c = hostPort.indexOf(":");
    afterHost = c < 0 ? "" : hostPort.slice(c);
  }
  return afterHost === ":";
}
