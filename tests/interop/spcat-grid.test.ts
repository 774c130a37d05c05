/**
 * The spcat grid (spcat-grid.ts): spcat against nngcat and nanocat for every
 * protocol pair, both role assignments, over tcp, ipc and ws, each side
 * listening in turn. One test runs every cell (a small pool, 4 at a time) and
 * asserts each passed or failed for a listed upstream reason; the table is
 * printed either way. A missing peer command fails (never skips).
 */
import { describe, expect, it } from "vitest";
import { peer } from "./harness.ts";
import {
  copiesOf,
  type GridCell,
  gridCellKey,
  gridCells,
  gridPeers,
  gridRows,
  payload,
  planCell,
  renderGrid,
  runGrid,
} from "./spcat-grid.ts";

function cell(pair: string, spcat: string, listens: boolean, tool: "nngcat" | "nanocat"): GridCell {
  const row = gridRows().find(
    (r) =>
      r.pair.id === pair && r.spcat === spcat && r.scheme === "tcp" && r.spcatListens === listens,
  );
  if (row === undefined) throw new Error(`no row ${pair} ${spcat}`);
  return { row, tool };
}

function plan(c: GridCell) {
  const binary = c.row.spcatListens;
  return planCell({
    cell: c,
    url: "tcp://127.0.0.1:1",
    spcatFile: "/s",
    peerFile: "/p",
    spcatBody: payload("spcat", 0, binary),
    peerBody: payload("peer", 0, binary),
  });
}

describe("grid layout", () => {
  it("covers 7 pairs, both roles of the asymmetric ones, 3 transports, 2 sides, 2 peers", () => {
    // 3 symmetric pairs × 1 role + 4 asymmetric × 2 roles = 11 roles; × 3 × 2 = 66 rows.
    expect(gridRows()).toHaveLength(66);
    expect(gridCells()).toHaveLength(132);
    expect(gridPeers).toEqual(["nngcat", "nanocat"]);
  });

  it("plans byte-exact raw output when spcat listens and ascii when it dials", () => {
    const listen = plan(cell("req/rep", "req0", true, "nanocat"));
    expect(listen.spcat).toEqual(expect.arrayContaining(["--format", "raw", "--file", "/s"]));
    expect(listen.peer).toEqual(expect.arrayContaining(["--rep", "--raw"]));
    expect(listen.peer).toContain("--connect");
    const dial = plan(cell("req/rep", "req0", false, "nanocat"));
    expect(dial.spcat).toEqual(expect.arrayContaining(["--format", "ascii", "--dial"]));
    expect(dial.peer).toEqual(expect.arrayContaining(["--bind", "--ascii"]));
    // nanocat ends an ascii message with a newline, nngcat and spcat do not.
    const atNanocat = dial.expect.find((e) => e.side === "peer");
    expect(atNanocat?.unit.toString("latin1").endsWith("\n")).toBe(true);
  });

  it("gives SUB a --subscribe prefix of the payload and nngcat whole-second intervals", () => {
    const sub = plan(cell("pub/sub", "sub0", true, "nngcat"));
    expect(sub.spcat).toEqual(expect.arrayContaining(["--subscribe", "topic-from-peer"]));
    expect(sub.peer).toEqual(expect.arrayContaining(["--pub0", "--interval", "1"]));
    expect(payload("peer", 3, true).subarray(0, 15).toString()).toBe("topic-from-peer");
  });

  it("prints a row per protocol/transport/side, a column per peer, and marks explained cells", () => {
    const [a, b] = gridCells();
    if (a === undefined || b === undefined) throw new Error("no cells");
    const text = renderGrid(
      new Map([
        [gridCellKey(a), { status: "pass", detail: "", ms: 1200 } as const],
        [gridCellKey(b), { status: "explained", detail: "nng#1: peer died", ms: 9 } as const],
      ]),
    );
    expect(text).toContain("nngcat");
    expect(text).toMatch(/pair0 · tcp · spcat pair0 listens\s+\| ok 1\.2s\s+\| upstream nng#1/);
    expect(text).toContain("1 passed, 0 failed, 1 explained (upstream), 0 n.a.");
  });

  it("counts whole copies of a unit", () => {
    const u = Buffer.from("ab");
    expect(copiesOf(Buffer.from(""), u)).toBe(0);
    expect(copiesOf(Buffer.from("abab"), u)).toBe(2);
    expect(copiesOf(Buffer.from("aba"), u)).toBe(-1);
    expect(copiesOf(Buffer.from("abba"), u)).toBe(-1);
  });
});

describe("spcat ↔ nngcat/nanocat grid", () => {
  it("the peer commands are installed", () => {
    expect(peer("nngcat")).toBeTruthy();
    expect(peer("nanocat")).toBeTruthy();
  });

  it("every cell passes, or fails for a listed upstream reason", async () => {
    const { results, text, ms } = await runGrid({ jobs: 4 });
    console.log(`${text}\ngrid took ${(ms / 1000).toFixed(1)} s`);
    const failed = [...results].filter(([, o]) => o.status === "fail");
    expect(failed.map(([k, o]) => `${k}: ${o.detail}`)).toEqual([]);
    // Every applicable cell ran: only PAIR v1 against nanocat is n.a.
    const na = [...results].filter(([, o]) => o.status === "n.a.").map(([k]) => k);
    expect(na).toHaveLength(6);
    for (const k of na) expect(k).toMatch(/^pair1 .* nanocat$/);
  }, 400_000);
});
