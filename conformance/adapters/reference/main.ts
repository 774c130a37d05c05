/**
 * Conformance adapter for the reference stack (reference/index.ts), speaking
 * the JSON-lines protocol of conformance/ADAPTER.md on stdin/stdout.
 * Run with `node --import tsx conformance/adapters/reference/main.ts`.
 */
import { createInterface } from "node:readline";
import {
  defaultTransports,
  type EndpointOptions,
  openSocket,
  optionTable,
  protocolFactories,
  type SocketBase,
  SPError,
  type TlsEndpointOptions,
} from "../../../reference/index.ts";

interface Request {
  id: number;
  op: string;
  protocol?: string;
  socket?: number;
  url?: string;
  name?: string;
  value?: number;
  data?: string;
  timeoutMs?: number;
  tls?: unknown;
}

/** A socket plus the recv/send timeouts the suite configured (restored after per-call ones). */
interface Entry {
  sock: SocketBase;
  recvTimeout: number;
  sendTimeout: number;
}

const sockets = new Map<number, Entry>();
let nextSocket = 1;

class AdapterFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function write(obj: object): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

function entry(req: Request): Entry {
  const e = req.socket !== undefined ? sockets.get(req.socket) : undefined;
  if (!e) throw new AdapterFailure("ECLOSED", `no open socket ${req.socket}`);
  return e;
}

/** Runs `op` with the per-call timeout applied through the socket's option. */
async function withTimeout<T>(
  e: Entry,
  option: "recv-timeout" | "send-timeout",
  timeoutMs: number | undefined,
  op: () => Promise<T>,
): Promise<T> {
  const configured = option === "recv-timeout" ? e.recvTimeout : e.sendTimeout;
  e.sock.setOption(option, timeoutMs ?? configured);
  return op();
}

/** The optional `tls` object of listen/dial (ADAPTER.md §2), as reference endpoint options. */
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
          options: optionTable.map((o) => o.nngName),
        },
      };
    case "open": {
      const sock = openSocket(String(req.protocol));
      if (!sock) throw new AdapterFailure("ENOTSUP", `unknown protocol ${req.protocol}`);
      const id = nextSocket++;
      sockets.set(id, { sock, recvTimeout: -1, sendTimeout: -1 });
      return { socket: id };
    }
    case "listen": {
      const l = await entry(req).sock.listen(String(req.url), endpointOptions(req));
      return { url: l.url };
    }
    case "dial": {
      const d = entry(req).sock.dial(String(req.url), endpointOptions(req));
      // Dialing reconnects in the background; a failed first attempt is not an error.
      void Promise.resolve(d.connected).catch(() => {});
      return {};
    }
    case "setopt": {
      const e = entry(req);
      if (req.data !== undefined) {
        // Byte-valued options (sub:subscribe, sub:unsubscribe) carry base64 in `data`;
        // sockets that take bytes widen setOption's value (Sub0Socket), others answer EINVAL.
        const bytes = Buffer.from(String(req.data), "base64");
        const sock = e.sock as SocketBase & { setOption(name: string, v: Uint8Array): void };
        sock.setOption(String(req.name), bytes);
        return {};
      }
      const value = Number(req.value);
      e.sock.setOption(String(req.name), value);
      if (req.name === "recv-timeout") e.recvTimeout = value;
      if (req.name === "send-timeout") e.sendTimeout = value;
      return {};
    }
    case "send": {
      const e = entry(req);
      const data = Buffer.from(String(req.data ?? ""), "base64");
      await withTimeout(e, "send-timeout", req.timeoutMs, () => e.sock.send(data));
      return {};
    }
    case "recv": {
      const e = entry(req);
      const data = await withTimeout(e, "recv-timeout", req.timeoutMs, () => e.sock.recv());
      return { data: Buffer.from(data).toString("base64") };
    }
    case "close": {
      const e = entry(req);
      sockets.delete(Number(req.socket));
      await e.sock.close();
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
  const closing = [...sockets.values()].map((e) => e.sock.close());
  sockets.clear();
  const timer = setTimeout(() => process.exit(0), 1000);
  void Promise.allSettled(closing).then(() => {
    clearTimeout(timer);
    process.exit(0);
  });
});
