/**
 * `npx tsx tools/trace/covers.ts [--seed N | --seeds 1,2,3] [--lanes N] [--filter TEXT] [--json FILE] [--all]`
 *
 * Runs every conformance case against the reference in this process, one at
 * a time, records the draft-table transitions the reference walks during each
 * (tools/trace/walked.ts), and prints:
 * - claims that do not hold: a transition in a case's `covers` it did not walk;
 * - untraced cases, with the reason;
 * - transitions some case walks but no case claims, with the cases;
 * - per machine: transitions claimed, and claimed-and-walked.
 * With several seeds, a claim counts as walked when every seed walked it, and
 * rows walked under some seeds only are listed. `--all` also prints every
 * case's walk. `--lanes N` runs N cases at a time (default 1). Exit status 1
 * when some claim does not hold.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { allCases } from "../../conformance/cases/index.ts";
import { allTransitions } from "../../spec/machines/index.ts";
import { type CaseWalk, TransitionWalker } from "./walked.ts";

const { values } = parseArgs({
  options: {
    seed: { type: "string" },
    seeds: { type: "string" },
    lanes: { type: "string" },
    filter: { type: "string" },
    json: { type: "string" },
    all: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});

if (values.help) {
  console.log(
    "usage: npx tsx tools/trace/covers.ts [--seed N | --seeds 1,2,3] [--lanes N] [--filter TEXT] [--json FILE] [--all]",
  );
  process.exit(0);
}

const seeds = (values.seeds ?? values.seed ?? "1").split(",").map((s) => Number(s.trim()));
if (seeds.some((s) => !Number.isInteger(s))) {
  console.error(`covers: bad seed list ${values.seeds ?? values.seed}`);
  process.exit(2);
}
const lanes = Number(values.lanes ?? "1");
const filter = values.filter;
const cases = allCases.filter((c) => !filter || c.id.includes(filter));

/** Walks by seed, then by case id. */
const bySeed = new Map<number, Map<string, CaseWalk>>();
const walker = new TransitionWalker();
const started = performance.now();
for (const seed of seeds) {
  const walks = await walker.runAll(cases, {
    seed,
    lanes,
    onWalk: (w) =>
      process.stderr.write(`seed ${seed} ${w.verdict.padEnd(11)} ${w.id} (${w.durationMs} ms)\n`),
  });
  bySeed.set(seed, new Map(walks.map((w) => [w.id, w])));
}
await walker.close();
const seconds = ((performance.now() - started) / 1000).toFixed(1);

/** One walk per case: walked = walked under every seed; `someSeeds` = walked under some only. */
const merged = cases.map((c) => {
  const runs = seeds.map((s) => bySeed.get(s)?.get(c.id) as CaseWalk);
  const first = runs[0] as CaseWalk;
  const untraced = runs.find((r) => r.untraced !== undefined)?.untraced;
  const every = first.walked.filter((id) => runs.every((r) => r.walked.includes(id)));
  const some = [...new Set(runs.flatMap((r) => r.walked))].filter((id) => !every.includes(id));
  const walkedSet = new Set(every);
  return {
    ...first,
    ...(untraced !== undefined ? { untraced } : {}),
    walked: every,
    someSeeds: some.sort(),
    missing: untraced === undefined ? first.claimed.filter((id) => !walkedSet.has(id)) : [],
    unclaimed: every.filter((id) => !first.claimed.includes(id)),
    unknown: [...new Set(runs.flatMap((r) => r.unknown))].sort(),
  };
});

const out: string[] = [];
const say = (line = "") => out.push(line);
say(
  `# covers check: ${cases.length} cases, seed${seeds.length > 1 ? "s" : ""} ${seeds.join(",")}, ${lanes} lane(s), ${seconds} s`,
);
say();
const wrong = merged.filter((w) => w.missing.length > 0);
say(`## claims not walked (${wrong.reduce((n, w) => n + w.missing.length, 0)})`);
for (const w of wrong) say(`${w.id}: ${w.missing.join(" ")}`);
say();
const untraced = merged.filter((w) => w.untraced !== undefined);
say(`## untraced cases (${untraced.length})`);
for (const w of untraced) {
  say(`${w.id}: ${w.untraced}${w.claimed.length ? ` [claims ${w.claimed.join(" ")}]` : ""}`);
}
say();
const traced = merged.filter((w) => w.untraced === undefined);
const claimedAnywhere = new Set(merged.flatMap((w) => w.claimed));
const unclaimed = allTransitions.filter(
  (t) => !claimedAnywhere.has(t.id) && traced.some((w) => w.walked.includes(t.id)),
);
say(`## walked but claimed by no case (${unclaimed.length})`);
for (const t of unclaimed) {
  const by = traced.filter((w) => w.walked.includes(t.id)).map((w) => w.id);
  say(`${t.id}: ${by.slice(0, 6).join(" ")}${by.length > 6 ? ` (+${by.length - 6})` : ""}`);
}
const varying = merged.filter((w) => w.someSeeds.length > 0);
if (seeds.length > 1) {
  say();
  say(`## walked under some seeds only (${varying.length} cases)`);
  for (const w of varying) say(`${w.id}: ${w.someSeeds.join(" ")}`);
}
const unknown = [...new Set(merged.flatMap((w) => w.unknown))];
if (unknown.length > 0) {
  say();
  say(`## transitions matching no table row: ${unknown.join(" ")}`);
}
if (walker.unattributed.size > 0) {
  say();
  say(`## walked outside any case: ${[...walker.unattributed.keys()].join(" ")}`);
}
if (walker.late.size > 0) {
  say();
  say(`## walked after the case ended (not counted): ${walker.late.size}`);
  for (const k of walker.late.keys()) say(k);
}
say();
say("## per machine: rows, claimed, claimed and walked, walked by some case");
const machines = [...new Set(allTransitions.map((t) => t.machine))];
let totals = [0, 0, 0, 0];
for (const m of machines) {
  const rows = allTransitions.filter((t) => t.machine === m).map((t) => t.id);
  const claimed = rows.filter((id) => claimedAnywhere.has(id));
  const verified = claimed.filter((id) =>
    traced.some((w) => w.claimed.includes(id) && w.walked.includes(id)),
  );
  const walked = rows.filter((id) => traced.some((w) => w.walked.includes(id)));
  const row = [rows.length, claimed.length, verified.length, walked.length];
  totals = totals.map((n, i) => n + (row[i] ?? 0));
  say(`${m.padEnd(12)} ${row.join("  ")}`);
}
say(`${"total".padEnd(12)} ${totals.join("  ")}`);
if (values.all) {
  say();
  say("## every case");
  for (const w of merged) say(`${w.id} [${w.verdict}]: ${w.walked.join(" ") || "(nothing)"}`);
}
console.log(out.join("\n"));
if (values.json) {
  writeFileSync(values.json, `${JSON.stringify({ seeds, cases: merged }, null, 2)}\n`);
}
// Sockets of failed cases may keep timers alive; the report is out.
process.exit(wrong.length > 0 ? 1 : 0);
