/**
 * The reference stack as an in-process IUT: the same request handling as the
 * reference adapter process (./handler.ts, which ./main.ts serves on stdio),
 * called directly with no child process or pipe in between. It therefore
 * declares exactly the adapter's capabilities and optional features
 * (ADAPTER.md §3.2: raw, device, contexts, pipes, stats) and answers every
 * operation as the adapter does.
 *
 * Used where the cases must exercise reference code loaded in the test
 * process itself, above all by the mutation run (tools/mutation/), whose
 * instrumented reference only exists inside the vitest worker.
 *
 * Each operation is built as the JSON request the client would send (and
 * parsed back, so the handler sees the same values), shown to the observer,
 * handled, and its answer shown and decoded as conformance/adapters/client.ts
 * decodes it. Diagnostics the adapter writes to its stderr (EINTERNAL errors,
 * a stopped device) go to this IUT's "stderr".
 */
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
import { answerOf, hello, type Request } from "./handler.ts";

/** Keeps at most this much "stderr" text. */
const MAX_STDERR = 256 * 1024;

/** An {@link Iut} backed directly by the reference adapter's handler in this process. */
export class InProcessReferenceIut implements Iut {
  readonly info: IutInfo;
  /** Never true: there is no process to lose. */
  readonly dead = false;
  private observer: OpObserver | undefined;
  /** Handles of the sockets this IUT opened and has not closed yet. */
  private readonly open_ = new Set<number>();
  private nextId = 1;
  private stderrText = "";
  private stderrDropped = 0;

  constructor() {
    const h = hello();
    this.info = { name: h.name, version: h.version, capabilities: h.capabilities };
  }

  async open(protocol: string, opts?: OpenOptions): Promise<IutSocket> {
    if (opts?.raw) this.requireFeature("raw", `a raw ${protocol} socket`);
    const a = await this.call("open", { protocol, ...(opts?.raw ? { raw: true } : {}) });
    const handle = Number(a.socket);
    this.open_.add(handle);
    return new InProcessSocket(this, handle, protocol);
  }

  async device(a: IutSocket, b?: IutSocket): Promise<void> {
    this.requireFeature("device", "a device");
    await this.call("device", { a: a.handle, ...(b ? { b: b.handle } : {}) });
  }

  stats(sock: IutSocket): Promise<Record<string, number>> {
    return sock.stats();
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

  /** Closes every socket this IUT opened and did not close (bounded by their linger). */
  async shutdown(): Promise<void> {
    const all = [...this.open_];
    this.open_.clear();
    await Promise.allSettled(all.map((socket) => this.call("close", { socket })));
  }

  /** Internal: throws {@link IutUnsupportedError} unless the adapter declares `name`. */
  requireFeature(name: string, what: string): void {
    if (!(this.info.capabilities.features ?? []).includes(name)) {
      throw new IutUnsupportedError(
        `${what} needs feature ${name}, which the IUT does not declare`,
      );
    }
  }

  /** Internal: a socket handle was closed. */
  forget(handle: number): void {
    this.open_.delete(handle);
  }

  /**
   * Internal: one request through the adapter's handler. The observer sees the
   * request and answer lines as the client shows them; an error answer throws
   * {@link IutError} with its code.
   */
  async call(op: string, fields: Record<string, unknown>): Promise<Record<string, unknown>> {
    const line = JSON.stringify({ id: this.nextId++, op, ...fields });
    this.observer?.("request", abbreviate(line));
    const answer = await answerOf(JSON.parse(line) as Request, (l) => this.writeStderr(l));
    if (this.observer) this.observer("answer", abbreviate(JSON.stringify(answer)));
    if (answer.ok !== true) {
      const error = (answer.error ?? {}) as { code?: string; message?: string };
      throw new IutError(error.code ?? "EINTERNAL", error.message ?? "");
    }
    return answer;
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

/** A socket or context handle of {@link InProcessReferenceIut} (as the client's AdapterSocket). */
class InProcessSocket implements IutSocket {
  constructor(
    private readonly iut: InProcessReferenceIut,
    readonly handle: number,
    readonly protocol: string,
    /** True for a context handle. */
    private readonly isContext = false,
  ) {}

  async listen(url: string, opts?: EndpointOptions): Promise<string> {
    try {
      const a = await this.iut.call("listen", { socket: this.handle, url, ...opts });
      return String(a.url);
    } catch (e) {
      // As the client: an IUT that cannot listen there lacks a capability.
      if (e instanceof IutError && e.code === "ENOTSUP") {
        throw new IutUnsupportedError(`the IUT cannot listen on ${url}: ${e.message}`);
      }
      throw e;
    }
  }

  async dial(url: string, opts?: EndpointOptions): Promise<void> {
    await this.iut.call("dial", { socket: this.handle, url, ...opts });
  }

  async setopt(name: string, value: number | Uint8Array): Promise<void> {
    const field = typeof value === "number" ? { value } : { data: b64(value) };
    await this.iut.call("setopt", { socket: this.handle, name, ...field });
  }

  async send(data: Uint8Array, opts?: IoOptions): Promise<void> {
    const fields: Record<string, unknown> = { socket: this.handle, data: b64(data) };
    if (opts?.header !== undefined) {
      this.iut.requireFeature("raw", "sending with a header");
      fields.header = b64(opts.header);
    }
    if (opts?.pipe !== undefined) {
      this.iut.requireFeature("pipes", "sending to a pipe");
      fields.pipe = opts.pipe;
    }
    await this.iut.call("send", { ...fields, ...timeoutField(opts) });
  }

  async recv(opts?: IoOptions): Promise<Uint8Array> {
    return (await this.recvMessage(opts)).data;
  }

  async recvMessage(opts?: IoOptions): Promise<IutMessage> {
    const a = await this.iut.call("recv", { socket: this.handle, ...timeoutField(opts) });
    const m: IutMessage = { data: fromBase64(a.data) };
    if (typeof a.header === "string") m.header = fromBase64(a.header);
    if (typeof a.pipe === "number") m.pipe = a.pipe;
    return m;
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

  async openContext(): Promise<IutSocket> {
    this.iut.requireFeature("contexts", `a context on ${this.protocol}`);
    try {
      const a = await this.iut.call("context", { socket: this.handle });
      return new InProcessSocket(this.iut, Number(a.socket), this.protocol, true);
    } catch (e) {
      // As the client: contexts exist for some protocols only, so the case is unsupported.
      if (e instanceof IutError && e.code === "ENOTSUP") {
        throw new IutUnsupportedError(`the IUT has no contexts on ${this.protocol}: ${e.message}`);
      }
      throw e;
    }
  }

  async stats(): Promise<Record<string, number>> {
    this.iut.requireFeature("stats", "socket statistics");
    const a = await this.iut.call("stats", { socket: this.handle });
    const out: Record<string, number> = {};
    const raw = (a.stats ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(raw)) if (typeof v === "number") out[k] = v;
    return out;
  }

  async close(): Promise<void> {
    if (!this.isContext) this.iut.forget(this.handle);
    await this.iut.call("close", { socket: this.handle });
  }
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

function fromBase64(v: unknown): Uint8Array {
  return new Uint8Array(Buffer.from(typeof v === "string" ? v : "", "base64"));
}

function abbreviate(line: string): string {
  return line.length > 200 ? `${line.slice(0, 200)}… (${line.length} chars)` : line;
}
