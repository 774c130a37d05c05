/**
 * The interop matrix: which protocol pairs, transports and directions the
 * reference completes an exchange in, against nng (nngcat) and nanomsg
 * (nanocat).
 *
 * A row is a protocol pair, the protocol the reference plays, a transport and
 * whether the reference listens or dials; the columns are the peers. A cell is
 * `n.a.` where the peer lacks the protocol or transport (nanomsg has no PAIR v1
 * and no TLS). Rows whose protocol or transport the reference does not offer
 * yet are not cells at all: {@link plannedRows} lists them as "not yet
 * implemented", read from the registries at run time.
 *
 * @module
 */
import { protocolFactories } from "../../reference/protocols.ts";
import { defaultTransports } from "../../reference/transports.ts";
import type { PeerName } from "./peers.ts";

/** A protocol pair of the matrix. */
export interface PairSpec {
  /** Row label, e.g. `req/rep`. */
  readonly id: string;
  /** The two versioned protocol names (equal for symmetric protocols). */
  readonly protocols: readonly [string, string];
  /** Peers that have the protocol. */
  readonly peers: readonly PeerName[];
}

/** Every pair the matrix covers. */
export const pairs: readonly PairSpec[] = [
  { id: "req/rep", protocols: ["req0", "rep0"], peers: ["nng", "nanomsg"] },
  { id: "pub/sub", protocols: ["pub0", "sub0"], peers: ["nng", "nanomsg"] },
  { id: "push/pull", protocols: ["push0", "pull0"], peers: ["nng", "nanomsg"] },
  { id: "pair0", protocols: ["pair0", "pair0"], peers: ["nng", "nanomsg"] },
  { id: "pair1", protocols: ["pair1", "pair1"], peers: ["nng"] },
  { id: "bus", protocols: ["bus0", "bus0"], peers: ["nng", "nanomsg"] },
  {
    id: "surveyor/respondent",
    protocols: ["surveyor0", "respondent0"],
    peers: ["nng", "nanomsg"],
  },
];

/** A transport of the matrix, by URL scheme. */
export interface TransportSpec {
  readonly scheme: "tcp" | "ipc" | "ws" | "tls+tcp";
  readonly peers: readonly PeerName[];
}

/** Every transport the matrix covers (TLS against nng only). */
export const transports: readonly TransportSpec[] = [
  { scheme: "tcp", peers: ["nng", "nanomsg"] },
  { scheme: "ipc", peers: ["nng", "nanomsg"] },
  { scheme: "ws", peers: ["nng", "nanomsg"] },
  { scheme: "tls+tcp", peers: ["nng"] },
];

/** The two peers, in column order. */
export const peerNames: readonly PeerName[] = ["nng", "nanomsg"];

/** One row: a pair, the reference's protocol, a transport, a direction. */
export interface Row {
  readonly pair: PairSpec;
  readonly transport: TransportSpec;
  /** The protocol the reference socket speaks. */
  readonly ref: string;
  /** The protocol the peer speaks. */
  readonly peer: string;
  readonly direction: "ref listens" | "ref dials";
}

/** A row label such as `req/rep · tcp · ref req0 listens`. */
export function rowLabel(r: Row): string {
  return `${r.pair.id} · ${r.transport.scheme} · ref ${r.ref} ${r.direction.replace("ref ", "")}`;
}

/** Every row of the full matrix, whether or not the reference has it yet. */
export function allRows(): Row[] {
  const rows: Row[] = [];
  for (const pair of pairs) {
    const [a, b] = pair.protocols;
    const roles: [string, string][] =
      a === b
        ? [[a, b]]
        : [
            [a, b],
            [b, a],
          ];
    for (const transport of transports) {
      for (const [ref, peer] of roles) {
        for (const direction of ["ref listens", "ref dials"] as const) {
          rows.push({ pair, transport, ref, peer, direction });
        }
      }
    }
  }
  return rows;
}

/** What the reference lacks for a row, or undefined when it can run. */
export function missingFor(
  row: Row,
  protocols: ReadonlySet<string> = new Set(Object.keys(protocolFactories)),
  schemes: ReadonlySet<string> = new Set(defaultTransports.map((t) => t.scheme)),
): string | undefined {
  const missing: string[] = [];
  for (const p of new Set([row.ref, row.peer])) if (!protocols.has(p)) missing.push(p);
  if (!schemes.has(row.transport.scheme)) missing.push(`${row.transport.scheme}://`);
  return missing.length === 0 ? undefined : missing.join(", ");
}

/** The rows split by whether the registries have what they need right now. */
export function plannedRows(): { runnable: Row[]; notYet: { row: Row; missing: string }[] } {
  const runnable: Row[] = [];
  const notYet: { row: Row; missing: string }[] = [];
  for (const row of allRows()) {
    const missing = missingFor(row);
    if (missing === undefined) runnable.push(row);
    else notYet.push({ row, missing });
  }
  return { runnable, notYet };
}

