/**
 * The conformance adapter contract (conformance/ADAPTER.md) served from inside
 * a Chromium page: requests arrive as JSON text messages on a WebSocket from
 * the Node bridge (dev/browser/adapter.ts), answers go back the same way.
 * The stack is the browser bundle (`/sp.js`), so the suite judges the
 * reference as it runs in a page: ws:// dialing only, listen → ENOTSUP.
 */
import * as sp from "../../../reference/browser/index.ts";

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
}

/** A socket plus the recv/send timeouts the suite configured (restored after per-call ones). */
interface Entry {
  sock: sp.SocketBase;
  recvTimeout: number;
  sendTimeout: number;
}

class AdapterFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const sockets = new Map<number, Entry>();
let nextSocket = 1;

function entry(req: Request): Entry {
  const e = req.socket !== undefined ? sockets.get(req.socket) : undefined;
  if (!e) throw new AdapterFailure("ECLOSED", `no open socket ${req.socket}`);
  return e;
}

/** Applies a per-call timeout through the socket option, or restores the configured one. */
function applyTimeout(e: Entry, option: "recv-timeout" | "send-timeout", ms?: number): void {
  const configured = option === "recv-timeout" ? e.recvTimeout : e.sendTimeout;
  e.sock.setOption(option, ms ?? configured);
}

/** "Chromium/156.0.0.0" style version of the page's browser. */
function browserVersion(): string {
  const ua = (globalThis as unknown as { navigator?: { userAgent: string } }).navigator?.userAgent;
  const m = ua ? /(?:Headless)?Chrome\/([\d.]+)/.exec(ua) : null;
  return m ? `Chromium ${m[1]}` : (ua ?? "unknown browser");
}

async function handle(req: Request): Promise<Record<string, unknown>> {
  switch (req.op) {
    case "hello":
      return {
        name: "browser",
        version: `0.1.0 (reference in ${browserVersion()})`,
        capabilities: {
          protocols: Object.keys(sp.protocolFactories),
          // Only what the suite can reach from a page: a page dials ws://, it cannot listen.
          transports: ["ws"],
          // The registry's options, less the read-only ones (`pair1:polyamorous`: the
          // Node adapter switches it by re-creating the socket, this page does not).
          options: sp.optionTable
            .filter((o) => !(o.type === "number" && o.readOnly))
            .map((o) => o.nngName),
        },
      };
    case "open": {
      const sock = sp.openSocket(String(req.protocol));
      if (!sock) throw new AdapterFailure("ENOTSUP", `unknown protocol ${req.protocol}`);
      const id = nextSocket++;
      sockets.set(id, { sock, recvTimeout: -1, sendTimeout: -1 });
      return { socket: id };
    }
    case "listen": {
      // The browser transport rejects with ENOTSUP: a page cannot accept connections.
      const l = await entry(req).sock.listen(String(req.url));
      return { url: l.url };
    }
    case "dial": {
      const d = entry(req).sock.dial(String(req.url));
      void Promise.resolve(d.connected).catch(() => {});
      return {};
    }
    case "setopt": {
      const e = entry(req);
      if (req.data !== undefined) {
        e.sock.setOptionDynamic(String(req.name), sp.Buffer.from(String(req.data), "base64"));
        return {};
      }
      const value = Number(req.value);
      e.sock.setOptionDynamic(String(req.name), value);
      if (req.name === "recv-timeout") e.recvTimeout = value;
      if (req.name === "send-timeout") e.sendTimeout = value;
      return {};
    }
    case "send": {
      const e = entry(req);
      applyTimeout(e, "send-timeout", req.timeoutMs);
      await e.sock.send(sp.Buffer.from(String(req.data ?? ""), "base64"));
      return {};
    }
    case "recv": {
      const e = entry(req);
      applyTimeout(e, "recv-timeout", req.timeoutMs);
      const data = await e.sock.recv();
      return { data: sp.Buffer.from(data).toString("base64") };
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

/** Answers one request line on `bridge`; errors become `{ok:false}` answers. */
async function serve(bridge: WebSocket, line: string): Promise<void> {
  let req: Request;
  try {
    req = JSON.parse(line) as Request;
  } catch {
    console.error(`browser-adapter: not JSON: ${line}`);
    return;
  }
  let answer: object;
  try {
    answer = { id: req.id, ok: true, ...(await handle(req)) };
  } catch (e) {
    const known = e instanceof AdapterFailure || sp.isSPError(e);
    const code = known ? String((e as { code: string }).code) : "EINTERNAL";
    const message = e instanceof Error ? e.message : String(e);
    if (!known) console.error(`browser-adapter: ${req.op}: ${String(e)}`);
    answer = { id: req.id, ok: false, error: { code, message } };
  }
  bridge.send(JSON.stringify(answer));
}

/** Connects to the bridge named in the page URL (`?bridge=PORT`). */
function start(): void {
  const page = globalThis as unknown as { location?: { search: string } };
  const port = new URLSearchParams(page.location?.search ?? "").get("bridge");
  if (!port) throw new Error("the adapter page needs ?bridge=PORT");
  const bridge = new WebSocket(`ws://127.0.0.1:${port}/bridge`);
  bridge.onmessage = (ev: MessageEvent) => void serve(bridge, String(ev.data));
  bridge.onclose = () => {
    for (const e of sockets.values()) void e.sock.close();
    sockets.clear();
  };
}

start();
