/**
 * The reference stack as an in-process IUT: the same request handling as the
 * reference adapter process (./handler.ts, which ./main.ts serves on stdio),
 * called directly with no child process or pipe in between. It therefore
 * declares exactly the adapter's capabilities and optional features
 * (ADAPTER.md §3.2: raw, device, contexts, pipes, stats) and answers every
 * operation as the adapter does.
 *
 * Used where the cases must exercise reference code loaded in the test
 * process itself, above all by the mutation run (dev/mutation/), whose
 * instrumented reference only exists inside the vitest worker.
 *
 * Each operation is built as the JSON request the client would send (and
 * parsed back, so the handler sees the same values), shown to the observer,
 * handled, and its answer decoded by the client's own AdapterSocket. Diagnostics the adapter writes to its stderr (EINTERNAL errors,
 * a stopped device) go to this IUT's "stderr".
 */

import { AdapterSocket, type SocketChannel } from "../client.ts";
import {
  type IoOptions,
  type Iut,
  IutError,
  type IutInfo,
  type IutSocket,
  IutUnsupportedError,
  type OpenOptions,
  type OpObserver,
} from "../iut.ts";
import { answerOf, hello, type Request } from "./handler.ts";

/** Keeps at most this much "stderr" text. */
const MAX_STDERR = 256 * 1024;

/** An {@link Iut} backed directly by the reference adapter's handler in this process. */
export class InProcessReferenceIut implements Iut, SocketChannel {
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
    return new AdapterSocket(this, handle, protocol, opts?.raw === true);
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

  /**
   * Internal ({@link SocketChannel}): one socket operation, with its per-call
   * timeout passed as the client passes it. A closed handle is forgotten.
   */
  socketCall(
    op: string,
    socket: number,
    fields: Record<string, unknown>,
    io?: IoOptions,
  ): Promise<Record<string, unknown>> {
    if (op === "close") this.open_.delete(socket);
    const extra = io?.timeoutMs !== undefined ? { timeoutMs: io.timeoutMs } : {};
    return this.call(op, { socket, ...fields, ...extra });
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

function abbreviate(line: string): string {
  return line.length > 200 ? `${line.slice(0, 200)}… (${line.length} chars)` : line;
}
