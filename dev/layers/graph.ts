/**
 * The import graph of the repository's own files: every relative specifier in
 * a static import/export, a dynamic `import("…")` or a `new URL("…",
 * import.meta.url)` of a module, resolved to a repository path.
 */
import { posix } from "node:path";

export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly line: number;
}

const SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\bexport\s+\*\s+from\s*)(["'])(\.{1,2}\/[^"'\n]+)\1/g;

/** The relative module specifiers of one file, with their line numbers. */
export function specifiers(text: string): { spec: string; line: number }[] {
  const out: { spec: string; line: number }[] = [];
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[2] as string;
    if (!/\.[cm]?[jt]s$|\.json$/.test(spec)) continue;
    const line = text.slice(0, m.index).split("\n").length;
    out.push({ spec, line });
  }
  return out;
}

/** Resolves the edges of `files` (path → text); edges to files not listed are dropped. */
export function importEdges(files: ReadonlyMap<string, string>): Edge[] {
  const edges: Edge[] = [];
  for (const [from, text] of files) {
    for (const { spec, line } of specifiers(text)) {
      const to = posix.normalize(posix.join(posix.dirname(from), spec));
      if (files.has(to)) edges.push({ from, to, line });
    }
  }
  return edges;
}

/** Strongly connected groups of more than one file (Tarjan), each sorted. */
export function cycles(nodes: Iterable<string>, edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const groups: string[][] = [];
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return groups;
}