/** One cell: a row against one peer. */
export interface Cell {
  readonly row: Row;
  readonly peer: PeerName;
}

/** Whether the peer has the row's protocol and transport. */
export function applicable(cell: Cell): boolean {
  return cell.row.pair.peers.includes(cell.peer) && cell.row.transport.peers.includes(cell.peer);
}

/** A peer misbehaviour with its upstream issue. */
export interface KnownDefect {
  readonly peer: PeerName;
  /** Which cells it affects. */
  readonly affects: (row: Row) => boolean;
  /** Upstream issue, e.g. `nanomsg/nanomsg#1234`. */
  readonly issue: string;
  readonly note: string;
}

/**
 * Peer defects the matrix runs into. A cell listed here is still run; the
 * test expects it to fail (and fails itself when the defect is gone, so the
 * table stays true).
 */
export const knownDefects: readonly KnownDefect[] = [];

/** Differences of the peers the matrix works around (not defects, so no cell is marked). */
export const peerNotes: readonly string[] = [
  "nanomsg: no PAIR v1 and no tls+tcp:// (n.a.)",
  "nanomsg: nanocat cannot bind a ws:// URL with a path (EINVAL), so its listeners get none; nanomsg serves every path",
  "nng: nngcat durations are whole seconds, so its send intervals are 1 s",
];

/** The known defect of a cell, if any. */
export function defectOf(cell: Cell): KnownDefect | undefined {
  return knownDefects.find((d) => d.peer === cell.peer && d.affects(cell.row));
}

/** What one cell did. */
export interface CellResult {
  readonly ok: boolean;
  /** Why it failed, or a short note. */
  readonly detail: string;
  readonly ms: number;
}

/** The mark of a cell in the printed matrix. */
export function mark(cell: Cell, result: CellResult | undefined): string {
  if (!applicable(cell)) return "n.a.";
  if (result === undefined) return "?";
  const defect = defectOf(cell);
  const sign = result.ok ? "✓" : "✗";
  return defect === undefined ? sign : `${sign} (${defect.issue})`;
}

/**
 * Renders the matrix as text: one line per row, one column per peer, then the
 * rows not yet implemented and the known defects.
 *
 * @example
 * ```ts
 * console.log(renderMatrix(plannedRows().runnable, results, plannedRows().notYet));
 * ```
 */
export function renderMatrix(
  rows: readonly Row[],
  results: ReadonlyMap<string, CellResult>,
  notYet: readonly { row: Row; missing: string }[],
): string {
  const labels = rows.map(rowLabel);
  const width = Math.max(20, ...labels.map((l) => l.length));
  const cols = peerNames.map((p) => {
    const marks = rows.map((row) => mark({ row, peer: p }, results.get(cellKey({ row, peer: p }))));
    return { p, marks, w: Math.max(p.length, ...marks.map((m) => m.length)) };
  });
  const lines = [
    `${"row".padEnd(width)} | ${cols.map((c) => c.p.padEnd(c.w)).join(" | ")}`,
    `${"-".repeat(width)}-|-${cols.map((c) => "-".repeat(c.w)).join("-|-")}`,
  ];
  rows.forEach((_, i) => {
    const cells = cols.map((c) => (c.marks[i] ?? "").padEnd(c.w));
    lines.push(`${(labels[i] ?? "").padEnd(width)} | ${cells.join(" | ")}`);
  });
  const counts = { ok: 0, fail: 0, na: 0 };
  for (const row of rows) {
    for (const peer of peerNames) {
      const cell = { row, peer };
      if (!applicable(cell)) counts.na++;
      else if (results.get(cellKey(cell))?.ok) counts.ok++;
      else counts.fail++;
    }
  }
  lines.push("", `cells: ${counts.ok} ✓, ${counts.fail} ✗, ${counts.na} n.a.`);
  lines.push(
    "",
    `not yet implemented in the reference (${notYet.length} rows)${notYet.length ? ":" : ""}`,
  );
  if (notYet.length > 0) {
    const byMissing = new Map<string, number>();
    for (const n of notYet) byMissing.set(n.missing, (byMissing.get(n.missing) ?? 0) + 1);
    for (const [missing, n] of byMissing) lines.push(`  - ${missing}: ${n} rows`);
  }
  lines.push("", "peer notes:", ...peerNotes.map((n) => `  - ${n}`));
  lines.push("", "known peer defects:");
  if (knownDefects.length === 0) lines.push("  (none observed)");
  if (knownDefects.length > 0) {
    for (const d of knownDefects) lines.push(`  - ${d.peer}: ${d.issue} — ${d.note}`);
  }
  return lines.join("\n");
}

/** A stable key of a cell. */
export function cellKey(cell: Cell): string {
  return `${rowLabel(cell.row)} @ ${cell.peer}`;
}
