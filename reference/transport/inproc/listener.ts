import { SPError } from "../../core/errors.ts";
import type { Listener, PipeHost } from "../../core/transport.ts";
import { type InprocPipe, type InprocPipeMachine, joinEnd } from "./pipe.ts";

/** Process-local names (SP-INPROC-1): bound listeners, and dialers waiting for one. Never
 * visible outside this process. */
const bound = new Map<string, InprocListener>();
const waiting = new Map<string, Set<(l: InprocListener) => void>>();

/**
 * Registers `wake` to run once when a listener binds `name`; returns a
 * function that cancels the wait (SP-INPROC-5).
 *
 * @example
 * ```ts
 * const cancel = waitForListener("jobs", (l) => l.accept(dialingEnd));
 * ```
 */
export function waitForListener(name: string, wake: (l: InprocListener) => void): () => void {
  let set = waiting.get(name);
  if (!set) {
    set = new Set();
    waiting.set(name, set);
  }
  set.add(wake);
  return () => {
    set.delete(wake);
    if (set.size === 0 && waiting.get(name) === set) waiting.delete(name);
  };
}

/**
 * Returns the listener bound to `name` in this process, if any.
 *
 * @example
 * ```ts
 * findListener("jobs")?.accept(dialingEnd);
 * ```
 */
export function findListener(name: string): InprocListener | undefined {
  return bound.get(name);
}

/**
 * An in-process listener: a name in the process registry. Dialers join it
 * with {@link InprocListener.accept}; closing it closes the pipes it accepted
 * and frees the name (SP-INPROC-6).
 *
 * @example
 * ```ts
 * const l = InprocListener.bind("jobs", socket);
 * await l.close();
 * ```
 */
export class InprocListener implements Listener {
  readonly url: string;
  readonly name: string;
  private readonly host: PipeHost;
  private readonly machine: InprocPipeMachine | undefined;
  private readonly pipes = new Set<InprocPipe>();
  private closing: Promise<void> | undefined;

  private constructor(name: string, host: PipeHost, machine?: InprocPipeMachine) {
    this.name = name;
    this.url = `inproc://${name}`;
    this.host = host;
    this.machine = machine;
  }

  /** Binds `name`; EADDRINUSE when a listener of this process holds it (SP-INPROC-2). */
  static bind(name: string, host: PipeHost, machine?: InprocPipeMachine): InprocListener {
    if (bound.has(name)) throw new SPError("EADDRINUSE", `inproc://${name} is already bound`);
    const l = new InprocListener(name, host, machine);
    bound.set(name, l);
    // SP-INPROC-5: dialers that came first connect now.
    const wakes = waiting.get(name);
    waiting.delete(name);
    for (const wake of wakes ?? []) wake(l);
    return l;
  }

  /** True while the listener accepts dialers. */
  get isOpen(): boolean {
    return this.closing === undefined;
  }

  /**
   * Joins a dialing end that has been waiting in `joining` (SP-INPROC-4);
   * afterwards `d.isClosed` tells whether the peer check refused it.
   */
  accept(d: InprocPipe): void {
    const pipes = this.pipes;
    const l = joinEnd(d, {
      host: this.host,
      machine: this.machine,
      onClose: (p) => pipes.delete(p),
    });
    if (!l.isClosed) pipes.add(l);
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    // SP-INPROC-6: the name is free again and every accepted pipe closes; dialers come back.
    if (bound.get(this.name) === this) bound.delete(this.name);
    const ends = [...this.pipes];
    this.pipes.clear();
    for (const p of ends) p.close();
    this.closing = Promise.all(ends.map((p) => p.closed)).then(() => undefined);
    return this.closing;
  }

  /** Closes the listener (`await using l = await s.listen(...)`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
