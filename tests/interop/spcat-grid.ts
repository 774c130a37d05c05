/**
 * The spcat grid: the `spcat` command against the real peer commands, nngcat
 * (nng 1.5.x) and nanocat (nanomsg 1.1.x), two processes per cell.
 *
 * A row is a protocol pair, the protocol spcat plays, a transport (tcp, ipc,
 * ws) and whether spcat listens or dials; the columns are the two peers. Each
 * cell starts the listening side first, waits until it accepts connections,
 * then starts the dialing side, and checks the bytes each side printed:
 *
 * - spcat listens: both sides send a binary file (`--file`, with NUL and
 *   0xFE/0xFF bytes) and print with the raw format, so the check is
 *   byte-exact.
 * - spcat dials: both sides send text (`--data`) and print with the ascii
 *   format (nanocat ends each message with a newline, nngcat and spcat do not).
 *
 * `--count`, `--interval`, `--delay` and `--subscribe` are used where the
 * protocol needs them (see {@link planCell}). A side that repeats sends keeps
 * going until the cell has seen what it needs, then is killed; a side that
 * stops by itself (`--count`) must exit with status 0. spcat must never write
 * to standard error.
 *
 * spcat runs from a bundle of its sources that esbuild makes once per grid
 * (tsx start-up costs about 2 s per process on this machine, which would
 * make the grid several minutes long); `--source` runs it through tsx instead.
 *
 *     node --import tsx tests/interop/spcat-grid.ts [--jobs N] [--filter TEXT] [--source]
 *
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, sleep } from "../../testkit/wait.ts";
import {
  peer as peerCommand,
  type Running,
  spcatCommand,
  start,
  waitForPath,
  waitForPort,
} from "./harness.ts";
import {
  type GridCell,
  type GridPeer,
  type GridRow,
  gridPairs,
  gridPeers,
  gridSchemes,
} from "./spcat-grid-cells.ts";
import { gridNotes, knownGridIssue } from "./spcat-grid-issues.ts";
import { describePort, portTraffic } from "./tcp-states.ts";

export type { GridCell, GridPair, GridPeer, GridRow, GridScheme } from "./spcat-grid-cells.ts";
export { gridPairs, gridPeers, gridSchemes } from "./spcat-grid-cells.ts";

/** What a cell came to. */
export interface GridOutcome {
  /** `pass`; `fail`; `explained` (failed with a known upstream cause); `n.a.` (peer lacks it). */
  readonly status: "pass" | "fail" | "explained" | "n.a.";
  /** Why it failed, or the upstream issue. */
  readonly detail: string;
  readonly ms: number;
}

/** Every row, in table order. */
export function gridRows(): GridRow[] {
  const rows: GridRow[] = [];
  for (const pair of gridPairs) {
    const [a, b] = pair.protocols;
    const roles: [string, string][] =
      a === b
        ? [[a, b]]
        : [
            [a, b],
            [b, a],
          ];
    for (const [spcat, peer] of roles) {
      for (const scheme of gridSchemes) {
        for (const spcatListens of [true, false])
          rows.push({ pair, spcat, peer, scheme, spcatListens });
      }
    }
  }
  return rows;
}

/** A row label such as `req/rep · tcp · spcat req0 listens`. */
export function gridRowLabel(r: GridRow): string {
  return `${r.pair.id} · ${r.scheme} · spcat ${r.spcat} ${r.spcatListens ? "listens" : "dials"}`;
}

/** A cell key such as `req/rep · tcp · spcat req0 listens · nanocat`. */
export function gridCellKey(c: GridCell): string {
  return `${gridRowLabel(c.row)} · ${c.tool}`;
}

/** Every cell, including those the peer cannot run (`n.a.`). */
export function gridCells(): GridCell[] {
  return gridRows().flatMap((row) => gridPeers.map((tool) => ({ row, tool })));
}

/** One thing a cell must see in a side's output. */
export interface Expectation {
  readonly side: "spcat" | "peer";
  /** How one message prints on that side. */
  readonly unit: Buffer;
  /** Exactly this many copies; otherwise one or more. */
  readonly exact?: number;
}

/** The two command lines of a cell and what they must print. */
export interface CellPlan {
  readonly spcat: string[];
  readonly peer: string[];
  readonly expect: Expectation[];
  /** spcat stops by itself (`--count`); otherwise it is killed once the cell has what it needs. */
  readonly spcatExits: boolean;
}

