/**
 * Cat mode: any nngcat-compatible command-line tool as the IUT, started once
 * per IUT socket, e.g.
 *
 *     <cli> --rep0 --listen URL --msgpack --file reply       (a REP answering every request)
 *     <cli> --req0 --dial URL --async --msgpack --file body  (one request, prints the reply)
 *     <cli> --pull0 --listen URL --msgpack                   (prints every message)
 *     <cli> --rep0 --listen tls+tcp://… --cert C --key K …  (TLS: PEMs written to files)
 *
 * A CLI fixes its protocol, address, options and the one payload it sends
 * when it starts. A case therefore runs in cat mode only when it declares a
 * plan (`ConformanceCase.cat`, plan.ts) that says what its IUT sockets send;
 * while it runs, every operation is checked against the plan and against
 * the capability table below ({@link CLI_CAN}, {@link CLI_CANNOT}). An
 * operation a CLI cannot perform ends the case as `unsupported` with the
 * reason, never as `fail`: a verdict in cat mode is always about the tool.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeTestCerts } from "../../harness/certs.ts";
import { freePort } from "../../harness/port.ts";
import {
  type CaseInfo,
  type EndpointOptions,
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
  type TlsOptions,
} from "../iut.ts";
import { CliRun, capture, shellQuote, until } from "./cli.ts";
import type { CatPlan, CatSend } from "./plan.ts";
import { hasTried, isConnected, isListening } from "./proc.ts";

export { MsgpackReader, parseHexLine } from "./cli.ts";

/**
 * The capability table of cat mode: what an nngcat-like CLI can do, the
 * flags that do it, and what it gives the cases.
 */
export const CLI_CAN = [
  {
    ability: "one socket per process, its address fixed at start",
    flags: "--<proto> --listen URL | --dial URL --async",
    gives: "listen and dial on tcp://, ipc://, ws://, tls+tcp:// and wss:// (those the tool takes)",
  },
  {
    ability: "TLS from PEM files named at start: own certificate and key, trust anchors, no checks",
    flags: "--cert, --key, --cacert, --insecure",
    gives:
      "the `tls` endpoint options cert, key, ca and insecure (written to files); the CLI checks the server's name against the URL's host",
  },
  {
    ability: "print every message it receives",
    flags: "--msgpack",
    gives: "recv on PULL, SUB, PAIR, BUS, REP, RESPONDENT, and on REQ/SURVEYOR after their send",
  },
  {
    ability: "answer every request or survey with one payload",
    flags: "--file",
    gives: "REP/RESPONDENT send, when the case answers each request with the plan's payload",
  },
  {
    ability: "send one payload: at once, after whole seconds, or every few seconds",
    flags: "--file, --delay, --interval",
    gives: "REQ, SURVEYOR, PUSH, PUB, PAIR, BUS send of the plan's payload",
  },
  {
    ability: "subscribe to text topics fixed at start (none: everything)",
    flags: "--subscribe",
    gives: "option sub:subscribe, before listen/dial",
  },
  {
    ability: "refuse frames above a size",
    flags: "--recv-maxsz",
    gives: "option recv-size-max, before listen/dial",
  },
] as const;

/**
 * What a CLI cannot do: each is the reason a case gets (verdict
 * `unsupported`) when it asks for it.
 */
export const CLI_CANNOT = {
  noPlan:
    "cat mode: the case declares no cat plan; it needs the socket API beyond what a CLI started once with fixed arguments does (payloads chosen later, timeouts, state errors, flow control, close)",
  raw: "cat mode: a CLI has no raw sockets",
  contexts: "cat mode: a CLI has no contexts",
  devices: "cat mode: a CLI has no devices",
  stats: "cat mode: a CLI has no socket statistics",
  dialers: "cat mode: a CLI has no unstarted dialers",
  oneAddress: "cat mode: a CLI started here listens or dials once",
  noAddress: "cat mode: a CLI needs its address (listen or dial) before anything else",
  clientAuth:
    "cat mode: a CLI listener cannot demand client certificates (--cacert on a listener adds trust anchors; it does not make a certificate required)",
  serverName:
    "cat mode: a CLI checks the server's certificate against the host of the URL it dials and takes no other name",
  lateOption: "cat mode: a CLI takes its options when it starts, before listen/dial",
  binaryTopic: "cat mode: --subscribe takes text; this topic is binary",
  noSubscription:
    "cat mode: a CLI SUB without --subscribe receives everything; a SUB with no subscription cannot be expressed",
  headerOrPipe: "cat mode: a CLI sends no header and chooses no pipe",
  notInPlan:
    "cat mode: the case sends a payload its cat plan does not declare; a CLI sends only the payload it started with",
  receiveOnly:
    "cat mode: this CLI was started without a payload (the plan gives none), so it sends nothing",
  sendsOnce: "cat mode: a CLI without --interval sends its payload once; the case sends again",
  lateSend:
    "cat mode: the case sends after the CLI's --delay ran out; the CLI sent before the case asked",
  unasked:
    "cat mode: a CLI REP/RESPONDENT answers requests as they come; the case sends with no request held",
  unanswered:
    "cat mode: a CLI REP/RESPONDENT answers every request, but the case left one unanswered and receives the next",
  recvOnSender: "cat mode: a CLI of a send-only protocol has no receive operation",
  recvBeforeSend:
    "cat mode: a CLI REQ/SURVEYOR prints replies only after its one request; the case receives before it sent one",
  scriptDone:
    "cat mode: the CLI finished its script (e.g. a REQ after its reply); it receives no more",
  closeObserved:
    "cat mode: close stops the CLI, so what the tool does with a pending recv cannot be observed",
} as const;

