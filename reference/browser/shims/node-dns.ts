/**
 * Browser stand-in for `node:dns/promises`. A page cannot resolve names; the
 * browser's WebSocket resolves the host itself, so only listeners (which a
 * page cannot have) would call this.
 */

/**
 * Always fails: name lookup is not available in a page.
 *
 * @example
 * ```ts
 * await lookup("localhost"); // throws
 * ```
 */
export async function lookup(host: string): Promise<{ address: string; family: number }> {
  throw new Error(`cannot resolve ${host} in a browser`);
}
