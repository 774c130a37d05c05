/**
 * The request handling of the reference adapter (conformance/ADAPTER.md), as
 * an importable module with no stdin/stdout of its own: {@link handle} takes
 * one decoded request and resolves with the answer's fields, {@link answerOf}
 * turns that (or its failure) into the answer object. ./main.ts wraps it in
 * the JSON-lines loop on stdio; ./inprocess.ts calls it directly, so the
 * in-process IUT declares and does exactly what the adapter process does.
 *
 * Diagnostics (an EINTERNAL error, a stopped device) go to the `log`
 * callback the caller passes; main.ts writes them to its stderr.
 */
import {
  defaultTransports,
  type EndpointOptions,
  optionTable,
  protocolFactories,
  SPError,
  type TlsEndpointOptions,
} from "../../../reference/index.ts";
import { clearDialers, closeDialer, createDialer, startDialer } from "./dialers.ts";
import {
  features,
  openContext,
  openEntry,
  recvOn,
  sendOn,
  setExtraOption,
  startDevice,
  statsOf,
} from "./features.ts";
import {
  AdapterFailure,
  clearAll,
  lookup,
  lookupSocket,
  openSockets,
  type Request,
  register,
  unregister,
} from "./registry.ts";

export type { Request } from "./registry.ts";

/** Where the handler writes diagnostic lines (the adapter's stderr). */
export type Log = (line: string) => void;

/** The `hello` answer: who we are and what we can do (ADAPTER.md §3, §3.2). */
export function hello(): {
  name: string;
  version: string;
  capabilities: {
    protocols: string[];
    transports: string[];
    options: string[];
    features: string[];
  };
} {
  return {
    name: "reference",
    version: "0.2.0",
    capabilities: {
      protocols: Object.keys(protocolFactories),
      transports: defaultTransports.map((t) => t.scheme),
      // Every option of the reference's registry; `pair1:polyamorous` (read-only there)
      // is switched by re-creating the socket (features.ts).
      options: optionTable.map((o) => o.nngName),
      features: [...features],
    },
  };
}

/** The optional `tls` object of listen/dial (ADAPTER.md §3.1), as reference endpoint options. */
function endpointOptions(req: Request): EndpointOptions | undefined {
  const t = req.tls as Record<string, unknown> | undefined;
  if (t === undefined || t === null || typeof t !== "object") return undefined;
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const tls: TlsEndpointOptions = {};
  if (str(t.cert) !== undefined) tls.cert = str(t.cert);
  if (str(t.key) !== undefined) tls.key = str(t.key);
  if (str(t.ca) !== undefined) tls.ca = str(t.ca);
  if (str(t.servername) !== undefined) tls.servername = str(t.servername);
  if (t.insecure === true) tls.insecure = true;
  if (t.requireClientCert === true) tls.requireClientCert = true;
  return { tls };
}

/** `setopt` on a socket or context: numeric `value`, or base64 `data` for byte options. */
function setopt(req: Request): void {
  const e = lookup(req.socket);
  const name = String(req.name);
  if (req.data !== undefined) {
    if (e.kind === "context") throw new AdapterFailure("ENOTSUP", `${name} on a context`);
    // Byte-valued options (sub:subscribe, sub:unsubscribe) carry base64 in `data`; the
    // registry knows which options take bytes (EINVAL for a numeric one, ENOTSUP elsewhere).
    e.sock.setOptionDynamic(name, Buffer.from(String(req.data), "base64"));
    return;
  }
  const value = Number(req.value);
  if (setExtraOption(e, name, value)) return;
  if (e.kind !== "socket") return;
  e.sock.setOptionDynamic(name, value);
  e.applied.push([name, value]);
  if (name === "recv-timeout") e.recvTimeout = value;
  if (name === "send-timeout") e.sendTimeout = value;
}

/**
 * Performs one request and resolves with the answer's fields (without `id`
 * and `ok`); rejects with an {@link SPError}, an {@link AdapterFailure} or
 * anything else (EINTERNAL) when the request fails.
 */
export async function handle(req: Request, log: Log = () => {}): Promise<Record<string, unknown>> {
  switch (req.op) {
    case "hello":
      return hello();
    case "open":
      return { socket: register(openEntry(String(req.protocol), req.raw === true)) };
    case "listen": {
      const e = lookupSocket(req.socket, "listen");
      const opts = endpointOptions(req);
      const l = await e.sock.listen(String(req.url), opts);
      e.endpoints++;
      return { url: l.url };
    }
    case "dial": {
      const e = lookupSocket(req.socket, "dial");
      const opts = endpointOptions(req) ?? {};
      if (req.start === false) {
        // Feature `dialers`: created, not started; dialer-start / dialer-close drive it.
        const dialer = createDialer(e, String(req.url), opts);
        e.endpoints++;
        return { dialer };
      }
      const d = e.sock.dial(String(req.url), opts);
      e.endpoints++;
      // Dialing reconnects in the background; a failed first attempt is not an error.
      void Promise.resolve(d.connected).catch(() => {});
      return {};
    }
    case "dialer-start":
      startDialer(req);
      return {};
    case "dialer-close":
      await closeDialer(req);
      return {};
    case "setopt":
      setopt(req);
      return {};
    case "send":
      await sendOn(lookup(req.socket), req);
      return {};
    case "recv":
      return recvOn(lookup(req.socket), req);
    case "context":
      return { socket: openContext(req) };
    case "device":
      await startDevice(req, log);
      return {};
    case "stats":
      return { stats: statsOf(req) };
    case "close": {
      // The first close keeps the handle, so that calls made after it reach the library's
      // closed socket or context and show what it does (SP-FRAMEWORK-33); a second close
      // (the suite's cleanup) forgets the handle.
      const e = lookup(req.socket);
      if (e.closed) {
        unregister(Number(req.socket));
        throw new AdapterFailure("ECLOSED", `socket ${req.socket} is already closed`);
      }
      e.closed = true;
      if (e.kind === "context") e.ctx.close();
      else await e.sock.close();
      return {};
    }
    case "exit":
      return {};
    default:
      throw new AdapterFailure("ENOTSUP", `unknown op ${req.op}`);
  }
}

/** The error answer for a failed request: its nng-style code, else EINTERNAL. */
export function errorOf(e: unknown): { code: string; message: string } {
  const code = e instanceof SPError || e instanceof AdapterFailure ? String(e.code) : "EINTERNAL";
  const message = e instanceof Error ? e.message : String(e);
  return { code, message };
}

/**
 * Performs `req` and builds the whole answer object of ADAPTER.md §3
 * (`{id, ok: true, ...fields}` or `{id, ok: false, error}`). Never rejects.
 */
export async function answerOf(
  req: Request,
  log: Log = () => {},
): Promise<Record<string, unknown>> {
  try {
    const fields = await handle(req, log);
    return { id: req.id, ok: true, ...fields };
  } catch (e) {
    const error = errorOf(e);
    if (error.code === "EINTERNAL") log(`reference-adapter: ${req.op}: ${String(e)}`);
    return { id: req.id, ok: false, error };
  }
}

/** Closes every socket still open and forgets all handles (end of input). */
export function closeAll(): Promise<PromiseSettledResult<void>[]> {
  const closing = openSockets().map((e) => e.sock.close());
  clearAll();
  clearDialers();
  return Promise.allSettled(closing);
}
