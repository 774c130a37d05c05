/**
 * The reference stack as an in-process IUT: the same operations as the
 * reference adapter (./main.ts) performs per request, called directly on the
 * reference API with no child process, JSON or stdio in between.
 *
 * Used where the cases must exercise reference code loaded in the test
 * process itself, above all by the mutation run (tools/mutation/), whose
 * instrumented reference only exists inside the vitest worker. Errors look
 * as they do through the adapter: an {@link SPError} becomes an
 * {@link IutError} with its code, anything else `EINTERNAL` (also written to
 * this IUT's "stderr", as the adapter writes it to its stderr).
 *
 * None of the optional features of ADAPTER.md §3.2 (raw, device, contexts,
 * pipes, stats) is declared yet: their operations throw
 * {@link IutUnsupportedError}, and the runner marks cases needing them
 * unsupported before they start.
 */
import {
  defaultTransports,
  openSocket,
  optionTable,
  protocolFactories,
  type EndpointOptions as ReferenceEndpointOptions,
  type SocketBase,
  SPError,
  type TlsEndpointOptions,
} from "../../../reference/index.ts";
import {
  type EndpointOptions,
  type IoOptions,
  type Iut,
  IutError,
  type IutInfo,
  type IutMessage,
  type IutSocket,
  IutUnsupportedError,
  type OpenOptions,
  type OpObserver,
  type Outcome,
} from "../iut.ts";

/** Keeps at most this much "stderr" text. */
const MAX_STDERR = 256 * 1024;

/** An {@link Iut} backed directly by the reference stack in this process. */
export class InProcessReferenceIut implements Iut {
  readonly info: IutInfo = {
    name: "reference",
    version: "0.1.0",
    capabilities: {
      protocols: Object.keys(protocolFactories),
      transports: defaultTransports.map((t) => t.scheme),
      options: optionTable.map((o) => o.nngName),
      features: [],
    },
  };
  /** Never true: there is no process to lose. */
  readonly dead = false;
  private observer: OpObserver | undefined;
  private readonly open_ = new Set<InProcessSocket>();
  private nextHandle = 1;
  private stderrText = "";
  private stderrDropped = 0;

  async open(protocol: string, opts?: OpenOptions): Promise<IutSocket> {
    if (opts?.raw) throw notDeclared("raw");
    return this.op("open", { protocol }, () => {
      const sock = openSocket(protocol);
      if (!sock) throw new IutError("ENOTSUP", `unknown protocol ${protocol}`);
      const s = new InProcessSocket(this, this.nextHandle++, protocol, sock);
      this.open_.add(s);
      return s;
    });
  }

  async device(_a: IutSocket, _b?: IutSocket): Promise<void> {
    throw notDeclared("device");
  }

  async stats(_sock: IutSocket): Promise<Record<string, number>> {
    throw notDeclared("stats");
  }

  setObserver(observer: OpObserver | undefined): void {
    this.observer = observer;
  }

  stderrMark(): number {
    return this.stderrDropped + this.stderrText.length;
  }

  stderrSince(mark: number): string {
    return this.stderrText.slice(Math.max(0, mark - this.stderrDropped));
  }

  /** Closes every socket still open (bounded by the sockets' own linger). */
  async shutdown(): Promise<void> {
    const all = [...this.open_];
    this.open_.clear();
    await Promise.allSettled(all.map((s) => s.close()));
  }

  /** Internal: forgets a closed socket. */
  forget(s: InProcessSocket): void {
    this.open_.delete(s);
  }

  /**
   * Internal: runs one operation as the adapter would answer it. Reports the
   * request and the answer to the observer (so transcripts read like the
   * adapter's) and converts errors into {@link IutError}.
   */
  async op<T>(
    name: string,
    fields: Record<string, unknown>,
    run: () => T | Promise<T>,
    answer: (v: T) => Record<string, unknown> = () => ({}),
  ): Promise<T> {
    this.observer?.("request", JSON.stringify({ op: name, ...fields }));
    try {
      const value = await run();
      this.observer?.("answer", JSON.stringify({ ok: true, ...answer(value) }));
      return value;
    } catch (e) {
      const err = toIutError(e);
      if (err.code === "EINTERNAL") this.writeStderr(`in-process reference: ${name}: ${String(e)}`);
      this.observer?.(
        "answer",
        JSON.stringify({ ok: false, error: { code: err.code, message: err.message } }),
      );
      throw err;
    }
  }

  private writeStderr(line: string): void {
    this.stderrText += `${line}\n`;
    if (this.stderrText.length > MAX_STDERR) {
      const cut = this.stderrText.length - MAX_STDERR;
      this.stderrDropped += cut;
      this.stderrText = this.stderrText.slice(cut);
    }
  }
}

function notDeclared(feature: string): IutUnsupportedError {
  return new IutUnsupportedError(`the in-process reference does not offer feature ${feature}`);
}

function toIutError(e: unknown): IutError {
  if (e instanceof IutError) return e;
  if (e instanceof SPError) return new IutError(e.code, e.message);
  return new IutError("EINTERNAL", e instanceof Error ? e.message : String(e));
}

