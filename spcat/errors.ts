/**
 * Fatal errors of `spcat` and the nng wording of library error codes, so that
 * messages read like nngcat's (`Send error: Timed out`).
 *
 * @module
 */

/** A fatal error; `message` is printed on stderr and spcat exits with status 1. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

/** nng's `nng_strerror` text for each error code of the reference library. */
const nngText: Record<string, string> = {
  ECLOSED: "Object closed",
  ETIMEDOUT: "Timed out",
  ESTATE: "Incorrect state",
  EPROTO: "Protocol error",
  EMSGSIZE: "Message too large",
  ECANCELED: "Operation canceled",
  EADDRINUSE: "Address in use",
  ECONNREFUSED: "Connection refused",
  EINVAL: "Invalid argument",
  ENOTSUP: "Not supported",
  EADDRINVAL: "Address invalid",
  ECONNSHUT: "Connection shutdown",
  EPEERAUTH: "Peer could not be authenticated",
  ECRYPTO: "Cryptographic error",
};

/** The `code` of an error, if it has a string one (SPError, Node errors). */
export function errorCode(e: unknown): string | undefined {
  if (typeof e === "object" && e !== null && "code" in e) {
    const code = (e as { code: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/**
 * Describes a library error the way nng would.
 *
 * @example
 * ```ts
 * describeError(new SPError("ETIMEDOUT")); // "Timed out"
 * ```
 */
export function describeError(e: unknown): string {
  const code = errorCode(e);
  if (code !== undefined && nngText[code] !== undefined) return nngText[code];
  return e instanceof Error ? e.message : String(e);
}

/**
 * Describes why a dial failed, as nngcat 1.5.2 words it. One quirk of nng's
 * TLS engine is kept: when a CA was given (`--cacert`) and the server's
 * certificate does not verify against it, nng says "Cryptographic error";
 * only without a CA does it say "Peer could not be authenticated".
 *
 * @example
 * ```ts
 * describeDialError(new SPError("ECONNREFUSED"), false); // "Connection refused"
 * describeDialError(new SPError("EPEERAUTH"), true); // "Cryptographic error"
 * ```
 */
export function describeDialError(e: unknown, caGiven: boolean): string {
  if (caGiven && errorCode(e) === "EPEERAUTH") return nngText.ECRYPTO as string;
  return describeError(e);
}
