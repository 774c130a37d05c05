/**
 * Reads the tables the tools understand: machine tables, protocol numbers,
 * defaults and wire constants.
 */
import { type Ial, isDelimiterRow, plainCell, type SourceLine, splitRow } from "./blocks.ts";
import { ID_PATTERN } from "./sentences.ts";
import type {
  DefaultEntry,
  Diagnostic,
  MachineRow,
  MachineTable,
  ProtocolEntry,
  WireConstant,
} from "./types.ts";

export const MACHINE_COLUMNS = ["State", "Event", "Guard", "Actions", "Next", "Requirement"];
export const PROTOCOL_COLUMNS = ["Protocol", "Number", "Peer", "Name", "Peer name"];
export const DEFAULT_COLUMNS = ["Constant", "Value", "Requirement"];
export const WIRE_COLUMNS = ["Name", "Bytes", "Requirement"];

const NAME = /^[a-z][A-Za-z0-9]*$/;
const MACHINE_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** Result of reading one table: what it holds and the problems found. */
export type TableResult =
  | { kind: "machine"; machine: MachineTable }
  | { kind: "protocols"; entries: ProtocolEntry[] }
  | { kind: "defaults"; entries: DefaultEntry[] }
  | { kind: "wire"; entries: WireConstant[] }
  | { kind: "other" };

interface Body {
  header: string[];
  rows: { line: number; cells: string[] }[];
}

function readBody(lines: readonly SourceLine[], issues: Diagnostic[]): Body | null {
  const [head, delim, ...rest] = lines;
  if (!head) return null;
  const header = splitRow(head.text);
  if (!delim || !isDelimiterRow(delim.text)) {
    issues.push({
      line: head.line,
      message: "table has no delimiter row (|---|) after its header",
    });
    return null;
  }
  const rows: Body["rows"] = [];
  for (const r of rest) {
    const cells = splitRow(r.text).map(plainCell);
    if (cells.length !== header.length) {
      issues.push({
        line: r.line,
        message: `table row has ${cells.length} cells, header has ${header.length}`,
      });
      continue;
    }
    rows.push({ line: r.line, cells });
  }
  return { header, rows };
}

const sameColumns = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, k) => x === b[k]);

function splitIds(cell: string, line: number, issues: Diagnostic[]): string[] {
  const ids = cell
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const id of ids) {
    if (!new RegExp(`^${ID_PATTERN.source}$`).test(id)) {
      issues.push({ line, message: `"${id}" is not a requirement id (SP-NAME-N)` });
    }
  }
  return ids;
}

function parseNumber(cell: string): number | null {
  const t = cell.trim();
  if (/^0x[0-9a-fA-F]+$/.test(t)) return Number.parseInt(t, 16);
  if (/^-?\d+$/.test(t)) return Number.parseInt(t, 10);
  return null;
}

function checkEvent(event: string): string | null {
  if (event === "entry" || event === "always") return null;
  if (event.startsWith("after:")) {
    return NAME.test(event.slice(6)) ? null : `bad delay name in "${event}" (after:camelCaseName)`;
  }
  return NAME.test(event)
    ? null
    : `unknown Event syntax "${event}" (a camelCase name, entry, always or after:NAME)`;
}

function readMachine(id: string, ial: Ial, body: Body, issues: Diagnostic[]): MachineTable {
  const rows: MachineRow[] = [];
  const seen = new Map<string, number>();
  const unguarded = new Set<string>();
  for (const { line, cells } of body.rows) {
    const [state = "", event = "", guardCell = "", actionsCell = "", next = "", req = ""] = cells;
    const bad = (message: string) => issues.push({ line, message });
    if (!NAME.test(state)) bad(`bad State "${state}" (camelCase name; nested states unsupported)`);
    const eventProblem = checkEvent(event);
    if (eventProblem) bad(eventProblem);
    if (guardCell !== "" && !/^!?[a-z][A-Za-z0-9]*$/.test(guardCell)) {
      bad(`unknown Guard syntax "${guardCell}" (a camelCase name or !name)`);
    }
    const actions = actionsCell === "" ? [] : actionsCell.split(",").map((a) => a.trim());
    for (const a of actions) if (!NAME.test(a)) bad(`bad action name "${a}"`);
    if (next !== "" && !NAME.test(next)) bad(`bad Next "${next}"`);
    if (event === "entry" && next !== "") bad("an entry row must leave Next empty");
    if (event === "entry" && guardCell !== "") bad("an entry row takes no guard");
    const requirements = splitIds(req, line, issues);
    if (requirements.length === 0) bad("transition cites no requirement id");
    const key = `${state}:${event}${guardCell ? `[${guardCell}]` : ""}`;
    if (event !== "entry") {
      const prev = seen.get(key);
      if (prev !== undefined) bad(`duplicate transition ${id}:${key} (first at line ${prev})`);
      else seen.set(key, line);
      if (unguarded.has(`${state}:${event}`)) {
        bad(`unreachable row: an earlier ${state}/${event} row has no guard`);
      }
      if (guardCell === "") unguarded.add(`${state}:${event}`);
    }
    rows.push({
      line,
      state,
      event,
      guard: guardCell === "" ? null : guardCell,
      actions,
      next: next === "" ? null : next,
      requirements,
    });
  }
  if (rows.length === 0) issues.push({ line: ial.line, message: `machine "${id}" has no rows` });
  return { id, title: ial.title, line: body.rows[0] ? body.rows[0].line - 2 : ial.line, rows };
}