/** What a plan is made from (addresses and payload files are per cell). */
export interface PlanInput {
  readonly cell: GridCell;
  readonly url: string;
  /** Paths of the payload files (used when spcat listens). */
  readonly spcatFile: string;
  readonly peerFile: string;
  /** Payloads: binary when spcat listens, text when it dials. */
  readonly spcatBody: Buffer;
  readonly peerBody: Buffer;
}

/** How `tool` prints `body` in the cell's format. */
function printed(tool: "spcat" | GridPeer, body: Buffer, raw: boolean): Buffer {
  if (raw) return body;
  // ascii: only printable text is used, so only nanocat's newline differs.
  return tool === "nanocat" ? Buffer.concat([body, Buffer.from("\n")]) : body;
}

/** The payload of one side of cell number `n`. */
export function payload(side: "spcat" | "peer", n: number, binary: boolean): Buffer {
  const head = Buffer.from(`topic-from-${side}-`);
  const mid = binary ? Buffer.from([0x00, 0x01, 0x7f, 0xfe, 0xff]) : Buffer.from("text");
  return Buffer.concat([head, mid, Buffer.from(`-${n}`)]);
}

/**
 * The command lines of a cell. spcat receivers that stop by themselves use
 * `--count`; senders that must wait for the other side repeat with
 * `--interval` (whole seconds for nngcat, which takes no fractions).
 */
export function planCell(p: PlanInput): CellPlan {
  const { cell, url } = p;
  const { row, tool } = cell;
  const raw = row.spcatListens;
  const nng = tool === "nngcat";
  const sEp = [row.spcatListens ? "--listen" : "--dial", url];
  const pEp = nng
    ? [row.spcatListens ? "--dial" : "--listen", url]
    : [row.spcatListens ? "--connect" : "--bind", url];
  const sSrc = raw ? ["--file", p.spcatFile] : ["--data", p.spcatBody.toString("latin1")];
  const pSrc = raw ? ["--file", p.peerFile] : ["--data", p.peerBody.toString("latin1")];
  const sFmt = ["--format", raw ? "raw" : "ascii"];
  const pFmt = [raw ? "--raw" : "--ascii"];
  // nngcat 1.5.2 sets the receive timeout of each send-and-receive round to
  // "interval minus the time since the round's send". A message that arrives
  // just before the round ends, or a PAIR send that waited longer than the
  // interval for a peer, makes that negative and nngcat dies with "Cannot set
  // recv timeout: Invalid argument" (see spcat-grid-issues.ts). PAIR and BUS
  // cells, where nngcat both sends and receives repeatedly, give it a 5 s
  // interval: the cell is over long before the first round ends.
  const symmetric = row.peer === row.spcat;
  const pInterval = ["--interval", nng ? (symmetric ? "5" : "1") : "0.3"];
  const pProto = nng ? `--${row.peer}` : `--${row.peer.replace(/[01]$/, "")}`;
  const pCount = (n: number) => (nng ? ["--count", String(n)] : []);
  const atSpcat = printed("spcat", p.peerBody, raw);
  const atPeer = printed(tool, p.spcatBody, raw);
  const s = (...a: string[]) => [`--${row.spcat}`, ...sEp, ...a];
  const q = (...a: string[]) => [pProto, ...pEp, ...a];
  switch (row.spcat) {
    case "req0":
      return {
        spcat: s(...sSrc, ...sFmt, "--delay", "0.1", "--recv-timeout", "10"),
        peer: q(...pSrc, ...pFmt, ...pCount(1)),
        expect: [
          { side: "spcat", unit: atSpcat, exact: 1 },
          { side: "peer", unit: atPeer, exact: 1 },
        ],
        spcatExits: true,
      };
    case "rep0":
      return {
        spcat: s(...sSrc, ...sFmt, "--count", "1"),
        peer: q(...pSrc, ...pFmt),
        expect: [
          { side: "spcat", unit: atSpcat, exact: 1 },
          { side: "peer", unit: atPeer, exact: 1 },
        ],
        spcatExits: true,
      };
    case "pub0":
      return {
        spcat: s(...sSrc, "--delay", "0.1", "--interval", "0.3", "--count", "40"),
        peer: q("--subscribe", "topic-from-spcat", ...pFmt, ...pCount(1)),
        expect: [{ side: "peer", unit: atPeer, ...(nng ? { exact: 1 } : {}) }],
        spcatExits: false,
      };
    case "sub0":
      return {
        spcat: s("--subscribe", "topic-from-peer", ...sFmt, "--count", "2"),
        peer: q(...pSrc, ...pInterval),
        expect: [{ side: "spcat", unit: atSpcat, exact: 2 }],
        spcatExits: true,
      };
    case "push0":
      return {
        spcat: s(...sSrc, "--delay", "0.1", "--interval", "0.3", "--count", "2"),
        peer: q(...pFmt, ...pCount(2)),
        expect: [{ side: "peer", unit: atPeer, exact: 2 }],
        spcatExits: true,
      };
    case "pull0":
      return {
        spcat: s(...sFmt, "--count", "2"),
        peer: q(...pSrc, ...pInterval),
        expect: [{ side: "spcat", unit: atSpcat, exact: 2 }],
        spcatExits: true,
      };
    case "surveyor0":
      return {
        spcat: s(...sSrc, ...sFmt, "--delay", "0.1", "--interval", "0.5", "--count", "30"),
        peer: q(...pSrc, ...pFmt, ...pCount(1)),
        expect: [
          { side: "spcat", unit: atSpcat },
          { side: "peer", unit: atPeer, ...(nng ? { exact: 1 } : {}) },
        ],
        spcatExits: false,
      };
    case "respondent0":
      return {
        spcat: s(...sSrc, ...sFmt, "--count", "1"),
        // nngcat's first survey waits a second, until spcat's pipe is attached (see
        // spcat-grid-issues.ts: about once in 300 cells nngcat sent no survey at all on
        // a pipe that attached while its first survey ran).
        peer: q(...pSrc, ...pFmt, ...pInterval, ...(nng ? ["--delay", "1"] : [])),
        expect: [
          { side: "spcat", unit: atSpcat, exact: 1 },
          { side: "peer", unit: atPeer, exact: 1 },
        ],
        spcatExits: true,
      };
    default:
      // PAIR v0/v1 and BUS: both send repeatedly and print what the other sent.
      return {
        spcat: s(...sSrc, ...sFmt, "--delay", "0.1", "--interval", "0.3", "--count", "40"),
        peer: q(...pSrc, ...pFmt, ...pInterval),
        expect: [
          { side: "spcat", unit: atSpcat },
          { side: "peer", unit: atPeer },
        ],
        spcatExits: false,
      };
  }
}

