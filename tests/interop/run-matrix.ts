/**
 * Runs the whole interop matrix with limited concurrency and prints it.
 * Used by `matrix.test.ts`, and runnable on its own:
 *
 *     node --import tsx tests/interop/run-matrix.ts
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { makeTestCerts } from "../../testkit/certs.ts";
import { type CellEnv, runCell } from "./cells.ts";
import {
  applicable,
  type Cell,
  type CellResult,
  cellKey,
  peerNames,
  plannedRows,
  renderMatrix,
} from "./matrix.ts";

/** How many cells run at once (the machine has 2 cores; cells mostly wait). */
export const MATRIX_CONCURRENCY = 6;

/** A tiny counting semaphore. */
export function limiter(n: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(job: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await job();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

/** Every applicable cell of the rows the reference can run now. */
export function plannedCells(): Cell[] {
  const cells: Cell[] = [];
  for (const row of plannedRows().runnable) {
    for (const peer of peerNames) if (applicable({ row, peer })) cells.push({ row, peer });
  }
  return cells;
}

/** The environment cells need: TLS material when a TLS row is planned. */
export function cellEnv(cells: readonly Cell[]): CellEnv & { cleanup(): void } {
  if (!cells.some((c) => c.row.transport.scheme === "tls+tcp")) return { cleanup() {} };
  const certs = makeTestCerts();
  return { certs, cleanup: () => certs.cleanup() };
}

/** Runs every planned cell; resolves with the results and the printed matrix. */
export async function runMatrix(): Promise<{ results: Map<string, CellResult>; text: string }> {
  const cells = plannedCells();
  const env = cellEnv(cells);
  const limit = limiter(MATRIX_CONCURRENCY);
  const results = new Map<string, CellResult>();
  try {
    await Promise.all(
      cells.map((c) => limit(async () => results.set(cellKey(c), await runCell(c, env)))),
    );
  } finally {
    env.cleanup();
  }
  const { runnable, notYet } = plannedRows();
  return { results, text: renderMatrix(runnable, results, notYet) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  const { results, text } = await runMatrix();
  console.log(text);
  for (const [key, r] of results) if (!r.ok) console.log(`✗ ${key}: ${r.detail}`);
  console.log(`\n${results.size} cells in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
