/**
 * JSON-lines client for a conformance adapter process (conformance/ADAPTER.md).
 * Spawns the adapter, matches answers to requests by id, bounds every request
 * with a timeout, keeps the adapter's stderr, and turns the adapter's death
 * into an {@link IutDiedError} that carries that stderr.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import {
  type EndpointOptions,
  type IoOptions,
  type Iut,
  type IutDialer,
  IutDiedError,
  IutError,
  type IutInfo,
  type IutMessage,
  type IutSocket,
  IutUnsupportedError,
  type OpenOptions,
  type OpObserver,
  type Outcome,
} from "./iut.ts";

export type { OpObserver } from "./iut.ts";

/** How to start an adapter: argv, or a shell command line. */
export type AdapterCommand = { argv: string[] } | { shell: string };

/** Tuning for {@link AdapterClient}. */
export interface AdapterClientOptions {
  /** Answer deadline for requests without their own timeout (ms). Default 5000. */
  requestTimeoutMs?: number;
  /** Extra time granted on top of a request's own `timeoutMs`. Default 3000. */
  graceMs?: number;
  /** Working directory of the adapter process. */
  cwd?: string;
}

type Answer = { id: number; ok: boolean; error?: { code?: string; message?: string } } & Record<
  string,
  unknown
>;

interface Pending {
  op: string;
  resolve: (a: Answer) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

const MAX_STDERR = 256 * 1024;

/** A running adapter process; implements {@link Iut}. */
export class AdapterClient implements Iut, SocketChannel {
  private child: ChildProcessWithoutNullStreams;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private stderrText = "";
  private stderrDropped = 0;
  private exitNote: string | null = null;
  private observer: OpObserver | undefined;
  private readonly requestTimeoutMs: number;
  private readonly graceMs: number;
  /** Filled in by {@link AdapterClient.start}. */
  info: IutInfo = {
    name: "?",
    version: "?",
    capabilities: { protocols: [], transports: [], options: [] },
  };

  private constructor(
    private readonly command: AdapterCommand,
    private readonly opts: AdapterClientOptions,
  ) {
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 5000;
    this.graceMs = opts.graceMs ?? 3000;
    // Default stdio: all three piped.
    this.child =
      "argv" in command
        ? spawn(command.argv[0] ?? "", command.argv.slice(1), { cwd: opts.cwd })
        : spawn(command.shell, { cwd: opts.cwd, shell: true });
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (chunk: string) => {
      this.stderrText += chunk;
      if (this.stderrText.length > MAX_STDERR) {
        const cut = this.stderrText.length - MAX_STDERR;
        this.stderrDropped += cut;
        this.stderrText = this.stderrText.slice(cut);
      }
    });
    createInterface({ input: this.child.stdout }).on("line", (line) => this.onLine(line));
    this.child.on("error", (err) => this.onExit(`could not run the adapter: ${err.message}`));
    // "close" (not "exit"): stdio is drained by then, so stderr is complete.
    this.child.on("close", (code, signal) =>
      this.onExit(`adapter exited (${signal ? `signal ${signal}` : `code ${code}`})`),
    );
    this.child.stdin.on("error", () => {
      /* EPIPE after death is reported through onExit */
    });
  }

  /** Spawns the adapter and performs `hello`. */
  static async start(
    command: AdapterCommand,
    opts: AdapterClientOptions = {},
  ): Promise<AdapterClient> {
    const client = new AdapterClient(command, opts);
    let hello: Record<string, unknown>;
    try {
      // A browser-hosted adapter launches Chromium first: allow it time on a loaded machine.
      hello = await client.request("hello", {}, 30000);
    } catch (e) {
      await client.shutdown();
      throw e;
    }
    const caps = (hello.capabilities ?? {}) as Partial<IutInfo["capabilities"]>;
    client.info = {
      name: String(hello.name ?? "unknown"),
      version: String(hello.version ?? "unknown"),
      capabilities: {
        protocols: caps.protocols ?? [],
        transports: caps.transports ?? [],
        options: caps.options ?? [],
        features: caps.features ?? [],
      },
      ...(typeof hello.host === "string" ? { host: hello.host } : {}),
    };
    return client;
  }

  /** A second adapter process from the same command (see {@link Iut.spawnSibling}). */
  spawnSibling(): Promise<AdapterClient> {
    return AdapterClient.start(this.command, this.opts);
  }

  get dead(): boolean {
    return this.exitNote !== null;
  }

  /** Installs (or removes) the observer that sees every request and answer. */
  setObserver(observer: OpObserver | undefined): void {
    this.observer = observer;
  }

  stderrMark(): number {
    return this.stderrDropped + this.stderrText.length;
  }

