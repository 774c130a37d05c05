/**
 * Error type of the reference stack. Every failure the public API reports is an
 * {@link SPError} whose `code` is one of the stable names below, spelled as nng
 * spells them so that adapters and tests can compare across implementations.
 *
 * - `ECLOSED`      the socket (or the dialer/listener) was closed; pending operations fail with it.
 * - `ETIMEDOUT`    a recv or send did not complete within `recvTimeout` / `sendTimeout` (or the call's `timeoutMs`).
 * - `ESTATE`       the operation is not valid now (REQ recv with no request, REP send with no request held).
 * - `EPROTO`       a peer broke the protocol (bad header, malformed backtrace); only that pipe closes.
 * - `EMSGSIZE`     a frame announced a length over `recvMaxSize`; only that pipe closes.
 * - `ECANCELED`    the operation was superseded (a new REQ send cancels the pending recv), or
 *                  its `signal` aborted (the abort reason is the error's `cause`).
 * - `EADDRINUSE`   listen failed because the address is taken.
 * - `ECONNREFUSED` a dial attempt was refused (dialers keep retrying unless dialed with `failFast`).
 * - `EINVAL`       an option name or value, or an argument, is invalid.
 * - `ENOTSUP`      the operation or transport scheme is not supported.
 * - `EADDRINVAL`   the URL cannot be parsed or resolved.
 * - `ECONNSHUT`    the peer closed the connection before the SP handshake finished (a dial attempt failed).
 * - `EPEERAUTH`    TLS: the peer's certificate did not verify (untrusted chain, wrong name, expired).
 * - `ECRYPTO`      TLS: the handshake failed for another reason (no TLS on the other side, no common version).
 *
 * @example
 * ```ts
 * try { await sock.recv(); } catch (e) {
 *   if (e instanceof SPError && e.code === "ETIMEDOUT") retry();
 * }
 * ```
 */
export const errorCodes = [
  "ECLOSED",
  "ETIMEDOUT",
  "ESTATE",
  "EPROTO",
  "EMSGSIZE",
  "ECANCELED",
  "EADDRINUSE",
  "ECONNREFUSED",
  "EINVAL",
  "ENOTSUP",
  "EADDRINVAL",
  "ECONNSHUT",
  "EPEERAUTH",
  "ECRYPTO",
] as const;

/** One of the stable error codes; see {@link errorCodes}. */
export type SPErrorCode = (typeof errorCodes)[number];

const defaultMessages: Record<SPErrorCode, string> = {
  ECLOSED: "object closed",
  ETIMEDOUT: "timed out",
  ESTATE: "incorrect state",
  EPROTO: "protocol error",
  EMSGSIZE: "message too large",
  ECANCELED: "operation canceled",
  EADDRINUSE: "address in use",
  ECONNREFUSED: "connection refused",
  EINVAL: "invalid argument",
  ENOTSUP: "not supported",
  EADDRINVAL: "invalid address",
  ECONNSHUT: "connection shut down by the peer",
  EPEERAUTH: "peer could not be authenticated",
  ECRYPTO: "cryptographic error",
};

/**
 * An error with a stable {@link SPErrorCode}.
 *
 * @example
 * ```ts
 * throw new SPError("ESTATE", "recv without an outstanding request");
 * ```
 */
export class SPError extends Error {
  /** The stable code, e.g. `"ETIMEDOUT"`. */
  readonly code: SPErrorCode;

  constructor(code: SPErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? defaultMessages[code], options);
    this.name = "SPError";
    this.code = code;
  }
}

/**
 * True when `e` is an {@link SPError}, optionally with the given code.
 *
 * @example
 * ```ts
 * if (isSPError(err, "ECLOSED")) return;
 * ```
 */
export function isSPError(e: unknown, code?: SPErrorCode): e is SPError {
  return e instanceof SPError && (code === undefined || e.code === code);
}
