/**
 * Finds imports that point the wrong way between rooms (rules.ts) and import
 * cycles among the files that ship or run (test files are left out of the
 * cycle search).
 */
import { cycles, type Edge, importEdges } from "./graph.ts";
import {
  allowed,
  allowedInTests,
  conformanceForTestkit,
  isTestFile,
  noTestkitInTests,
  referenceImportersInConformance,
  roomOf,
} from "./rules.ts";

export interface LayerReport {
  readonly upward: readonly (Edge & { why: string })[];
  readonly cycles: readonly string[][];
}

export function checkLayers(files: ReadonlyMap<string, string>): LayerReport {
  const edges = importEdges(files);
  const upward: (Edge & { why: string })[] = [];
  for (const e of edges) {
    const from = roomOf(e.from);
    const to = roomOf(e.to);
    if (from === null || to === null || from === to) continue;
    const testException =
      isTestFile(e.from) &&
      allowedInTests.includes(to) &&
      !(to === "testkit" && noTestkitInTests.includes(from));
    const ok = allowed[from].includes(to) || testException;
    if (!ok) {
      upward.push({ ...e, why: `${from}/ may not import from ${to}/` });
    } else if (
      from === "conformance" &&
      to === "reference" &&
      !isTestFile(e.from) &&
      !e.from.startsWith(referenceImportersInConformance)
    ) {
      upward.push({ ...e, why: "only conformance/adapters/reference/ may import the library" });
    } else if (
      from === "testkit" &&
      to === "conformance" &&
      !e.to.startsWith(conformanceForTestkit)
    ) {
      upward.push({ ...e, why: `testkit/ may import only ${conformanceForTestkit}` });
    }
  }
  const shipped = [...files.keys()].filter((f) => !isTestFile(f));
  const shippedSet = new Set(shipped);
  const inner = edges.filter((e) => shippedSet.has(e.from) && shippedSet.has(e.to));
  return { upward, cycles: cycles(shipped, inner) };
}