/** One reference socket plus the timeouts the case configured (restored after per-call ones). */
class InProcessSocket implements IutSocket {
  private recvTimeout = -1;
  private sendTimeout = -1;
  private closed = false;

  constructor(
    private readonly iut: InProcessReferenceIut,
    readonly handle: number,
    readonly protocol: string,
    private readonly sock: SocketBase,
  ) {}

  listen(url: string, opts?: EndpointOptions): Promise<string> {
    return this.iut.op(
      "listen",
      { socket: this.handle, url },
      async () => (await this.live().listen(url, endpointOptions(opts))).url,
      (bound) => ({ url: bound }),
    );
  }

  dial(url: string, opts?: EndpointOptions): Promise<void> {
    return this.iut.op("dial", { socket: this.handle, url }, () => {
      const d = this.live().dial(url, endpointOptions(opts));
      // Dialing reconnects in the background; a failed first attempt is not an error.
      void Promise.resolve(d.connected).catch(() => {});
    });
  }

  setopt(name: string, value: number | Uint8Array): Promise<void> {
    const shown = typeof value === "number" ? { value } : { data: b64(value) };
    return this.iut.op("setopt", { socket: this.handle, name, ...shown }, () => {
      const sock = this.live();
      if (typeof value !== "number") {
        // Byte-valued options (sub:subscribe, sub:unsubscribe): sockets that take bytes
        // widen setOption's value (Sub0Socket); the others answer EINVAL.
        const bytes = sock as SocketBase & { setOption(name: string, v: Uint8Array): void };
        bytes.setOption(name, Buffer.from(value));
        return;
      }
      sock.setOption(name, value);
      if (name === "recv-timeout") this.recvTimeout = value;
      if (name === "send-timeout") this.sendTimeout = value;
    });
  }

  send(data: Uint8Array, opts?: IoOptions): Promise<void> {
    if (opts?.header !== undefined || opts?.pipe !== undefined) {
      return Promise.reject(new IutUnsupportedError("the in-process IUT sends no header or pipe"));
    }
    const fields = { socket: this.handle, data: abbreviate(b64(data)), ...timeoutField(opts) };
    return this.iut.op("send", fields, async () => {
      const sock = this.live();
      sock.setOption("send-timeout", opts?.timeoutMs ?? this.sendTimeout);
      await sock.send(Buffer.from(data));
    });
  }

  recv(opts?: IoOptions): Promise<Uint8Array> {
    return this.iut.op(
      "recv",
      { socket: this.handle, ...timeoutField(opts) },
      async () => {
        const sock = this.live();
        sock.setOption("recv-timeout", opts?.timeoutMs ?? this.recvTimeout);
        // A copy, as the adapter's base64 round trip gives the case its own bytes.
        return new Uint8Array(await sock.recv());
      },
      (data) => ({ data: abbreviate(b64(data)) }),
    );
  }

  async recvMessage(opts?: IoOptions): Promise<IutMessage> {
    return { data: await this.recv(opts) };
  }

  async openContext(): Promise<IutSocket> {
    throw notDeclared("contexts");
  }

  async stats(): Promise<Record<string, number>> {
    throw notDeclared("stats");
  }

  trySend(data: Uint8Array, opts?: IoOptions): Promise<Outcome<void>> {
    return outcome(this.send(data, opts));
  }

  tryRecv(opts?: IoOptions): Promise<Outcome<Uint8Array>> {
    return outcome(this.recv(opts));
  }

  tryRecvMessage(opts?: IoOptions): Promise<Outcome<IutMessage>> {
    return outcome(this.recvMessage(opts));
  }

  close(): Promise<void> {
    return this.iut.op("close", { socket: this.handle }, async () => {
      // As the adapter: a handle closed once is gone.
      if (this.closed) throw new IutError("ECLOSED", `no open socket ${this.handle}`);
      this.closed = true;
      this.iut.forget(this);
      await this.sock.close();
    });
  }

  private live(): SocketBase {
    if (this.closed) throw new IutError("ECLOSED", `no open socket ${this.handle}`);
    return this.sock;
  }
}

/** The suite's TLS settings as reference endpoint options (as ./main.ts builds them). */
function endpointOptions(opts: EndpointOptions | undefined): ReferenceEndpointOptions | undefined {
  const t = opts?.tls;
  if (t === undefined) return undefined;
  const tls: TlsEndpointOptions = {};
  if (t.cert !== undefined) tls.cert = t.cert;
  if (t.key !== undefined) tls.key = t.key;
  if (t.ca !== undefined) tls.ca = t.ca;
  if (t.servername !== undefined) tls.servername = t.servername;
  if (t.insecure === true) tls.insecure = true;
  if (t.requireClientCert === true) tls.requireClientCert = true;
  return { tls };
}

async function outcome<T>(p: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    if (e instanceof IutError) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
}

function timeoutField(opts: IoOptions | undefined): Record<string, number> {
  return opts?.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {};
}

function b64(data: Uint8Array): string {
  return Buffer.from(data).toString("base64");
}

function abbreviate(text: string): string {
  return text.length > 160 ? `${text.slice(0, 160)}… (${text.length} chars)` : text;
}
