/**
 * Browser stand-in for the part of `node:net` the reference uses: `isIP`.
 * The browser build maps `node:net` here (dev/browser/build.ts).
 */

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** True when `text` is an IPv6 literal (checked by the URL parser of the browser). */
function isV6(text: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || !text.includes(":")) return false;
  try {
    return new URL(`http://[${text}]/`).hostname !== "";
  } catch {
    return false;
  }
}

/**
 * 4 for an IPv4 literal, 6 for an IPv6 literal, 0 otherwise (as `net.isIP`).
 *
 * @example
 * ```ts
 * isIP("127.0.0.1"); // 4
 * ```
 */
export function isIP(text: string): 0 | 4 | 6 {
  if (V4.test(text)) return 4;
  return isV6(text) ? 6 : 0;
}

/** The types the reference imports from `node:net` (type-only, erased by the build). */
export type AddressInfo = { address: string; family: string; port: number };
