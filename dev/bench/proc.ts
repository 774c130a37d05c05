/**
 * Child processes of the bench: drivers that print `ready`, `result {json}` or
 * `unavailable <reason>` lines on stdout. Every wait is bounded; `stop` kills.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** A driver reported that its implementation lacks what the scenario needs. */
export class UnavailableError extends Error {}

/** A running driver process. */
export interface Driver {
  readonly proc: ChildProcess;
  /** Resolves with the rest of the first line starting with `word` (after one space). */
  waitFor(word: "ready" | "result" | "sent", timeoutMs: number): Promise<string>;
  /**
   * Like `waitFor`, but removes the line it returns, so that the next call waits for the
   * next such line (answers to repeated queries: `rss`, `stat`).
   */
  take(word: string, timeoutMs: number): Promise<string>;
  /** The rest of the last line so far that starts with `word`, if any (e.g. `progress`). */
  latest(word: string): string | undefined;
  /** The exit code once the process has ended (null: killed by a signal), else undefined. */
  readonly exitCode: number | null | undefined;
  /** Writes one line to the driver's stdin. */
  writeLine(line: string): void;
  /** Closes stdin, then SIGKILLs after `graceMs` if still alive. Resolves on exit. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a driver. The first element of `cmd` is the program.
 *
 * @example
 * ```ts
 * const d = startDriver([".cache/bench/nng-driver", "rep", "tcp://127.0.0.1:5555", "64"]);
 * await d.waitFor("ready", 10_000);
 * await d.stop();
 * ```
 */
export function startDriver(cmd: readonly string[], env?: NodeJS.ProcessEnv): Driver {
  const [prog, ...args] = cmd;
  if (!prog) throw new Error("empty driver command");
  const proc = spawn(prog, args, { stdio: ["pipe", "pipe", "pipe"], env: env ?? process.env });
  let stderr = "";
  proc.stderr?.setEncoding("utf8");
  proc.stderr?.on("data", (d: string) => {
    if (stderr.length < 4000) stderr += d;
  });
  proc.stdin?.on("error", () => {});
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) => {
    proc.on("close", (code) => {
      exitCode = code;
      for (const w of waiters) w();
      resolve();
    });
    proc.on("error", (err) => {
      stderr += String(err);
      exitCode = -1;
      for (const w of waiters) w();
      resolve();
    });
  });
  if (proc.stdout) {
    createInterface({ input: proc.stdout }).on("line", (line) => {
      lines.push(line);
      for (const w of waiters) w();
    });
  }
  const name = `${prog.split("/").pop()} ${args[0] ?? ""}`;
  const matches = (l: string, word: string) => l === word || l.startsWith(`${word} `);
  const waitFor = (word: string, timeoutMs: number, consume = false) =>
    new Promise<string>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const check = () => {
        for (let i = 0; i < lines.length; i++) {
          const l = lines[i] as string;
          if (matches(l, word)) {
            if (consume) lines.splice(i, 1);
            return done(() => resolve(l.slice(word.length + 1)));
          }
          if (l.startsWith("unavailable"))
            return done(() => reject(new UnavailableError(l.slice(12) || "unavailable")));
        }
        if (exitCode !== undefined) {
          done(() =>
            reject(
              new Error(
                `${name} exited (${exitCode}) before "${word}": ${stderr.trim().slice(0, 500)}`,
              ),
            ),
          );
        }
      };
      const done = (f: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        f();
      };
      timer = setTimeout(
        () => done(() => reject(new Error(`${name}: no "${word}" within ${timeoutMs} ms`))),
        timeoutMs,
      );
      waiters.add(check);
      check();
    });
  return {
    proc,
    waitFor: (word, timeoutMs) => waitFor(word, timeoutMs),
    take: (word, timeoutMs) => waitFor(word, timeoutMs, true),
    latest(word) {
      for (let i = lines.length - 1; i >= 0; i--) {
        const l = lines[i] as string;
        if (matches(l, word)) return l.slice(word.length + 1);
      }
      return undefined;
    },
    get exitCode() {
      return exitCode;
    },
    writeLine(line) {
      proc.stdin?.write(`${line}\n`);
    },
    async stop(graceMs = 300) {
      if (exitCode !== undefined) return;
      proc.stdin?.end();
      const t = setTimeout(() => proc.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}