/**
 * Reads one table block and classifies it by its anchor and columns.
 * Problems are appended to `issues`.
 */
export function readTable(
  lines: readonly SourceLine[],
  ial: Ial | null,
  issues: Diagnostic[],
): TableResult {
  const first = lines[0];
  if (!first) return { kind: "other" };
  const header = splitRow(first.text);
  const anchor = ial?.anchor ?? null;
  const expect = (cols: string[], what: string): Body | null => {
    if (!sameColumns(header, cols)) {
      issues.push({
        line: first.line,
        message: `${what} table must have the columns | ${cols.join(" | ")} |`,
      });
      return null;
    }
    return readBody(lines, issues);
  };

  if (anchor?.startsWith("machine-") && ial) {
    const id = anchor.slice("machine-".length);
    if (!MACHINE_ID.test(id)) {
      issues.push({ line: ial.line, message: `bad machine id "${id}" (lower-case, dashes)` });
    }
    const body = expect(MACHINE_COLUMNS, "machine");
    return body
      ? { kind: "machine", machine: readMachine(id, ial, body, issues) }
      : { kind: "other" };
  }
  if (header.includes("State") && header.includes("Event")) {
    if (!sameColumns(header, MACHINE_COLUMNS)) {
      issues.push({
        line: first.line,
        message: `machine table must have the columns | ${MACHINE_COLUMNS.join(" | ")} |`,
      });
    } else {
      issues.push({
        line: first.line,
        message: 'machine table without an IAL naming it, e.g. {: #machine-req title="..."}',
      });
    }
    return { kind: "other" };
  }
  if (anchor === "protocol-numbers") {
    const body = expect(PROTOCOL_COLUMNS, "protocol-numbers");
    if (!body) return { kind: "other" };
    const entries: ProtocolEntry[] = [];
    for (const { line, cells } of body.rows) {
      const [key = "", num = "", peer = "", name = "", peerName = ""] = cells;
      const n = parseNumber(num);
      const p = parseNumber(peer);
      if (n === null || p === null) {
        issues.push({ line, message: "protocol Number and Peer must be integers (0x30 or 48)" });
        continue;
      }
      entries.push({ key, number: n, peer: p, name, peerName, line });
    }
    return { kind: "protocols", entries };
  }
  if (anchor === "defaults") {
    const body = expect(DEFAULT_COLUMNS, "defaults");
    if (!body) return { kind: "other" };
    const entries: DefaultEntry[] = [];
    for (const { line, cells } of body.rows) {
      const [name = "", value = "", req = ""] = cells;
      const v = parseNumber(value);
      if (!NAME.test(name) || v === null) {
        issues.push({ line, message: "defaults row needs a camelCase name and an integer value" });
        continue;
      }
      entries.push({ name, value: v, requirements: splitIds(req, line, issues), line });
    }
    return { kind: "defaults", entries };
  }
  if (anchor === "wire-constants") {
    const body = expect(WIRE_COLUMNS, "wire-constants");
    if (!body) return { kind: "other" };
    const entries: WireConstant[] = [];
    for (const { line, cells } of body.rows) {
      const [name = "", bytes = "", req = ""] = cells;
      const parts = bytes.split(/\s+/).filter((b) => b !== "");
      if (!/^[A-Z][A-Z0-9_]*$/.test(name) || !parts.every((b) => /^[0-9a-fA-F]{2}$/.test(b))) {
        issues.push({ line, message: "wire constant needs an UPPER_CASE name and hex bytes" });
        continue;
      }
      const values = parts.map((b) => Number.parseInt(b, 16));
      entries.push({ name, bytes: values, requirements: splitIds(req, line, issues), line });
    }
    return { kind: "wire", entries };
  }
  readBody(lines, issues);
  return { kind: "other" };
}
