/**
 * The optional features of ADAPTER.md §3.2 on the reference stack: raw
 * sockets (the x* variants), headers and pipes on send/recv, contexts, the
 * device, socket statistics and PAIR v1 polyamorous mode. Options come from
 * the reference's option registry (`send-priority` is PUSH's own option there);
 * only what the adapter contract adds on top is handled here: context options
 * and the `pair1:polyamorous` switch, which re-creates the socket.
 */
import {
  device,
  isRawSocket,
  openSocket,
  Pair1PolySocket,
  Pair1Socket,
  pair1,
  pair1poly,
  protocolAliases,
  protocolFactories,
  Rep0Socket,
  Req0Socket,
  Respondent0Socket,
  type SocketBase,
  type SummaryStat,
  Surveyor0Socket,
  statTable,
} from "../../../reference/index.ts";
import {
  AdapterFailure,
  type ContextEntry,
  type Entry,
  lookupSocket,
  type Request,
  register,
  type SocketEntry,
} from "./registry.ts";

/** Features this adapter declares in `hello`. */
export const features = ["raw", "device", "contexts", "pipes", "stats", "dialers"];

/** Options a context takes (ADAPTER.md §3.2); the others answer ENOTSUP on a context. */
const CONTEXT_OPTIONS = new Set([
  "recv-timeout",
  "send-timeout",
  "req:resend-time",
  "surveyor:survey-time",
]);

/** `open`: the cooked socket, or its raw x* variant with `raw: true`. */
export function openEntry(protocol: string, raw: boolean): SocketEntry {
  const name = protocolAliases[protocol] ?? protocol;
  const sock = raw ? protocolFactories[`x${name}`]?.() : openSocket(protocol);
  if (!sock) {
    throw new AdapterFailure("ENOTSUP", `unknown ${raw ? "raw " : ""}protocol ${protocol}`);
  }
  return {
    kind: "socket",
    sock,
    protocol,
    raw,
    recvTimeout: -1,
    sendTimeout: -1,
    endpoints: 0,
    applied: [],
    contexts: new Set(),
  };
}

/**
 * `setopt` where the adapter contract asks more than the socket's `setOption`:
 * on a context, or `pair1:polyamorous`. Returns false when the plain socket path
 * (`setOptionDynamic`, checked against the option registry) should handle it.
 */
export function setExtraOption(e: Entry, name: string, value: number): boolean {
  if (e.kind === "context") {
    if (!CONTEXT_OPTIONS.has(name)) {
      throw new AdapterFailure("ENOTSUP", `option ${name} is not a context option`);
    }
    if (name === "recv-timeout") e.recvTimeout = value;
    else if (name === "send-timeout") e.sendTimeout = value;
    // The reference keeps resend and survey times per socket: a context's value
    // is shared with the socket and its other contexts (ADAPTER.md §7).
    else e.parent.sock.setOptionDynamic(name, value);
    return true;
  }
  // The registry's row is read-only (the reference has one class per mode): ENOTSUP
  // on protocols without it, as the socket itself would answer.
  if (e.sock.optionSet.has(name) && e.sock.optionSet.find(name).name === "polyamorous") {
    setPolyamorous(e, value);
    return true;
  }
  return false;
}

/**
 * Switches a PAIR v1 socket between one peer and many (SP-PAIR-17). The reference
 * has one class per mode, so the socket is re-created (before any endpoint exists)
 * and the options set so far are applied to the new one.
 */
function setPolyamorous(e: SocketEntry, value: number): void {
  const isPair1 = e.sock instanceof Pair1Socket || e.sock instanceof Pair1PolySocket;
  if (!isPair1) throw new AdapterFailure("ENOTSUP", "pair1:polyamorous applies to pair1 only");
  if (value !== 0 && value !== 1) throw new AdapterFailure("EINVAL", "pair1:polyamorous is 0 or 1");
  const wantPoly = value === 1;
  if (wantPoly === e.sock instanceof Pair1PolySocket) return;
  if (e.endpoints > 0) {
    throw new AdapterFailure("ESTATE", "pair1:polyamorous must be set before listen/dial");
  }
  const old = e.sock;
  const fresh: SocketBase = wantPoly ? pair1poly() : pair1();
  for (const [n, v] of e.applied) fresh.setOptionDynamic(n, v);
  e.sock = fresh;
  void old.close();
}

/** Sets the socket option for a per-call timeout, or restores the configured one. */
function applyTimeout(
  sock: SocketBase,
  option: "recv-timeout" | "send-timeout",
  configured: number,
  timeoutMs: number | undefined,
): void {
  sock.setOption(option, timeoutMs ?? configured);
}

