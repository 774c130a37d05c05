/**
 * WebSocket subprotocol names of the SP mapping (SP-WS-2, SP-WS-3): each
 * protocol role is `<name>.sp.nanomsg.org`.
 */

/** The suffix shared by every SP subprotocol name. */
export const SP_SUBPROTOCOL_SUFFIX = ".sp.nanomsg.org";

/**
 * The subprotocol name of a protocol role.
 *
 * @example
 * ```ts
 * subprotocolName("rep"); // "rep.sp.nanomsg.org", what a REQ client offers
 * ```
 */
export function subprotocolName(protocolName: string): string {
  return `${protocolName}${SP_SUBPROTOCOL_SUFFIX}`;
}

/**
 * Splits a `Sec-WebSocket-Protocol` header value into its tokens.
 *
 * @example
 * ```ts
 * offeredSubprotocols("rep.sp.nanomsg.org, chat"); // ["rep.sp.nanomsg.org", "chat"]
 * ```
 */
export function offeredSubprotocols(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join(",") : header;
  return text
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
}
