/**
 * Cat mode: drives any nngcat-compatible command-line tool as an IUT by
 * starting the tool once per operation it can express, e.g.
 *
 *     <cli> --req0 --dial URL --file body --hex --count 1   (send, then recv the reply)
 *     <cli> --pull0 --listen URL --hex                      (recv, one line per message)
 *
 * A CLI fixes its role, address and payload when it starts, so cat mode is
 * narrow on purpose:
 * - receiving roles (rep0, pull0, sub0) start at `listen`/`dial` and print
 *   what they receive; `recv` reads the next printed message;
 * - sending roles (req0, push0) start at `send`, when the payload is known,
 *   connecting to the address given to `listen`/`dial` earlier; a REQ's `recv`
 *   reads the reply its last CLI printed.
 * What a CLI cannot express is not faked: a REP asked to choose its reply
 * after `recv`, or a case that needs the connection of a sending role before
 * it hands over the payload, ends as `unsupported` with the reason (see
 * {@link IutUnsupportedError} and `unsupportedReason`), not as a failure of the
 * tool. Options: only `sub:subscribe` (as `--subscribe`, text topics).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import {
  type IoOptions,
  type Iut,
  type IutDialer,
  IutError,
  type IutInfo,
  type IutMessage,
  type IutSocket,
  IutUnsupportedError,
  type OpenOptions,
  type OpObserver,
  type Outcome,
} from "../iut.ts";

/** Roles cat mode knows how to drive: receive roles start at once, send roles at `send`. */
const ROLES: Record<string, "receive" | "send"> = {
  rep0: "receive",
  pull0: "receive",
  sub0: "receive",
  req0: "send",
  push0: "send",
};

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

/** A port nobody listens on right now (the kernel picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Ports in LISTEN state, from /proc/net/tcp{,6} (Linux). */
function listeningPorts(): Set<number> {
  const ports = new Set<number>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === "0A" && f[1]) ports.add(Number.parseInt(f[1].split(":")[1] ?? "0", 16));
    }
  }
  return ports;
}

/**
 * Waits until something listens on `port` (checked in /proc, so no
 * connection is made that the CLI would count as a peer). Gives up silently
 * after `ms`; the case then reports what it sees.
 */
async function waitListening(port: number, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline && !listeningPorts().has(port)) {
    await new Promise((r) => setTimeout(r, 10));
  }
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

