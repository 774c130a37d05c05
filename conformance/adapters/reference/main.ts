/**
 * Conformance adapter for the reference stack (reference/index.ts), speaking
 * the JSON-lines protocol of conformance/ADAPTER.md on stdin/stdout, with
 * the optional features of §3.2 (./features.ts) and handles in ./registry.ts.
 * Run with `node --import tsx conformance/adapters/reference/main.ts`.
 */
import { createInterface } from "node:readline";
import {
  defaultTransports,
  type EndpointOptions,
  optionTable,
  protocolFactories,
  type SocketBase,
  SPError,
  type TlsEndpointOptions,
} from "../../../reference/index.ts";
import {
  endpointExtras,
  extraOptions,
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

function write(obj: object): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
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

async function handle(req: Request): Promise<Record<string, unknown>> {
  switch (req.op) {
    case "hello":
      return {
        name: "reference",
        version: "0.1.0",
        capabilities: {
          protocols: Object.keys(protocolFactories),
          transports: defaultTransports.map((t) => t.scheme),
          options: [...optionTable.map((o) => o.nngName), ...extraOptions],
          features,
        },
      };
    case "open":
      return { socket: register(openEntry(String(req.protocol), req.raw === true)) };
    case "listen": {
      const e = lookupSocket(req.socket, "listen");
      const opts = { ...endpointOptions(req), ...endpointExtras(e) };
      const l = await e.sock.listen(String(req.url), opts);
      e.endpoints++;
      return { url: l.url };
    }
    case "dial": {
      const e = lookupSocket(req.socket, "dial");
      const d = e.sock.dial(String(req.url), { ...endpointOptions(req), ...endpointExtras(e) });
      e.endpoints++;
      // Dialing reconnects in the background; a failed first attempt is not an error.
      void Promise.resolve(d.connected).catch(() => {});
      return {};
    }
    case "setopt": {
      const e = lookup(req.socket);
      const name = String(req.name);
      if (req.data !== undefined) {
        if (e.kind === "context") throw new AdapterFailure("ENOTSUP", `${name} on a context`);
        // Byte-valued options (sub:subscribe, sub:unsubscribe) carry base64 in `data`;
        // sockets that take bytes widen setOption's value (Sub0Socket), others answer EINVAL.
        const bytes = Buffer.from(String(req.data), "base64");
        const sock = e.sock as SocketBase & { setOption(name: string, v: Uint8Array): void };
        sock.setOption(name, bytes);
        return {};
      }
      const value = Number(req.value);
      if (setExtraOption(e, name, value)) return {};
      if (e.kind !== "socket") return {};
      e.sock.setOption(name, value);
      e.applied.push([name, value]);
      if (name === "recv-timeout") e.recvTimeout = value;
      if (name === "send-timeout") e.sendTimeout = value;
      return {};
    }
    case "send":
      await sendOn(lookup(req.socket), req);
      return {};
    case "recv":
      return recvOn(lookup(req.socket), req);
    case "context":
      return { socket: openContext(req) };
    case "device":
      await startDevice(req);
      return {};
    case "stats":
      return { stats: statsOf(req) };
    case "close": {
      const e = lookup(req.socket);
      unregister(Number(req.socket));
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

async function serve(line: string): Promise<void> {
  let req: Request;
  try {
    req = JSON.parse(line) as Request;
  } catch {
    process.stderr.write(`reference-adapter: not JSON: ${line}\n`);
    return;
  }
  try {
    const fields = await handle(req);
    write({ id: req.id, ok: true, ...fields });
    if (req.op === "exit") process.exit(0);
  } catch (e) {
    const code = e instanceof SPError || e instanceof AdapterFailure ? String(e.code) : "EINTERNAL";
    const message = e instanceof Error ? e.message : String(e);
    if (code === "EINTERNAL") process.stderr.write(`reference-adapter: ${req.op}: ${String(e)}\n`);
    write({ id: req.id, ok: false, error: { code, message } });
  }
}

const rl = createInterface({ input: process.stdin });
rl.on("line", (line) => {
  if (line.trim() !== "") void serve(line);
});
rl.on("close", () => {
  // stdin EOF: close what is open (bounded) and leave.
  const closing = openSockets().map((e) => e.sock.close());
  clearAll();
  const timer = setTimeout(() => process.exit(0), 1000);
  void Promise.allSettled(closing).then(() => {
    clearTimeout(timer);
    process.exit(0);
  });
});