/** Protocols a CLI might offer, and what each does with a payload. */
const KINDS: Record<string, "reply" | "send" | "receive" | "both"> = {
  req0: "send",
  surveyor0: "send",
  push0: "send",
  pub0: "send",
  rep0: "reply",
  respondent0: "reply",
  pull0: "receive",
  sub0: "receive",
  pair0: "both",
  pair1: "both",
  bus0: "both",
};

/** Protocols that never receive (nngcat refuses a format for them). */
const SEND_ONLY = new Set(["push0", "pub0"]);

/** Schemes whose endpoints take TLS material. */
const TLS_URL = /^(tls\+tcp|wss):\/\//;

/** The host of a URL, without IPv6 brackets. */
function hostOf(url: string): string {
  const m = /^[a-z+]+:\/\/(\[[^\]]*\]|[^/:]*)/.exec(url);
  return (m?.[1] ?? "").replace(/^\[|\]$/g, "");
}

/** How long a started CLI may take to listen or to connect (ms). */
const READY_MS = 10000;

/** What a CLI's error text says, as an IUT error code. */
function codeOf(text: string): string {
  if (/address (already )?in use/i.test(text)) return "EADDRINUSE";
  if (/address invalid/i.test(text)) return "EADDRINVAL";
  if (/invalid argument|invalid url/i.test(text)) return "EINVAL";
  if (/permission/i.test(text)) return "EPERM";
  return "EINTERNAL";
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function bytesOf(data: string | Uint8Array): Uint8Array {
  return typeof data === "string" ? Buffer.from(data, "utf8") : data;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class CatSocket implements IutSocket {
  private address: { flag: "--listen" | "--dial"; url: string } | null = null;
  private run: CliRun | null = null;
  private readonly topics: string[] = [];
  private recvMaxSize: number | undefined;
  private closed = false;
  /** REP/RESPONDENT: a request was received by the case and not yet answered by it. */
  private holding = false;
  /** Sends of the case so far. */
  private sends = 0;
  /** When the CLI sends (performance.now() ms), for a plan with `delay`. */
  private sendAt = 0;

  constructor(
    private readonly owner: CatIut,
    readonly handle: number,
    readonly protocol: string,
    private readonly plan: CatSend | undefined,
  ) {}

  private get kind() {
    return KINDS[this.protocol] ?? "receive";
  }

  async listen(url: string, opts?: EndpointOptions): Promise<string> {
    const m = /^(tcp|ws|tls\+tcp|wss):\/\/(\[[^\]]*\]|[^/:]+):0(\/.*)?$/.exec(url);
    const real = m ? `${m[1]}://${m[2]}:${await freePort()}${m[3] ?? ""}` : url;
    await this.start("--listen", real, opts?.tls);
    return real;
  }

  async dial(url: string, opts?: EndpointOptions): Promise<void> {
    await this.start("--dial", url, opts?.tls);
  }

  /**
   * The TLS flags for `url`: each PEM goes to a file of its own. A listener
   * that must demand client certificates, or a dialer told to expect a name
   * other than the URL's host, cannot be expressed. The one exception is
   * `localhost`, which cases give for TLS stacks that match DNS names only:
   * the suite's certificates name localhost and every host of the run alike,
   * so checking the URL's host instead judges the same certificate.
   */
  private tlsArgs(flag: "--listen" | "--dial", url: string, tls: TlsOptions | undefined): string[] {
    if (tls === undefined || !TLS_URL.test(url)) return [];
    if (flag === "--listen" && tls.requireClientCert) {
      throw this.owner.refuse(CLI_CANNOT.clientAuth);
    }
    const name = tls.servername;
    if (name !== undefined && name !== "localhost" && name !== hostOf(url)) {
      throw this.owner.refuse(CLI_CANNOT.serverName);
    }
    const args: string[] = [];
    if (tls.cert !== undefined) args.push("--cert", this.owner.secretFile("cert", tls.cert));
    if (tls.key !== undefined) args.push("--key", this.owner.secretFile("key", tls.key));
    if (tls.ca !== undefined) args.push("--cacert", this.owner.secretFile("ca", tls.ca));
    if (tls.insecure) args.push("--insecure");
    return args;
  }

  private async start(
    flag: "--listen" | "--dial",
    url: string,
    tls: TlsOptions | undefined,
  ): Promise<void> {
    if (this.address) throw this.owner.refuse(CLI_CANNOT.oneAddress);
    if (this.closed) throw new IutError("ECLOSED", "closed");
    const tlsArgs = this.tlsArgs(flag, url, tls);
    this.address = { flag, url };
    const args = [`--${this.protocol}`, flag, url, ...tlsArgs];
    // Dialers must not give up while the listener is not there yet.
    if (flag === "--dial") args.push("--async");
    if (!SEND_ONLY.has(this.protocol)) args.push("--msgpack");
    for (const t of this.topics) args.push("--subscribe", t);
    if (this.recvMaxSize !== undefined) args.push("--recv-maxsz", String(this.recvMaxSize));
    if (this.plan) {
      args.push("--file", this.owner.payloadFile(bytesOf(this.plan.data)));
      if (this.plan.delay) args.push("--delay", String(this.plan.delay));
      if (this.plan.interval) args.push("--interval", String(this.plan.interval));
    } else if (this.kind === "send") {
      // Started idle: REQ, SURVEYOR, PUSH and PUB need a payload, which they never send here.
      args.push("--data", "idle", "--delay", "86400");
    }
    const run = this.owner.startCli(args);
    this.run = run;
    // A TLS dial counts once it reached the server: a certificate the CLI refuses ends
    // each connection before it could be seen established.
    const dialed = TLS_URL.test(url) ? hasTried : isConnected;
    const ready = flag === "--listen" ? () => isListening(url) : () => dialed(url);
    await until(ready, run, READY_MS);
    if (run.exited !== null && flag === "--listen") {
      const why = run.stderr.trim().split("\n").pop() ?? run.exited;
      throw new IutError(codeOf(why), `the CLI did not listen: ${why} (${run.exited})`);
    }
    this.sendAt = performance.now() + (this.plan?.delay ?? 0) * 1000;
  }

  async setopt(name: string, value: number | Uint8Array): Promise<void> {
    if (name === "sub:subscribe" && this.protocol === "sub0" && value instanceof Uint8Array) {
      const topic = Buffer.from(value).toString("utf8");
      if (value.includes(0) || !sameBytes(Buffer.from(topic, "utf8"), value)) {
        throw this.owner.refuse(CLI_CANNOT.binaryTopic);
      }
      if (this.address) throw this.owner.refuse(CLI_CANNOT.lateOption);
      this.topics.push(topic);
      return;
    }
    if (name === "recv-size-max" && typeof value === "number" && this.owner.has(name)) {
      if (this.address) throw this.owner.refuse(CLI_CANNOT.lateOption);
      this.recvMaxSize = value;
      return;
    }
    throw new IutError("ENOTSUP", `cat mode does not set ${name}`);
  }

  async send(data: Uint8Array, opts?: IoOptions): Promise<void> {
    if (opts?.header !== undefined || opts?.pipe !== undefined) {
      throw this.owner.refuse(CLI_CANNOT.headerOrPipe);
    }
    if (this.closed) throw new IutError("ECLOSED", "closed");
    if (!this.run) throw this.owner.refuse(CLI_CANNOT.noAddress);
    const plan = this.plan;
    if (this.kind === "receive" || plan === undefined) {
      throw this.owner.refuse(CLI_CANNOT.receiveOnly);
    }
    if (!sameBytes(data, bytesOf(plan.data))) throw this.owner.refuse(CLI_CANNOT.notInPlan);
    if (this.kind === "reply") {
      if (!this.holding) throw this.owner.refuse(CLI_CANNOT.unasked);
      // The CLI answered when it printed the request.
      this.holding = false;
      return;
    }
    this.sends++;
    if (plan.interval) return;
    if (this.sends > 1) throw this.owner.refuse(CLI_CANNOT.sendsOnce);
    if (plan.delay && !plan.early) {
      const left = this.sendAt - performance.now();
      if (left < 50) throw this.owner.refuse(CLI_CANNOT.lateSend);
      // The send completes when the CLI sends (plus a little for its write).
      await sleep(left + 100);
    }
  }

  async recv(opts?: IoOptions): Promise<Uint8Array> {
    if (this.closed) throw new IutError("ECLOSED", "closed");
    if (SEND_ONLY.has(this.protocol)) throw this.owner.refuse(CLI_CANNOT.recvOnSender);
    if (!this.run) throw this.owner.refuse(CLI_CANNOT.noAddress);
    if (this.protocol === "sub0" && this.topics.length === 0) {
      throw this.owner.refuse(CLI_CANNOT.noSubscription);
    }
    // A REQ or SURVEYOR CLI prints replies to its one send; before it there is nothing to receive.
    if (this.kind === "send" && this.sends === 0)
      throw this.owner.refuse(CLI_CANNOT.recvBeforeSend);
    if (this.kind === "reply" && this.plan !== undefined && this.holding) {
      throw this.owner.refuse(CLI_CANNOT.unanswered);
    }
    const run = this.run;
    try {
      const got = await run.next(opts?.timeoutMs ?? 30000);
      if (this.kind === "reply") this.holding = true;
      return got;
    } catch (e) {
      if (!(e instanceof IutError) || e.code !== "ECLOSED") throw e;
      // close stops the CLI, so "recv fails once closed" would hold whatever the tool does.
      if (this.closed) throw this.owner.refuse(CLI_CANNOT.closeObserved);
      if (run.status === 0) throw this.owner.refuse(CLI_CANNOT.scriptDone);
      const why = run.stderr.trim().split("\n").pop() ?? "";
      throw new IutError("EINTERNAL", `the CLI died (${run.exited})${why ? `: ${why}` : ""}`);
    }
  }

  trySend(data: Uint8Array, opts?: IoOptions): Promise<Outcome<void>> {
    return outcome(this.send(data, opts));
  }

  tryRecv(opts?: IoOptions): Promise<Outcome<Uint8Array>> {
    return outcome(this.recv(opts));
  }

  async recvMessage(opts?: IoOptions): Promise<IutMessage> {
    return { data: await this.recv(opts) };
  }

  tryRecvMessage(opts?: IoOptions): Promise<Outcome<IutMessage>> {
    return outcome(this.recvMessage(opts));
  }

  openContext(): Promise<IutSocket> {
    return Promise.reject(this.owner.refuse(CLI_CANNOT.contexts));
  }

  dialer(): Promise<IutDialer> {
    return Promise.reject(this.owner.refuse(CLI_CANNOT.dialers));
  }

  stats(): Promise<Record<string, number>> {
    return Promise.reject(this.owner.refuse(CLI_CANNOT.stats));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.run?.stop();
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

/** True when `<cli> --<protocol> --help` shows the usage rather than an unknown-option error. */
async function knowsProtocol(cli: string, help: string, protocol: string): Promise<boolean> {
  if (help.includes(`--${protocol}`)) return true;
  const out = await capture(cli, [`--${protocol}`, "--help"]);
  return /usage/i.test(out) && !/invalid|unknown|unrecogni/i.test(out);
}

/** True when a PULL of the CLI listens at `url` (with `extra` arguments) within a few seconds. */
async function listensAt(cli: string, url: string, extra: string[] = []): Promise<boolean> {
  const run = new CliRun(
    `${cli} --pull0 --listen ${[url, ...extra].map(shellQuote).join(" ")} --msgpack`,
    () => {},
    () => {},
  );
  try {
    return await until(() => isListening(url), run, 5000);
  } finally {
    await run.stop();
  }
}

/**
 * A throw-away certificate for the TLS probes (a listener may want one before
 * it listens), as `--cert/--key` arguments; undefined without `openssl`.
 */
function probeCert(): { args: string[]; cleanup: () => void } | undefined {
  try {
    const c = makeTestCerts();
    return { args: ["--cert", c.serverCertPath, "--key", c.serverKeyPath], cleanup: c.cleanup };
  } catch {
    return undefined;
  }
}

/** What a CLI offers, found once per command line (probing starts processes). */
const probed = new Map<string, Promise<IutInfo>>();

async function probe(cli: string): Promise<IutInfo> {
  const help = await capture(cli, ["--help"]);
  const known = await Promise.all(
    Object.keys(KINDS).map(async (p) => ((await knowsProtocol(cli, help, p)) ? p : undefined)),
  );
  const protocols = known.filter((p): p is string => p !== undefined);
  if (protocols.length === 0) {
    throw new Error(`cat mode: \`${cli} --help\` names none of ${Object.keys(KINDS).join(", ")}`);
  }
  const dir = mkdtempSync(join(tmpdir(), "sp-cat-probe-"));
  const tls = help.includes("--cert") ? probeCert() : undefined;
  const [ipc, ws, tlsTcp, wss, version] = await Promise.all([
    listensAt(cli, `ipc://${join(dir, "probe.sock")}`),
    freePort().then((port) => listensAt(cli, `ws://127.0.0.1:${port}/probe`)),
    tls
      ? freePort().then((port) => listensAt(cli, `tls+tcp://127.0.0.1:${port}`, tls.args))
      : false,
    tls
      ? freePort().then((port) => listensAt(cli, `wss://127.0.0.1:${port}/probe`, tls.args))
      : false,
    capture(cli, ["--version"]),
  ]);
  tls?.cleanup();
  rmSync(dir, { recursive: true, force: true });
  const options = [
    ...(protocols.includes("sub0") ? ["sub:subscribe"] : []),
    ...(help.includes("--recv-maxsz") ? ["recv-size-max"] : []),
  ];
  return {
    name: catName(cli),
    version: version.trim().split("\n").pop() || "unknown",
    capabilities: {
      protocols,
      transports: [
        "tcp",
        ...(ipc ? ["ipc"] : []),
        ...(ws ? ["ws"] : []),
        ...(tlsTcp ? ["tls+tcp"] : []),
        ...(wss ? ["wss"] : []),
      ],
      options,
    },
  };
}

/**
 * An nngcat-compatible CLI as an {@link Iut}.
 *
 * @example
 * const iut = await CatIut.start("nngcat");
 * iut.beginCase({ id: "pipeline/pull-several-pushers", cat: {} });
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
  private plan: CatPlan | undefined;

  private constructor(
    private readonly cli: string,
    info: IutInfo,
  ) {
    this.info = info;
  }

  /** Asks the CLI what it offers (protocols, transports, options) and declares that. */
  static async start(cli: string): Promise<CatIut> {
    let info = probed.get(cli);
    if (!info) {
      info = probe(cli);
      probed.set(cli, info);
      info.catch(() => probed.delete(cli));
    }
    return new CatIut(cli, await info);
  }

  get dead(): boolean {
    return false;
  }

  /** True when the CLI takes option `name`. */
  has(name: string): boolean {
    return this.info.capabilities.options.includes(name);
  }

  setObserver(observer: OpObserver | undefined): void {
    this.observer = observer;
  }

  beginCase(c?: CaseInfo): void {
    this.sockets = [];
    this.refusal = undefined;
    this.plan = c?.cat;
  }

  /** Internal: remembers a refusal (fast-check and others may wrap the error) and returns it. */
  refuse(message: string): IutUnsupportedError {
    this.refusal ??= message;
    return new IutUnsupportedError(message);
  }

  unsupportedReason(): string | undefined {
    return this.refusal;
  }

  async open(protocol: string, opts?: OpenOptions): Promise<IutSocket> {
    if (opts?.raw) throw this.refuse(CLI_CANNOT.raw);
    if (!this.info.capabilities.protocols.includes(protocol)) {
      throw new IutError("ENOTSUP", `cat mode does not drive ${protocol}`);
    }
    if (this.plan === undefined) throw this.refuse(CLI_CANNOT.noPlan);
    const s = new CatSocket(this, this.nextHandle++, protocol, this.plan.send?.[protocol]);
    this.sockets.push(s);
    this.observer?.("answer", `open ${protocol} → socket ${s.handle}`);
    return s;
  }

  device(): Promise<void> {
    return Promise.reject(this.refuse(CLI_CANNOT.devices));
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

  /** Internal: writes PEM text (a certificate, key or CA) to a fresh file only we can read. */
  secretFile(kind: string, pem: string): string {
    const path = join(this.dir, `${kind}-${++this.files}.pem`);
    writeFileSync(path, pem, { mode: 0o600 });
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
