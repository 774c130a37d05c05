/**
 * The interop matrix: every protocol pair × transport × direction the
 * reference offers right now, against nngcat and nanocat. Each applicable cell
 * is one test; the matrix is printed at the end, with the rows the reference
 * does not have yet listed separately.
 */
import { afterAll, describe, expect, it } from "vitest";
import { runCell } from "./cells.ts";
import { killAll, peer } from "./harness.ts";
import {
  allRows,
  applicable,
  type CellResult,
  cellKey,
  defectOf,
  mark,
  missingFor,
  peerNames,
  plannedRows,
  renderMatrix,
  rowLabel,
} from "./matrix.ts";
import { peerArgs } from "./peers.ts";
import { cellEnv, limiter, MATRIX_CONCURRENCY, plannedCells } from "./run-matrix.ts";

const cells = plannedCells();
const env = cellEnv(cells);
const limit = limiter(MATRIX_CONCURRENCY);
const results = new Map<string, CellResult>();

afterAll(async () => {
  env.cleanup();
  await killAll();
  const { runnable, notYet } = plannedRows();
  console.log(`\nInterop matrix\n\n${renderMatrix(runnable, results, notYet)}\n`);
});

describe("matrix bookkeeping", () => {
  it("covers 7 pairs × 4 transports × both directions, each role of asymmetric pairs", () => {
    const rows = allRows();
    expect(rows).toHaveLength((4 * 2 + 3) * 4 * 2);
    expect(new Set(rows.map(rowLabel)).size).toBe(rows.length);
  });

  it("a row needs both protocols and the transport in the registries", () => {
    const row = allRows().find((r) => r.ref === "pub0" && r.transport.scheme === "ipc");
    expect(row).toBeDefined();
    if (row === undefined) return;
    expect(missingFor(row, new Set(["pub0", "sub0"]), new Set(["ipc"]))).toBeUndefined();
    expect(missingFor(row, new Set(["pub0"]), new Set(["tcp"]))).toBe("sub0, ipc://");
  });

  it("nanomsg has neither PAIR v1 nor TLS", () => {
    for (const row of allRows()) {
      const na = row.pair.id === "pair1" || row.transport.scheme === "tls+tcp";
      expect(applicable({ row, peer: "nanomsg" })).toBe(!na);
      expect(applicable({ row, peer: "nng" })).toBe(true);
      if (na) expect(mark({ row, peer: "nanomsg" }, undefined)).toBe("n.a.");
    }
  });

  it("the printer marks ✓, ✗ and n.a. and lists what the reference lacks", () => {
    const rows = allRows().filter((r) => r.pair.id === "pair1" && r.transport.scheme === "tcp");
    const [listens, dials] = rows;
    if (listens === undefined || dials === undefined) throw new Error("no pair1 tcp rows");
    const res = new Map<string, CellResult>([
      [cellKey({ row: listens, peer: "nng" }), { ok: true, detail: "", ms: 1 }],
      [cellKey({ row: dials, peer: "nng" }), { ok: false, detail: "x", ms: 1 }],
    ]);
    const text = renderMatrix(rows, res, [{ row: listens, missing: "pair1" }]);
    expect(text).toMatch(/pair1 · tcp · ref pair1 listens +\| ✓ +\| n\.a\./);
    expect(text).toMatch(/pair1 · tcp · ref pair1 dials +\| ✗ +\| n\.a\./);
    expect(text).toContain("cells: 1 ✓, 1 ✗, 2 n.a.");
    expect(text).toContain("not yet implemented in the reference (1 rows):\n  - pair1: 1 rows");
  });

  it("peer command lines use each tool's spelling", () => {
    const end = { protocol: "bus0", mode: "dial", url: "ipc:///tmp/x", data: "d" } as const;
    expect(peerArgs("nng", { ...end, intervalSec: 0.25 })).toEqual([
      "--bus0",
      "--dial",
      "ipc:///tmp/x",
      "--data",
      "d",
      "--interval",
      "1",
      "--quoted",
    ]);
    expect(peerArgs("nanomsg", { ...end, intervalSec: 0.25 })).toEqual([
      "--bus",
      "--connect",
      "ipc:///tmp/x",
      "--data",
      "d",
      "--interval",
      "0.25",
      "--quoted",
    ]);
    expect(peerArgs("nng", { protocol: "pub0", mode: "listen", url: "tcp://h:1" })).toEqual([
      "--pub0",
      "--listen",
      "tcp://h:1",
    ]);
  });
});

describe.concurrent("interop cells", () => {
  it("the peers are installed", () => {
    for (const p of peerNames) expect(peer(p === "nng" ? "nngcat" : "nanocat")).toBeTruthy();
  });

  it.each(cells.map((c) => [cellKey(c), c] as const))(
    "%s",
    async (key, cell) => {
      const r = await limit(() => runCell(cell, env));
      results.set(key, r);
      const defect = defectOf(cell);
      if (defect === undefined) {
        expect(r.ok, r.detail).toBe(true);
      } else {
        expect(r.ok, `${defect.issue} no longer reproduces: drop it from knownDefects`).toBe(false);
      }
    },
    120_000,
  );
});