/** How many whole copies of `unit` `out` is (0 when empty, -1 when it is something else). */
export function copiesOf(out: Buffer, unit: Buffer): number {
  if (out.length === 0) return 0;
  if (unit.length === 0 || out.length % unit.length !== 0) return -1;
  for (let i = 0; i < out.length; i += unit.length) {
    if (!out.subarray(i, i + unit.length).equals(unit)) return -1;
  }
  return out.length / unit.length;
}

/** How spcat is started: a bundle (fast start) or the sources through tsx. */
export interface SpcatLauncher {
  readonly command: string;
  readonly prefix: readonly string[];
  cleanup(): void;
}

/**
 * Bundles spcat into a temporary folder as its package build does
 * (spcat/build.ts).
 */
export async function bundledSpcat(): Promise<SpcatLauncher> {
  const { buildSpcat } = await import("../../spcat/build.ts");
  const dir = mkdtempSync(join(tmpdir(), "spcat-grid-"));
  const outfile = await buildSpcat(dir);
  return {
    command: process.execPath,
    prefix: [outfile],
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** spcat from its sources through tsx (slow start). */
export function sourceSpcat(): SpcatLauncher {
  const [command, prefix] = spcatCommand();
  return { command, prefix, cleanup() {} };
}

/** How long one cell may take (a passing cell ends as soon as it has its output). */
export const GRID_CELL_DEADLINE_MS = 20_000;

let seq = 0;

/** A fresh URL; nanocat cannot listen on a ws:// URL with a path (it serves every path). */
async function cellUrl(cell: GridCell): Promise<{ url: string; port?: number; path?: string }> {
  if (cell.row.scheme === "ipc") {
    const path = join(tmpdir(), `spg-${process.pid}-${seq++}.sock`);
    rmSync(path, { force: true });
    return { url: `ipc://${path}`, path };
  }
  const port = await freePort();
  if (cell.row.scheme === "tcp") return { url: `tcp://127.0.0.1:${port}`, port };
  const nanocatListens = cell.tool === "nanocat" && !cell.row.spcatListens;
  return { url: `ws://127.0.0.1:${port}${nanocatListens ? "" : "/sp"}`, port };
}

function tail(b: Buffer): string {
  const s = JSON.stringify(b.toString("latin1"));
  return s.length > 160 ? `${s.slice(0, 160)}…` : s;
}

/** Runs one cell with spcat started by `spcat`; never throws. */
export async function runGridCell(cell: GridCell, spcat: SpcatLauncher): Promise<GridOutcome> {
  const t0 = Date.now();
  if (!cell.row.pair.peers.includes(cell.tool)) {
    return { status: "n.a.", detail: `${cell.tool} has no ${cell.row.peer}`, ms: 0 };
  }
  const n = seq++;
  const dir = mkdtempSync(join(tmpdir(), "spg-cell-"));
  const binary = cell.row.spcatListens;
  const spcatBody = payload("spcat", n, binary);
  const peerBody = payload("peer", n, binary);
  const spcatFile = join(dir, "spcat.bin");
  const peerFile = join(dir, "peer.bin");
  writeFileSync(spcatFile, spcatBody);
  writeFileSync(peerFile, peerBody);
  const killed = new Set<Running>();
  let s: Running | undefined;
  let q: Running | undefined;
  const deadline = t0 + GRID_CELL_DEADLINE_MS;
  let ipcPath: string | undefined;
  try {
    const addr = await cellUrl(cell);
    ipcPath = addr.path;
    const plan = planCell({ cell, url: addr.url, spcatFile, peerFile, spcatBody, peerBody });
    const life = GRID_CELL_DEADLINE_MS + 3000;
    const startSpcat = () => start(spcat.command, [...spcat.prefix, ...plan.spcat], life);
    const startPeer = () => start(peerCommand(cell.tool), plan.peer, life);
    const first = cell.row.spcatListens ? startSpcat() : startPeer();
    if (cell.row.spcatListens) s = first;
    else q = first;
    if (addr.path !== undefined) await waitForPath(addr.path, first, deadline - Date.now());
    else await waitForPort(addr.port ?? 0, first, deadline - Date.now());
    if (cell.row.spcatListens) q = startPeer();
    else s = startSpcat();
    const sp = s as Running;
    const pe = q as Running;
    const out = (side: "spcat" | "peer") => (side === "spcat" ? sp : pe).stdout();
    const seen = () =>
      plan.expect.every((e) => copiesOf(out(e.side), e.unit) >= (e.exact ?? 1)) &&
      (!plan.spcatExits || sp.child.exitCode !== null || sp.child.signalCode !== null);
    const bothGone = () => sp.child.exitCode !== null && pe.child.exitCode !== null;
    while (!seen() && !bothGone() && Date.now() < deadline) await sleep(30);
    // Before anything is killed: were the two sides ever connected?
    const sockets =
      addr.port !== undefined && !seen()
        ? [describePort(addr.port), portTraffic(addr.port)].filter((x) => x !== "").join("; ")
        : undefined;
    for (const r of [sp, pe]) {
      if (r.child.exitCode === null && r.child.signalCode === null) {
        killed.add(r);
        r.child.kill("SIGKILL");
      }
    }
    const [sd, pd] = await Promise.all([sp.done, pe.done]);
    const problems: string[] = [];
    for (const e of plan.expect) {
      const got = e.side === "spcat" ? sd.stdout : pd.stdout;
      const k = copiesOf(got, e.unit);
      const ok = e.exact === undefined ? k >= 1 : k === e.exact;
      if (!ok) {
        const want = `${e.exact ?? "≥1"}× ${tail(e.unit)}`;
        problems.push(
          `${e.side === "spcat" ? "spcat" : cell.tool} printed ${tail(got)}, not ${want}`,
        );
      }
    }
    if (sd.stderr.length > 0) problems.push(`spcat stderr: ${sd.stderr.toString().trim()}`);
    if (!killed.has(sp) && sd.code !== 0)
      problems.push(`spcat exited with ${sd.code ?? sd.signal}`);
    if (plan.spcatExits && killed.has(sp)) problems.push("spcat did not stop by itself");
    if (problems.length > 0 && pd.stderr.length > 0) {
      problems.push(`${cell.tool} stderr: ${pd.stderr.toString().trim()}`);
    }
    if (problems.length > 0 && sockets !== undefined) problems.push(`sockets: ${sockets}`);
    return verdict(cell, problems, Date.now() - t0);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return verdict(cell, [why], Date.now() - t0);
  } finally {
    for (const r of [s, q])
      if (r !== undefined && r.child.exitCode === null) r.child.kill("SIGKILL");
    await Promise.all([s?.done, q?.done]);
    rmSync(dir, { recursive: true, force: true });
    if (ipcPath !== undefined) rmSync(ipcPath, { force: true });
  }
}

/** Pass, fail, or a failure with a known upstream cause. */
function verdict(cell: GridCell, problems: string[], ms: number): GridOutcome {
  if (problems.length === 0) return { status: "pass", detail: "", ms };
  const known = knownGridIssue(cell);
  const detail = problems.join("; ");
  if (known !== undefined) return { status: "explained", detail: `${known.issue}: ${detail}`, ms };
  return { status: "fail", detail, ms };
}

/** A tiny pool: runs `jobs` with at most `n` at once, results in order. */
export async function pool<T>(jobs: readonly (() => Promise<T>)[], n: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await (jobs[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, jobs.length) }, worker));
  return results;
}