  stderrSince(mark: number): string {
    return this.stderrText.slice(Math.max(0, mark - this.stderrDropped));
  }

  /**
   * Sends one request and waits for its answer. Resolves with the answer even
   * when `ok` is false; rejects only on timeout or adapter death.
   */
  request(op: string, fields: Record<string, unknown>, timeoutMs?: number): Promise<Answer> {
    if (this.exitNote !== null) {
      return Promise.reject(new IutDiedError(this.exitNote, this.stderrSince(0)));
    }
    const id = this.nextId++;
    const line = JSON.stringify({ id, op, ...fields });
    const budget = timeoutMs ?? this.requestTimeoutMs;
    return new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        const note = `adapter did not answer request ${id} (${op}) within ${budget} ms`;
        reject(new IutDiedError(note, this.stderrSince(0)));
        this.stalled(note);
      }, budget);
      this.pending.set(id, { op, resolve, reject, timer });
      this.observer?.("request", abbreviate(line));
      this.child.stdin.write(`${line}\n`);
    });
  }

  private onLine(line: string): void {
    if (line.trim() === "") return;
    let answer: Answer;
    try {
      answer = JSON.parse(line) as Answer;
    } catch {
      this.stderrText += `[suite] adapter wrote a non-JSON line to stdout: ${line}\n`;
      return;
    }
    const p = this.pending.get(answer.id);
    if (!p) {
      this.stderrText += `[suite] answer for unknown request: ${line}\n`;
      return;
    }
    this.pending.delete(answer.id);
    clearTimeout(p.timer);
    this.observer?.("answer", abbreviate(line));
    p.resolve(answer);
  }

  /**
   * An adapter that let a request go unanswered is out of step with the
   * suite (a late answer would land on a later case) and possibly stuck
   * inside the library: it counts as dead from now on, and is killed, so that
   * the runner starts a fresh one for the next case instead of piling every
   * later case onto it.
   */
  private stalled(note: string): void {
    this.onExit(`${note} (the adapter was stopped)`);
    this.child.kill("SIGKILL");
  }

  private onExit(note: string): void {
    if (this.exitNote !== null) return;
    this.exitNote = note;
    const err = new IutDiedError(note, this.stderrSince(0));
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(err);
    }
  }

  /** Requests an answer and throws {@link IutError} when it is an error answer. */
  private async call(
    op: string,
    fields: Record<string, unknown>,
    timeoutMs?: number,
  ): Promise<Answer> {
    const a = await this.request(op, fields, timeoutMs);
    if (!a.ok) throw new IutError(a.error?.code ?? "EINTERNAL", a.error?.message ?? "");
    return a;
  }

  async open(protocol: string, opts?: OpenOptions): Promise<IutSocket> {
    if (opts?.raw) this.requireFeature("raw", `a raw ${protocol} socket`);
    const a = await this.call("open", { protocol, ...(opts?.raw ? { raw: true } : {}) });
    return new AdapterSocket(this, Number(a.socket), protocol, opts?.raw === true);
  }

  async device(a: IutSocket, b?: IutSocket): Promise<void> {
    this.requireFeature("device", "a device");
    await this.call("device", { a: a.handle, ...(b ? { b: b.handle } : {}) });
  }

  stats(sock: IutSocket): Promise<Record<string, number>> {
    return sock.stats();
  }

  /** True when the adapter declared optional feature `name` (ADAPTER.md §3.2). */
  hasFeature(name: string): boolean {
    return (this.info.capabilities.features ?? []).includes(name);
  }

  /**
   * Internal: a case asked for an optional feature the adapter did not declare.
   * That says nothing about the IUT's conformance: the case becomes `unsupported`.
   */
  requireFeature(name: string, what: string): void {
    if (!this.hasFeature(name)) {
      throw new IutUnsupportedError(
        `${what} needs feature ${name}, which the IUT does not declare`,
      );
    }
  }

  /** Internal: one operation for {@link AdapterSocket}. */
  async socketCall(op: string, socket: number, fields: Record<string, unknown>, io?: IoOptions) {
    const timeout = io?.timeoutMs !== undefined ? io.timeoutMs + this.graceMs : undefined;
    const extra = io?.timeoutMs !== undefined ? { timeoutMs: io.timeoutMs } : {};
    // recv and send without their own timeout may legitimately block for long
    const budget = timeout ?? (op === "recv" || op === "send" ? 30000 : undefined);
    return this.call(op, { socket, ...fields, ...extra }, budget);
  }

  async shutdown(): Promise<void> {
    if (this.exitNote !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * What an {@link AdapterSocket} needs from the IUT behind it: one socket
 * operation as the adapter protocol's request, and the feature check. The
 * adapter process ({@link AdapterClient}) and the in-process reference
 * (adapters/reference/inprocess.ts) both provide it.
 */
export interface SocketChannel {
  socketCall(
    op: string,
    socket: number,
    fields: Record<string, unknown>,
    io?: IoOptions,
  ): Promise<Record<string, unknown>>;
  requireFeature(name: string, what: string): void;
}

/** An IUT socket or context handle, spoken to through a {@link SocketChannel}. */
export class AdapterSocket implements IutSocket {
  constructor(
    private readonly client: SocketChannel,
    readonly handle: number,
    readonly protocol: string,
    /** Opened with `raw: true`. */
    readonly raw = false,
    /** Set for a context: the handle is a context of this socket. */
    readonly parent?: AdapterSocket,
  ) {}

  async listen(url: string, opts?: EndpointOptions): Promise<string> {
    try {
      const a = await this.client.socketCall("listen", this.handle, { url, ...opts });
      return String(a.url);
    } catch (e) {
      // An IUT that cannot accept connections at all (a browser page) lacks a capability:
      // the case is unsupported there, not failed (ADAPTER.md §2).
      if (e instanceof IutError && e.code === "ENOTSUP") {
        throw new IutUnsupportedError(`the IUT cannot listen on ${url}: ${e.message}`);
      }
      throw e;
    }
  }

  async dial(url: string, opts?: EndpointOptions): Promise<void> {
    await this.client.socketCall("dial", this.handle, { url, ...opts });
  }

  async dialer(url: string, opts?: EndpointOptions): Promise<IutDialer> {
    this.client.requireFeature("dialers", "a dialer created without starting it");
    const a = await this.client.socketCall("dial", this.handle, { url, ...opts, start: false });
    const handle = Number(a.dialer);
    // The dialer ops carry the owning socket too (ADAPTER.md §3.2).
    const op = (name: string) => async () => {
      await this.client.socketCall(name, this.handle, { dialer: handle });
    };
    return { handle, start: op("dialer-start"), close: op("dialer-close") };
  }

  async setopt(name: string, value: number | Uint8Array): Promise<void> {
    // Byte-valued options travel as base64 `data` (ADAPTER.md §3).
    const field =
      typeof value === "number" ? { value } : { data: Buffer.from(value).toString("base64") };
    await this.client.socketCall("setopt", this.handle, { name, ...field });
  }

  async send(data: Uint8Array, opts?: IoOptions): Promise<void> {
    const fields: Record<string, unknown> = { data: Buffer.from(data).toString("base64") };
    if (opts?.header !== undefined) {
      this.client.requireFeature("raw", "sending with a header");
      fields.header = Buffer.from(opts.header).toString("base64");
    }
    if (opts?.pipe !== undefined) {
      this.client.requireFeature("pipes", "sending to a pipe");
      fields.pipe = opts.pipe;
    }
    await this.client.socketCall("send", this.handle, fields, opts);
  }

  async recv(opts?: IoOptions): Promise<Uint8Array> {
    return (await this.recvMessage(opts)).data;
  }

  async recvMessage(opts?: IoOptions): Promise<IutMessage> {
    const a = await this.client.socketCall("recv", this.handle, {}, opts);
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
    this.client.requireFeature("contexts", `a context on ${this.protocol}`);
    try {
      const a = await this.client.socketCall("context", this.handle, {});
      return new AdapterSocket(this.client, Number(a.socket), this.protocol, false, this);
    } catch (e) {
      // Contexts exist for some protocols only (ADAPTER.md §3.2): the case is unsupported.
      if (e instanceof IutError && e.code === "ENOTSUP") {
        throw new IutUnsupportedError(`the IUT has no contexts on ${this.protocol}: ${e.message}`);
      }
      throw e;
    }
  }

  async stats(): Promise<Record<string, number>> {
    this.client.requireFeature("stats", "socket statistics");
    const a = await this.client.socketCall("stats", this.handle, {});
    const out: Record<string, number> = {};
    const raw = (a.stats ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(raw)) if (typeof v === "number") out[k] = v;
    return out;
  }

  async close(): Promise<void> {
    await this.client.socketCall("close", this.handle, {});
  }
}

function fromBase64(v: unknown): Uint8Array {
  return new Uint8Array(Buffer.from(typeof v === "string" ? v : "", "base64"));
}

async function outcome<T>(p: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    if (e instanceof IutError) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
}

function abbreviate(line: string): string {
  return line.length > 200 ? `${line.slice(0, 200)}… (${line.length} chars)` : line;
}
