/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time per
 * function and per file, top entries first.
 *
 *   npx tsx dev/bench/profile-summary.ts FILE.cpuprofile [TOP]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/**
 * Self time (ms) per function (`name file:line`) and per file, largest first.
 *
 * @example
 * ```ts
 * const { byFunction } = summarize(JSON.parse(readFileSync("req.cpuprofile", "utf8")));
 * ```
 */
export function summarize(profile: {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}): {
  totalMs: number;
  byFunction: [string, number][];
  byFile: [string, number][];
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    const n = byId.get(id);
    if (!n) return;
    const url = n.callFrame.url
      .replace(/^.*\/(work\/main|node_modules)\//, "")
      .replace(/^file:\/\//, "");
    const name = `${n.callFrame.functionName || "(anonymous)"} ${url}:${n.callFrame.lineNumber + 1}`;
    fn.set(name, (fn.get(name) ?? 0) + ms);
    const f = url || n.callFrame.functionName;
    file.set(f, (file.get(f) ?? 0) + ms);
  });
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs: total, byFunction: sorted(fn), byFile: sorted(file) };
}

if (process.argv[1]?.endsWith("profile-summary.ts")) {
  const [path, topArg = "25"] = process.argv.slice(2);
  if (!path) {
    console.error("usage: profile-summary.ts FILE.cpuprofile [TOP]");
    process.exit(2);
  }
  const s = summarize(JSON.parse(readFileSync(path, "utf8")));
  const pct = (ms: number) => `${((100 * ms) / s.totalMs).toFixed(1).padStart(5)}%`;
  console.log(`total ${s.totalMs.toFixed(0)} ms`);
  console.log("\nby function (self):");
  for (const [k, v] of s.byFunction.slice(0, Number(topArg))) console.log(`${pct(v)}  ${k}`);
  console.log("\nby file (self):");
  for (const [k, v] of s.byFile.slice(0, 15)) console.log(`${pct(v)}  ${k}`);
}