/** Options of {@link runGrid}. */
export interface GridOptions {
  /** Cells at once (default 4). */
  readonly jobs?: number;
  /** Only cells whose key contains this text. */
  readonly filter?: string;
  /** Run spcat through tsx rather than a bundle. */
  readonly source?: boolean;
}

/** Runs the grid; resolves with every outcome (by cell key) and the printed table. */
export async function runGrid(
  opts: GridOptions = {},
): Promise<{ results: Map<string, GridOutcome>; text: string; ms: number }> {
  const t0 = Date.now();
  const cells = gridCells().filter((c) => gridCellKey(c).includes(opts.filter ?? ""));
  const spcat = opts.source ? sourceSpcat() : await bundledSpcat();
  try {
    const outcomes = await pool(
      cells.map((c) => () => runGridCell(c, spcat)),
      opts.jobs ?? 4,
    );
    const results = new Map(cells.map((c, i) => [gridCellKey(c), outcomes[i] as GridOutcome]));
    return { results, text: renderGrid(results), ms: Date.now() - t0 };
  } finally {
    spcat.cleanup();
  }
}

function mark(o: GridOutcome | undefined): string {
  if (o === undefined) return "";
  switch (o.status) {
    case "pass":
      return `ok ${(o.ms / 1000).toFixed(1)}s`;
    case "n.a.":
      return "n.a.";
    case "explained":
      return `upstream ${o.detail.split(":")[0]}`;
    default:
      return "FAIL";
  }
}