/** `send` on a socket or context, with the optional `header` (raw) and `pipe`. */
export async function sendOn(e: Entry, req: Request): Promise<void> {
  const data = Buffer.from(String(req.data ?? ""), "base64");
  if (e.kind === "context") {
    if (req.header !== undefined || req.pipe !== undefined) {
      throw new AdapterFailure("EINVAL", "a context sends neither header nor pipe");
    }
    // Contexts read the timeouts from their socket when an operation starts.
    applyTimeout(e.parent.sock, "send-timeout", e.sendTimeout, req.timeoutMs);
    await e.ctx.send(data);
    return;
  }
  const sock = e.sock;
  applyTimeout(sock, "send-timeout", e.sendTimeout, req.timeoutMs);
  if (req.pipe !== undefined) {
    // SP-PAIR-19: to exactly that pipe; gone or busy means discarded, never an error.
    if (!(sock instanceof Pair1PolySocket)) {
      throw new AdapterFailure("ENOTSUP", "send to a pipe needs pair1 in polyamorous mode");
    }
    await sock.sendTo(Number(req.pipe), data);
    return;
  }
  if (req.header !== undefined) {
    if (!isRawSocket(sock)) throw new AdapterFailure("EINVAL", "header on a cooked socket");
    await sock.sendMsg({ header: Buffer.from(req.header, "base64"), body: data });
    return;
  }
  await sock.send(data);
}

/** `recv` on a socket or context: `data`, plus `header` (raw) and `pipe` when known. */
export async function recvOn(e: Entry, req: Request): Promise<Record<string, unknown>> {
  if (e.kind === "context") {
    applyTimeout(e.parent.sock, "recv-timeout", e.recvTimeout, req.timeoutMs);
    return { data: b64(await e.ctx.recv()) };
  }
  const sock = e.sock;
  applyTimeout(sock, "recv-timeout", e.recvTimeout, req.timeoutMs);
  if (isRawSocket(sock)) {
    const m = await sock.recvMsg();
    return { data: b64(m.body), header: b64(m.header), pipe: m.pipe };
  }
  if (sock instanceof Pair1PolySocket) {
    const m = await sock.recvMsg();
    return { data: b64(m.body), pipe: m.pipe };
  }
  // Cooked sockets of the reference do not say which pipe a message came on.
  return { data: b64(await sock.recv()) };
}

/** `context`: a new context of a cooked REQ, REP, SURVEYOR or RESPONDENT socket. */
export function openContext(req: Request): number {
  const parent = lookupSocket(req.socket, "context");
  const sock = parent.sock;
  if (parent.raw) throw new AdapterFailure("ENOTSUP", "raw sockets have no contexts");
  const canOpen =
    sock instanceof Req0Socket ||
    sock instanceof Rep0Socket ||
    sock instanceof Surveyor0Socket ||
    sock instanceof Respondent0Socket;
  if (!canOpen) {
    throw new AdapterFailure("ENOTSUP", `the reference has no contexts on ${parent.protocol}`);
  }
  const entry: ContextEntry = {
    kind: "context",
    ctx: sock.openContext(),
    parent,
    recvTimeout: -1,
    sendTimeout: -1,
  };
  const handle = register(entry);
  parent.contexts.add(handle);
  return handle;
}

/**
 * `device`: starts forwarding in the background; EINVAL unless the sockets pair up.
 * When it stops, one line goes to `log`.
 */
export async function startDevice(req: Request, log: (line: string) => void): Promise<void> {
  const a = lookupSocket(req.a, "device");
  const b = req.b !== undefined ? lookupSocket(req.b, "device") : a;
  if (!isRawSocket(a.sock) || !isRawSocket(b.sock)) {
    throw new AdapterFailure("EINVAL", "device needs raw sockets (open with raw: true)");
  }
  // The forwarding loops read recv-timeout: let them wait for good.
  a.sock.setOption("recv-timeout", -1);
  b.sock.setOption("recv-timeout", -1);
  const running = device(a.sock, b.sock);
  // device() checks its arguments before its first await, so a refusal has already
  // settled `running` and wins this race (its reaction is queued first); a pending
  // promise means the device is forwarding.
  await Promise.race([running, Promise.resolve(undefined)]);
  running.then(
    (n) => log(`reference-adapter: device stopped (${n.aToB}/${n.bToA})`),
    (err) => log(`reference-adapter: device failed: ${String(err)}`),
  );
}

/** The key of a summary counter in the `stats` answer: `msgsIn` → `msgs-in`. */
function statKey(name: SummaryStat): string {
  // ADAPTER.md §3.2: the peer protocol violations are the suite's `bad-input`.
  if (name === "protocolErrors") return "bad-input";
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * `stats`: the summary counters of the reference's stat table (`bad-input` is its
 * count of peer protocol violations, each of which closed its connection: bad SP
 * header or peer protocol, oversize frame, malformed message), then the detail
 * counters counted so far, by their names.
 */
export function statsOf(req: Request): Record<string, number> {
  const e = lookupSocket(req.socket, "stats");
  const { socket } = e.sock.stats();
  const out: Record<string, number> = {};
  for (const name of Object.keys(statTable) as (keyof typeof statTable)[]) {
    if (statTable[name].level === "summary") {
      out[statKey(name as SummaryStat)] = socket[name as SummaryStat];
    }
  }
  return { ...out, ...e.sock.getStats() };
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}
