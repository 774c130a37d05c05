/**
 * One running CLI of cat mode: its process (a process group, so the shell
 * and the tool stop together), the messages it printed with `--msgpack`, and
 * how it ended.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { IutError } from "../iut.ts";

/**
 * Splits a CLI's `--msgpack` output into messages: each is a msgpack `bin`
 * object (`c4` + 1-byte length, `c5` + 2 bytes, `c6` + 4 bytes, then the
 * body). Exact for any bytes and cheap for large messages, unlike `--hex`.
 */
export class MsgpackReader {
  private buf: Buffer = Buffer.alloc(0);

  /** Adds output and returns the messages now complete; throws on a byte that starts no `bin`. */
  push(chunk: Buffer): Uint8Array[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Uint8Array[] = [];
    for (;;) {
      const tag = this.buf[0];
      if (tag === undefined) break;
      const size = tag === 0xc4 ? 1 : tag === 0xc5 ? 2 : tag === 0xc6 ? 4 : 0;
      if (size === 0) {
        throw new Error(`not msgpack bin output: byte 0x${tag.toString(16).padStart(2, "0")}`);
      }
      if (this.buf.length < 1 + size) break;
      const len = this.buf.readUIntBE(1, size);
      if (this.buf.length < 1 + size + len) break;
      out.push(new Uint8Array(this.buf.subarray(1 + size, 1 + size + len)));
      this.buf = this.buf.subarray(1 + size + len);
    }
    return out;
  }
}

/** Parses one `--hex` output line (`"\x61\x62"`) into bytes, or null. */
export function parseHexLine(line: string): Uint8Array | null {
  const m = /^"((?:\\x[0-9a-fA-F]{2})*)"$/.exec(line.trim());
  if (!m) return null;
  const body = m[1] ?? "";
  const out = new Uint8Array(body.length / 4);
  for (let i = 0; i < out.length; i++)
    out[i] = Number.parseInt(body.slice(i * 4 + 2, i * 4 + 4), 16);
  return out;
}

/** The first bytes of `m` in hex, for the transcript. */
function preview(m: Uint8Array): string {
  const head = Array.from(m.subarray(0, 24), (b) => b.toString(16).padStart(2, "0")).join(" ");
  return m.length > 24 ? `${head} …` : head;
}

/** Quotes one argument for the shell. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

/** Runs `cli args` through the shell and returns its combined output (bounded). */
export function capture(cli: string, args: string[], ms = 15000): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(`${cli} ${args.map(shellQuote).join(" ")}`, { shell: true });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.on("close", () => {
      clearTimeout(timer);
      resolve(out);
    });
    child.on("error", () => resolve(out));
  });
}

/** Waits until `ready()` holds or `run` exits, polling every 10 ms; false after `ms`. */
export async function until(ready: () => boolean, run: CliRun, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!ready()) {
    if (run.exited !== null || performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/** One started CLI and the messages it printed. */
export class CliRun {
  private readonly lines: Uint8Array[] = [];
  private waiters: (() => void)[] = [];
  /** How the CLI ended (`status 0`, `signal SIGTERM`), or null while it runs. */
  exited: string | null = null;
  /** Its exit status, once it exited on its own. */
  status: number | null = null;
  /** What it wrote to stderr. */
  stderr = "";
  /** Messages printed so far (taken or not). */
  printed = 0;
  readonly child: ChildProcess;

  constructor(command: string, log: (text: string) => void, stderr: (text: string) => void) {
    log(`spawn: ${command}`);
    this.child = spawn(command, { shell: true, detached: true });
    const reader = new MsgpackReader();
    this.child.stdout?.on("data", (chunk: Buffer) => {
      let got: Uint8Array[];
      try {
        got = reader.push(chunk);
      } catch (e) {
        stderr(`[cat] ${e instanceof Error ? e.message : String(e)}\n`);
        return;
      }
      for (const m of got) {
        log(`printed ${m.length} bytes: ${preview(m)}`);
        this.lines.push(m);
        this.printed++;
      }
      if (got.length > 0) this.wake();
    });
    this.child.stderr?.on("data", (d: Buffer) => {
      this.stderr += d.toString();
      stderr(d.toString());
    });
    this.child.on("close", (code, signal) => {
      this.status = code;
      this.exited = signal ? `signal ${signal}` : `status ${code}`;
      log(`exit: ${this.exited}`);
      this.wake();
    });
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /**
   * The next printed message. ETIMEDOUT after `ms`; once the CLI has exited
   * and everything it printed was taken, an {@link IutError} `ECLOSED`.
   */
  async next(ms: number): Promise<Uint8Array> {
    const deadline = performance.now() + ms;
    for (;;) {
      const got = this.lines.shift();
      if (got) return got;
      if (this.exited !== null) throw new IutError("ECLOSED", `the CLI exited (${this.exited})`);
      const left = deadline - performance.now();
      if (left <= 0) throw new IutError("ETIMEDOUT", "nothing printed in time");
      await this.sleep(left);
    }
  }

  /** Stops the CLI (its whole process group) and waits for it, bounded. */
  async stop(): Promise<void> {
    if (this.exited !== null || this.child.pid === undefined) return;
    const done = new Promise<void>((resolve) => this.child.once("close", () => resolve()));
    const kill = (signal: NodeJS.Signals) => {
      try {
        if (this.child.pid !== undefined) process.kill(-this.child.pid, signal);
      } catch {
        /* already gone */
      }
    };
    kill("SIGTERM");
    const timer = setTimeout(() => kill("SIGKILL"), 1000);
    await done;
    clearTimeout(timer);
  }
}