/** The table: one line per row that has a result, a column per peer, then the failures. */
export function renderGrid(results: ReadonlyMap<string, GridOutcome>): string {
  const rows = gridRows().filter((r) =>
    gridPeers.some((tool) => results.has(gridCellKey({ row: r, tool }))),
  );
  const labels = rows.map(gridRowLabel);
  const w = Math.max(30, ...labels.map((l) => l.length));
  const lines = [`${"".padEnd(w)} | ${gridPeers.map((p) => p.padEnd(22)).join(" | ")}`];
  lines.push(`${"-".repeat(w)}-+-${gridPeers.map(() => "-".repeat(22)).join("-+-")}`);
  rows.forEach((row, i) => {
    const cols = gridPeers.map((tool) => mark(results.get(gridCellKey({ row, tool }))).padEnd(22));
    lines.push(`${(labels[i] as string).padEnd(w)} | ${cols.join(" | ")}`);
  });
  const all = [...results.values()];
  const count = (s: GridOutcome["status"]) => all.filter((o) => o.status === s).length;
  lines.push("");
  lines.push(
    `${count("pass")} passed, ${count("fail")} failed, ${count("explained")} explained (upstream), ${count("n.a.")} n.a.`,
  );
  for (const [key, o] of results) {
    if (o.status === "fail" || o.status === "explained")
      lines.push(`${o.status}: ${key}: ${o.detail}`);
  }
  for (const note of gridNotes) lines.push(`note: ${note}`);
  return lines.join("\n");
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { text, ms } = await runGrid({
    jobs: Number(argValue("--jobs") ?? 4),
    filter: argValue("--filter"),
    source: process.argv.includes("--source"),
  });
  console.log(text);
  console.log(`\ngrid took ${(ms / 1000).toFixed(1)} s`);
}