/** Runs `cli args` through the shell and returns its combined output (bounded). */
function capture(cli: string, args: string[], ms = 15000): Promise<string> {
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

/** One running CLI and the messages it printed. */
class CliRun {
  private readonly lines: Uint8Array[] = [];
  private waiters: (() => void)[] = [];
  private exited: string | null = null;
  readonly child: ChildProcess;

  constructor(command: string, log: (text: string) => void, stderr: (text: string) => void) {
    log(`spawn: ${command}`);
    this.child = spawn(command, { shell: true, detached: true });
    if (this.child.stdout) {
      createInterface({ input: this.child.stdout }).on("line", (line) => {
        const bytes = parseHexLine(line);
        log(`stdout: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`);
        if (bytes) this.lines.push(bytes);
        else stderr(`[cat] not a --hex line on stdout: ${line}\n`);
        this.wake();
      });
    }
    this.child.stderr?.on("data", (d: Buffer) => stderr(d.toString()));
    this.child.on("close", (code, signal) => {
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

  /** The next printed message; ETIMEDOUT after `ms`; ECLOSED once the CLI exited. */
  async next(ms: number): Promise<Uint8Array> {
    const deadline = performance.now() + ms;
    for (;;) {
      const got = this.lines.shift();
      if (got) return got;
      if (this.exited !== null) throw new IutError("ECLOSED", `the CLI exited (${this.exited})`);
      const left = deadline - performance.now();
      if (left <= 0) throw new IutError("ETIMEDOUT", "nothing printed in time");
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits up to `ms` for the CLI to exit; returns how it ended, or null if it still runs. */
  async exit(ms: number): Promise<string | null> {
    const deadline = performance.now() + ms;
    while (this.exited === null) {
      const left = deadline - performance.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.exited;
  }

  /** Stops the CLI (its whole process group) and waits for it, bounded. */
  async stop(): Promise<void> {
    if (this.exited !== null || this.child.pid === undefined) return;
    const done = new Promise<void>((resolve) => this.child.once("close", () => resolve()));
    try {
      process.kill(-this.child.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
    const timer = setTimeout(() => {
      try {
        if (this.child.pid !== undefined) process.kill(-this.child.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }, 1000);
    await done;
    clearTimeout(timer);
  }
}

class CatSocket implements IutSocket {
  private address: { flag: "--listen" | "--dial"; url: string } | null = null;
  private run: CliRun | null = null;
  private readonly topics: string[] = [];
  private closed = false;
  /** A sending role got an address but no payload yet (no CLI runs). */
  deferred = false;

  constructor(
    private readonly owner: CatIut,
    readonly handle: number,
    readonly protocol: string,
  ) {}

  private get role() {
    return ROLES[this.protocol] ?? "receive";
  }

  async listen(url: string): Promise<string> {
    const m = /^tcp:\/\/([^/]+):0$/.exec(url);
    const real = m ? `tcp://${m[1]}:${await freePort()}` : url;
    await this.place("--listen", real);
    return real;
  }

  async dial(url: string): Promise<void> {
    await this.place("--dial", url);
  }

  private async place(flag: "--listen" | "--dial", url: string): Promise<void> {
    if (this.address) throw this.owner.refuse("cat mode: one address per socket");
    this.address = { flag, url };
    if (this.protocol === "sub0" && this.topics.length === 0) {
      throw this.owner.refuse(
        "cat mode: an nngcat-style SUB without --subscribe receives everything; a SUB with no subscription cannot be expressed",
      );
    }
    if (this.role === "receive") {
      this.run = this.owner.startCli([...this.baseArgs(), ...this.topicArgs()]);
      // The case connects as soon as listen returns: wait until the CLI listens.
      const port = flag === "--listen" ? /:(\d+)$/.exec(url)?.[1] : undefined;
      if (port !== undefined) await waitListening(Number(port), 10000);
    } else {
      this.deferred = true;
    }
  }

  private baseArgs(): string[] {
    if (!this.address) return [];
    const a = [`--${this.protocol}`, this.address.flag, this.address.url];
    // Send-only roles print nothing; nngcat refuses a format for them.
    if (this.protocol !== "push0") a.push("--hex");
    // Dialers must not give up when the listener is not there yet.
    if (this.address.flag === "--dial") a.push("--async");
    return a;
  }

  private topicArgs(): string[] {
    return this.topics.flatMap((t) => ["--subscribe", t]);
  }

  async setopt(name: string, value: number | Uint8Array): Promise<void> {
    if (name === "sub:subscribe" && this.protocol === "sub0" && value instanceof Uint8Array) {
      const topic = Buffer.from(value).toString("utf8");
      if (value.includes(0) || Buffer.from(topic, "utf8").length !== value.length) {
        throw this.owner.refuse("cat mode: --subscribe takes text; this topic is binary");
      }
      if (this.address) throw this.owner.refuse("cat mode: subscribe before listen/dial");
      this.topics.push(topic);
      return;
    }
    throw new IutError("ENOTSUP", `cat mode does not set ${name}`);
  }

  async send(data: Uint8Array, opts?: IoOptions): Promise<void> {
    if (opts?.header !== undefined || opts?.pipe !== undefined) {
      throw this.owner.refuse("cat mode cannot send with a header or to a pipe");
    }
    if (this.closed) throw new IutError("ECLOSED", "closed");
    if (this.role === "receive") {
      throw this.owner.refuse(
        `cat mode: a CLI ${this.protocol} gets its data when it starts; the case wants to send later`,
      );
    }
    if (!this.address) {
      throw this.owner.refuse("cat mode: a sending CLI needs listen or dial before send");
    }
    this.deferred = true;
    await this.run?.stop();
    const file = this.owner.payloadFile(data);
    const args = [...this.baseArgs(), "--file", file];
    if (this.protocol === "req0") args.push("--count", "1");
    const run = this.owner.startCli(args);
    this.run = run;
    // Until the CLI listens, the address the case was given is dead.
    const port =
      this.address.flag === "--listen" ? /:(\d+)$/.exec(this.address.url)?.[1] : undefined;
    if (port !== undefined) await waitListening(Number(port), 10000);
    this.deferred = false;
    if (this.protocol === "push0") {
      // A PUSH CLI exits once its message is out: that is when send completes.
      const status = await run.exit(opts?.timeoutMs ?? 30000);
      if (status === null) {
        await run.stop();
        throw new IutError("ETIMEDOUT", "the PUSH CLI did not send within the timeout");
      }
      if (status !== "status 0") throw new IutError("EINTERNAL", `the PUSH CLI exited (${status})`);
    }
  }

  async recv(opts?: IoOptions): Promise<Uint8Array> {
    if (this.closed) throw new IutError("ECLOSED", "closed");
    if (this.protocol === "push0") throw new IutError("ENOTSUP", "PUSH cannot receive");
    if (!this.run) {
      throw this.owner.refuse(
        `cat mode: no CLI runs for this ${this.protocol} yet (recv before listen/dial or send)`,
      );
    }
    try {
      return await this.run.next(opts?.timeoutMs ?? 30000);
    } catch (e) {
      if (e instanceof IutError && e.code === "ECLOSED" && this.closed) {
        // close stops the CLI, so "recv fails once closed" would hold whatever the tool does.
        throw this.owner.refuse(
          "cat mode: close stops the CLI, so what the tool does with a pending recv cannot be observed",
        );
      }
      throw e;
    }
  }

  trySend(data: Uint8Array, opts?: IoOptions): Promise<Outcome<void>> {
    return outcome(this.send(data, opts));
  }

  tryRecv(opts?: IoOptions): Promise<Outcome<Uint8Array>> {
    return outcome(this.recv(opts));
  }

  // A CLI has no headers, pipes, contexts or counters: cat mode declares no features
  // (ADAPTER.md §3.2), so these make the case unsupported.
  async recvMessage(opts?: IoOptions): Promise<IutMessage> {
    return { data: await this.recv(opts) };
  }

  tryRecvMessage(opts?: IoOptions): Promise<Outcome<IutMessage>> {
    return outcome(this.recvMessage(opts));
  }

  openContext(): Promise<IutSocket> {
    return Promise.reject(this.owner.refuse("cat mode has no contexts"));
  }

  dialer(): Promise<IutDialer> {
    return Promise.reject(this.owner.refuse("cat mode has no unstarted dialers"));
  }

  stats(): Promise<Record<string, number>> {
    return Promise.reject(this.owner.refuse("cat mode has no socket statistics"));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.run?.stop();
    this.run = null;
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

/** Short name for reports: the tool's name, e.g. `cat-nngcat`, `cat-spcat`. */
export function catName(cli: string): string {
  const words = cli.split(/\s+/).filter((w) => w && !w.startsWith("-"));
  const tool = words.filter((w) => !/^(npm|npx|node|run|exec|pnpm|yarn|tsx)$/.test(w)).pop();
  return `cat-${(tool ?? "cli").replace(/^.*\//, "").replace(/\.(js|ts)$/, "")}`;
}

/**
 * An nngcat-compatible CLI as an {@link Iut}.
 *
 * @example
 * const iut = await CatIut.start("nngcat");
 * const pull = await iut.open("pull0");
 * const url = await pull.listen("tcp://127.0.0.1:0");
 */
export class CatIut implements Iut {
  info: IutInfo;
  private nextHandle = 1;
  private sockets: CatSocket[] = [];
  private stderrText = "";
  private observer: OpObserver | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), "sp-cat-"));
  private files = 0;
  private refusal: string | undefined;

  private constructor(
    private readonly cli: string,
    info: IutInfo,
  ) {
    this.info = info;
  }

  /** Asks the CLI for its help and version and declares the roles it lists. */
  static async start(cli: string): Promise<CatIut> {
    const help = await capture(cli, ["--help"]);
    const protocols = Object.keys(ROLES).filter((p) => help.includes(`--${p}`));
    if (protocols.length === 0) {
      throw new Error(`cat mode: \`${cli} --help\` lists none of ${Object.keys(ROLES).join(", ")}`);
    }
    const version = (await capture(cli, ["--version"])).trim().split("\n").pop() ?? "unknown";
    return new CatIut(cli, {
      name: catName(cli),
      version: version || "unknown",
      capabilities: {
        protocols,
        transports: ["tcp"],
        options: protocols.includes("sub0") ? ["sub:subscribe"] : [],
      },
    });
  }

  get dead(): boolean {
    return false;
  }

  setObserver(observer: OpObserver | undefined): void {
    this.observer = observer;
  }

  beginCase(): void {
    this.sockets = [];
    this.refusal = undefined;
  }

  /** Internal: remembers a refusal (fast-check and others may wrap the error) and returns it. */
  refuse(message: string): IutUnsupportedError {
    this.refusal ??= message;
    return new IutUnsupportedError(message);
  }

  unsupportedReason(failed: boolean): string | undefined {
    if (this.refusal !== undefined) return this.refusal;
    if (!failed) return undefined;
    const waiting = this.sockets.filter((s) => s.deferred).map((s) => s.protocol);
    if (waiting.length === 0) return undefined;
    return `cat mode starts a sending CLI (${[...new Set(waiting)].join(", ")}) only when send gives it the payload; this case needed its connection earlier`;
  }

  async open(protocol: string, opts?: OpenOptions): Promise<IutSocket> {
    if (opts?.raw) throw this.refuse("cat mode has no raw sockets");
    if (!this.info.capabilities.protocols.includes(protocol)) {
      throw new IutError("ENOTSUP", `cat mode does not drive ${protocol}`);
    }
    const s = new CatSocket(this, this.nextHandle++, protocol);
    this.sockets.push(s);
    this.observer?.("answer", `open ${protocol} → socket ${s.handle}`);
    return s;
  }

  device(): Promise<void> {
    return Promise.reject(this.refuse("cat mode has no devices"));
  }

  stats(sock: IutSocket): Promise<Record<string, number>> {
    return sock.stats();
  }

  /** Internal: starts the CLI with `args`. */
  startCli(args: string[]): CliRun {
    const command = `${this.cli} ${args.map(shellQuote).join(" ")}`;
    return new CliRun(
      command,
      (text) => this.observer?.("answer", text),
      (text) => {
        this.stderrText += text;
      },
    );
  }

  /** Internal: writes a payload to a fresh file for `--file`. */
  payloadFile(data: Uint8Array): string {
    const path = join(this.dir, `payload-${++this.files}`);
    writeFileSync(path, data);
    return path;
  }

  stderrMark(): number {
    return this.stderrText.length;
  }

  stderrSince(mark: number): string {
    return this.stderrText.slice(mark);
  }

  async shutdown(): Promise<void> {
    await Promise.allSettled(this.sockets.map((s) => s.close()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
