/**
 * The HTML report (index.html): one self-contained page, inline CSS and JS,
 * no external assets and no network access.
 *
 * - A header with totals, requirement coverage and per-machine transition
 *   coverage.
 * - Verdict chips with their counts (per case × IUT result); pressing them
 *   filters the table. The filter box takes words such as `verdict:fail`,
 *   `SP-REQREP-*`, `family:reqrep`, `reqrep/*` or free text (filter.ts),
 *   and the URL keeps the filter (`#q=…`) so a view can be shared.
 * - A table of cases × IUTs coloured by verdict; every column sorts; each
 *   row has a permalink (`#case-<id>`) that scrolls to it and opens its
 *   details; clicking a verdict opens the details in a side panel: reason,
 *   notes, the transcript with decoded SP units and machine states, the
 *   IUT's stderr.
 * - Requirement ids link to an appendix with each requirement's key word,
 *   sentence, draft, section and source line (requirements.ts).
 *
 * Without JavaScript the page still reads: counts, table, permalinks and
 * the appendix are plain HTML (the details panel and filtering need the
 * script). Every text from results is escaped.
 */
import type { CaseKind } from "../cases/types.ts";
import {
  type CaseResult,
  type CaseRow,
  failsRun,
  isUnexpectedFail,
  isUnexpectedPass,
  type Results,
  type Summary,
  summarize,
} from "../runner/results.ts";
import { pageScript } from "./client.ts";
import { decodeTranscript } from "./decode.ts";
import { caseAnchor, esc, scriptJson } from "./escape.ts";
import type { RowFacts } from "./filter.ts";
import {
  type DraftLink,
  type RequirementEntry,
  reqLink,
  requirementIndex,
  requirementsAppendix,
} from "./requirements.ts";
import { machineStates } from "./states.ts";

export { esc } from "./escape.ts";

/** The permalink icon: a use of the page's one inline SVG symbol (no emoji font needed). */
const LINK_ICON = '<svg class="icon" aria-hidden="true"><use href="#i-link"></use></svg>';

/** The symbol {@link LINK_ICON} draws: two chain links. */
const ICON_SYMBOLS = `<svg hidden width="0" height="0"><symbol id="i-link" viewBox="0 0 16 16"><g fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round"><path d="M6.2 9.8l3.6-3.6"/><path d="M7.6 4.6l1.3-1.3a2.7 2.7 0 0 1 3.8 3.8l-1.3 1.3"/><path d="M8.4 11.4l-1.3 1.3a2.7 2.7 0 0 1-3.8-3.8l1.3-1.3"/></g></symbol></svg>`;

/** Options of {@link renderHtml}. */
export interface HtmlOptions {
  /** Where the appendix links a requirement's draft and line (drafts.ts); plain text without. */
  draftLink?: DraftLink;
  /** The requirement registry; spec/requirements.json by default. */
  requirements?: ReadonlyMap<string, RequirementEntry>;
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.2em;margin:1.5em 0 .4em}
.totals span{display:inline-block;margin-right:1em}
table{border-collapse:collapse}
th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3;position:sticky;top:0;z-index:1}
th button.sort{font:inherit;font-weight:600;border:0;background:none;padding:0;cursor:pointer;color:inherit}
th button.sort::after{content:" ↕";color:#aaa;font-weight:400}
th[aria-sort=ascending] button.sort::after{content:" ▲";color:#333}
th[aria-sort=descending] button.sort::after{content:" ▼";color:#333}
td.v{cursor:pointer;text-align:center;font-weight:600;min-width:5em}
td.v:focus-visible,td.v.open{outline:2px solid #36c;outline-offset:-2px}
td.t{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.id{white-space:nowrap}
.pass{background:#c8efc8}.fail{background:#f5b5b5}.warn{background:#fbe3a1}
.info{background:#cfe3fb}.unsupported{background:#e4e4e4;color:#666}.flaky{background:#e9c6f5}
.expected{background:#f3f3f3}.unexpected-chip{background:#fff;border-color:#c00!important;color:#900}
.none{background:#fff;color:#aaa}
.unexpected{outline:3px solid #c00;outline-offset:-3px}
.req{font-size:12px;color:#555}
a.rq{white-space:nowrap;color:#235;text-decoration:none;border-bottom:1px dotted #235;margin-right:.4em}
a.rq.unknown{color:#900;border-color:#900}
a.perm{text-decoration:none;opacity:.4;margin-right:.3em;color:#236}
svg.icon{width:13px;height:13px;vertical-align:-2px}
th button.sort{white-space:nowrap}
tr:hover a.perm,a.perm:focus{opacity:1}
tr{scroll-margin-top:3em}
tr:target td{box-shadow:inset 0 2px #36c,inset 0 -2px #36c}
.toolbar{margin:.8em 0}
.chips{display:flex;flex-wrap:wrap;gap:.4em;margin:.4em 0}
button.chip{font:inherit;border:1px solid #999;border-radius:1em;padding:1px .8em;cursor:pointer}
button.chip b{font-variant-numeric:tabular-nums}
button.chip.zero{opacity:.5}
button.chip[aria-pressed=true]{border:2px solid #222;box-shadow:0 0 0 2px #fff inset;font-weight:600}
html:not(.js) button.chip{cursor:default}
#filter{width:32em;max-width:90%;padding:4px;margin:.2em .4em .2em 0}
.ferr{color:#900;margin-left:.6em}
.help{font-size:13px;color:#444}.help code{background:#f3f3f3;padding:0 .2em}
#panel{position:fixed;right:0;top:0;bottom:0;width:55%;overflow:auto;background:#fff;
  border-left:2px solid #888;padding:1em;box-shadow:-4px 0 12px #0003;z-index:2}
#panel[hidden]{display:none}
pre{white-space:pre-wrap;word-break:break-all;background:#f8f8f8;padding:.5em}
table.tx td{font:12px/1.3 ui-monospace,monospace;border:none;border-bottom:1px solid #eee}
.dec{color:#064}
.st{font-family:monospace;color:#555;white-space:nowrap}.st.chg{color:#036;font-weight:bold}
.bar{display:inline-block;height:.7em;background:#6b6;vertical-align:middle}
.barbox{display:inline-block;width:8em;height:.7em;background:#ddd;vertical-align:middle;margin-right:.4em}
details{margin:.4em 0}
table.reqs td{font-size:13px}table.reqs td:first-child{white-space:nowrap}table.reqs td.rtext{max-width:48em}
table.reqs tr:target td{background:#fff8d0}p.incomplete{background:#fde8e8;border:1px solid #c33;padding:.4em .6em}span.fk{white-space:nowrap;color:#264}span.fk.miss{color:#900}
.kw{font-weight:600;white-space:nowrap}.src{font-family:ui-monospace,monospace;font-size:12px}
.note{color:#555;font-size:13px}
`;

const CHIP_TITLES: Record<string, string> = {
  pass: "results that passed",
  fail: "results that failed (listed in the expectations file or not)",
  warn: "results with a warning",
  info: "informational results",
  unsupported: "cases the IUT cannot run",
  flaky: "results that changed between runs (a suite problem)",
  expected: "non-pass results that the expectations file predicts",
  unexpected: "results that fail the run: unexpected failures, flaky results, unexpected passes",
};

function pct(n: number, d: number): string {
  return d === 0 ? "–" : `${Math.round((100 * n) / d)}%`;
}

function bar(n: number, d: number): string {
  const w = d === 0 ? 0 : Math.round((100 * n) / d);
  return `<span class="barbox"><span class="bar" style="width:${w}%"></span></span>`;
}

/** A duration for the time column: `850 ms`, `2.40 s`, `31.5 s`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/**
 * Sort rank of a result: the most alarming first (unexpected fail, flaky,
 * unexpected pass, known fail, warn, info, unsupported, pass); 8 for no result.
 */
export function verdictRank(r: CaseResult | undefined, kind?: CaseKind): number {
  if (!r) return 8;
  if (isUnexpectedFail(r)) return 0;
  if (r.verdict === "flaky") return 1;
  if (isUnexpectedPass(r, kind)) return 2;
  const order = ["fail", "warn", "info", "unsupported", "pass"] as const;
  const at = order.indexOf(r.verdict as (typeof order)[number]);
  return at < 0 ? 7 : 3 + at;
}

/** Is this a non-pass verdict that the expectations file predicts? */
function expectedNonPass(r: CaseResult): boolean {
  return r.verdict !== "pass" && r.verdict === r.expected;
}

/** What the page's filter needs to know of a row (filter.ts). */
export function rowFacts(row: CaseRow, iuts: readonly { name: string }[]): RowFacts {
  return {
    id: row.id,
    title: row.title,
    kind: row.kind,
    requirements: row.requirements,
    results: iuts.flatMap((iut) => {
      const r = row.results[iut.name];
      if (!r) return [];
      return [
        {
          iut: iut.name,
          verdict: r.verdict,
          ...(expectedNonPass(r) ? { expected: true } : {}),
          ...(failsRun(r, row.kind) ? { unexpected: true } : {}),
        },
      ];
    }),
  };
}

/** The state of the same `who` before entry `i`, to highlight changes. */
function prevState(
  states: readonly (string | undefined)[],
  events: readonly { who: string }[],
  i: number,
): string | undefined {
  for (let k = i - 1; k >= 0; k--) if (events[k]?.who === events[i]?.who) return states[k];
  return undefined;
}

function transcriptHtml(r: CaseResult): string {
  if (r.events && r.events.length > 0) {
    const events = r.events;
    const decoded = decodeTranscript(events);
    const states = machineStates(events);
    const lines = events.map((e, i) => {
      const dec = (decoded[i] ?? []).map((d) => `<div class="dec">${esc(d)}</div>`).join("");
      const st = states[i];
      const changed = st !== undefined && st !== prevState(states, events, i);
      const cell =
        st === undefined ? "" : `<span class="st${changed ? " chg" : ""}">${esc(st)}</span>`;
      return `<tr><td>+${esc(e.t.toFixed(1))}ms</td><td>${esc(e.who)}</td><td>${esc(e.dir)}</td><td>${cell}</td><td>${esc(e.text)}${dec}</td></tr>`;
    });
    const head =
      "<thead><tr><th>time</th><th>who</th><th></th><th>machine state</th><th>bytes / event</th></tr></thead>";
    return `<h4>Transcript</h4><p class="note">machine state: for each stream connection, the spec's tcp-pipe machine of the IUT's end as the traffic drives it; for path cases, the model state the case follows (spec/machines).</p><table class="tx">${head}<tbody>${lines.join("")}</tbody></table>`;
  }
  if (r.transcript) return `<h4>Transcript</h4><pre>${esc(r.transcript)}</pre>`;
  return r.verdict === "pass"
    ? "<p>No transcript kept for a pass (run with <code>--keep-transcripts</code>).</p>"
    : "";
}

interface Ctx {
  index: ReadonlyMap<string, RequirementEntry>;
  anchors: ReadonlyMap<string, string>;
}

function reqLinks(ids: readonly string[], ctx: Ctx): string {
  return ids.map((id) => reqLink(id, ctx.index)).join(" ");
}

function detailsHtml(row: CaseRow, iut: string, r: CaseResult, ctx: Ctx): string {
  const anchor = ctx.anchors.get(row.id) ?? caseAnchor(row.id);
  const parts = [
    `<h3><a class="perm" href="#${esc(anchor)}" aria-label="permalink">${LINK_ICON}</a>${esc(row.id)} — ${esc(iut)}</h3>`,
    `<p>${esc(row.title)}</p>`,
    `<p>verdict <b class="${esc(r.verdict)}">${esc(r.verdict)}</b>, expected ${esc(r.expected)}, ${esc(r.durationMs)} ms, kind ${esc(row.kind)}</p>`,
    `<p class="req">requirements: ${reqLinks(row.requirements, ctx)}${row.covers?.length ? `<br>covers: ${row.covers.map(esc).join(", ")}` : ""}</p>`,
  ];
  if (r.reason) parts.push(`<h4>Reason</h4><pre>${esc(r.reason)}</pre>`);
  if (r.runs && r.runs.length > 1)
    parts.push(`<p>verdicts of the runs: ${r.runs.map(esc).join(", ")}</p>`);
  if (r.notes?.length)
    parts.push(`<h4>Notes</h4><ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`);
  parts.push(transcriptHtml(r));
  if (r.stderr) parts.push(`<h4>IUT stderr</h4><pre>${esc(r.stderr)}</pre>`);
  return parts.join("\n");
}

/** Row anchors: `case-<sanitized id>`, made unique should two ids sanitize alike. */
function caseAnchors(rows: readonly CaseRow[]): Map<string, string> {
  const taken = new Set<string>();
  const anchors = new Map<string, string>();
  for (const row of rows) {
    const base = caseAnchor(row.id);
    let anchor = base;
    for (let n = 2; taken.has(anchor); n++) anchor = `${base}~${n}`;
    taken.add(anchor);
    anchors.set(row.id, anchor);
  }
  return anchors;
}

/** The verdict chips; counts are over (case, IUT) results. */
function chipsHtml(summary: Summary): string {
  const counts: [string, number][] = [
    ...(["pass", "fail", "warn", "info", "unsupported", "flaky"] as const).map(
      (k): [string, number] => [k, summary.byVerdict[k]],
    ),
    ["expected", summary.expectedNonPass],
    ["unexpected", summary.failed],
  ];
  const chips = counts.map(([k, n]) => {
    const cls = k === "unexpected" ? "unexpected-chip" : k;
    return `<button type="button" class="chip ${cls}${n === 0 ? " zero" : ""}" data-v="${k}" aria-pressed="false" title="${esc(CHIP_TITLES[k] ?? k)}">${k} <b>${esc(n)}</b></button>`;
  });
  return `<div class="chips" role="group" aria-label="verdicts (press to filter; counts are per case and IUT)">${chips.join("")}</div>`;
}

const FILTER_HELP = `<details class="help"><summary>filter syntax</summary><ul>
<li><code>verdict:fail</code>, <code>verdict:fail,warn</code> (either), <code>verdict:expected</code> (a non-pass the expectations predict), <code>verdict:unexpected</code> (fails the run); the chips edit this word</li>
<li><code>iut:nng verdict:fail</code>: the verdict of that IUT</li>
<li><code>SP-REQREP-13</code>, <code>SP-REQREP-*</code>, <code>SP-REQREP</code>: cites the requirement(s)</li>
<li><code>family:reqrep</code>, <code>reqrep/*</code>, <code>**/*ttl*</code>: case id (globs as in <code>--filter</code>)</li>
<li><code>kind:property</code>; any other word or <code>"quoted phrase"</code>: in the id or title</li>
<li><code>-word</code> negates a word; every word must hold. The address keeps the filter (<code>#q=…</code>): copy it to share the view. <kbd>/</kbd> focuses the box.</li>
</ul></details>`;

/**
 * Renders the report page.
 *
 * @example
 * writeFileSync("index.html", renderHtml(JSON.parse(readFileSync("results.json", "utf8"))));
 */
export function renderHtml(results: Results, options: HtmlOptions = {}): string {
  const summary = results.summary ?? summarize(results.cases);
  const iuts = results.iuts;
  const ctx: Ctx = {
    index: options.requirements ?? requirementIndex(),
    anchors: caseAnchors(results.cases),
  };
  const caseHref = (id: string) => `#${ctx.anchors.get(id) ?? caseAnchor(id)}`;
  const templates: string[] = [];
  const citing = new Map<string, string[]>();
  const body = results.cases.map((row, i) => {
    for (const id of row.requirements) {
      const list = citing.get(id) ?? [];
      if (!list.includes(row.id)) list.push(row.id);
      citing.set(id, list);
    }
    const verdicts = iuts.map((iut) => row.results[iut.name]?.verdict ?? "none");
    const search = [row.id, row.title, ...row.requirements, ...verdicts].join(" ").toLowerCase();
    const cells = iuts.map((iut, j) => {
      const r = row.results[iut.name];
      if (!r) return `<td class="v none" data-s="${verdictRank(undefined)}">–</td>`;
      const id = `d-${i}-${j}`;
      templates.push(`<template id="${id}">${detailsHtml(row, iut.name, r, ctx)}</template>`);
      const note = r.verdict !== "pass" && r.verdict === r.expected ? " (expected)" : "";
      const title = r.reason ? ` title="${esc(r.reason.slice(0, 300))}"` : "";
      return `<td class="v ${esc(r.verdict)}${failsRun(r, row.kind) ? " unexpected" : ""}" data-d="${id}" data-s="${verdictRank(r, row.kind)}" tabindex="0"${title}>${esc(r.verdict)}${esc(note)}</td>`;
    });
    const times = iuts.flatMap((iut) => {
      const r = row.results[iut.name];
      return r ? [{ iut: iut.name, ms: r.durationMs }] : [];
    });
    const total = times.reduce((n, t) => n + t.ms, 0);
    const timeTitle =
      times.length > 1
        ? ` title="${esc(times.map((t) => `${t.iut}: ${formatMs(t.ms)}`).join(", "))}"`
        : "";
    const anchor = ctx.anchors.get(row.id) ?? caseAnchor(row.id);
    return `<tr data-search="${esc(search)}" id="${esc(anchor)}" data-i="${i}"><td class="id" data-s="${esc(row.id)}"><a class="perm" href="#${esc(anchor)}" aria-label="permalink to ${esc(row.id)}" title="permalink">${LINK_ICON}</a><code>${esc(row.id)}</code></td><td>${esc(row.title)}</td><td class="req">${reqLinks(row.requirements, ctx)}</td>${cells.join("")}<td class="t" data-s="${esc(total)}"${timeTitle}>${esc(formatMs(total))}</td></tr>`;
  });
  const facts = results.cases.map((row) => rowFacts(row, iuts));

  const rq = results.coverage.requirements;
  const covered = rq.total - rq.uncovered.length;
  const machines = Object.entries(results.coverage.machines)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([name, m]) =>
        `<tr><td>${esc(name)}</td><td>${bar(m.covered, m.transitions)}${esc(m.covered)}/${esc(m.transitions)} (${pct(m.covered, m.transitions)})</td><td class="req">${m.uncovered.map(esc).join(" ")}</td></tr>`,
    );
  const totals = [
    `<span><b>${esc(summary.passed)}</b> passed</span>`,
    `<span><b>${esc(summary.failed)}</b> failed</span>`,
    `<span>expected non-pass: ${esc(summary.expectedNonPass)}</span>`,
    `<span>unexpected pass: ${esc(summary.unexpectedPass)}</span>`,
  ];
  const run = results.run;
  const n = results.cases.length;
  const script = pageScript().replace(/<\/(script)/gi, "<\\/$1");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SP conformance: ${iuts.map((i) => esc(i.name)).join(", ")}</title>
<style>${CSS}</style></head>
<body>
${ICON_SYMBOLS}
<header>
<h1>SP conformance report</h1>
${results.incomplete ? `<p class="incomplete"><b>Incomplete run:</b> ${esc(results.incomplete)}. Cases that did not run have no results.</p>` : ""}
<p>IUTs: ${iuts.map((i) => `<b>${esc(i.name)}</b> ${esc(i.version)}`).join(", ")} · seed ${esc(results.seed)} · ${esc((results.durationMs / 1000).toFixed(1))} s${run ? ` · jobs ${esc(run.jobs)} · repeat ${esc(run.repeat)}${run.shard ? ` · shard ${esc(run.shard.index)}/${esc(run.shard.count)}` : ""}${run.mergedFrom ? ` · merged from ${run.mergedFrom.map(esc).join(", ")}` : ""}` : ""}</p>
<p class="totals">${totals.join("")}</p>
<p>Requirements: ${rq.note ? esc(rq.note) : `${bar(rq.mustCovered, rq.mustTotal)}${esc(rq.mustCovered)}/${esc(rq.mustTotal)} MUST covered (${pct(rq.mustCovered, rq.mustTotal)}) by cases, ${esc(covered)}/${esc(rq.total)} in all${rq.mustUncheckable?.length ? `; ${esc(rq.mustUncheckable.length)} further MUSTs cannot be checked at the wire (not counted, reasons below)` : ""}`} · <a href="#requirements">requirement texts</a></p>
<details><summary>Transition coverage per machine (${esc(Object.keys(results.coverage.machines).length)} machines)</summary>
<table class="machines"><thead><tr><th>machine</th><th>transitions driven by a passing case</th><th>not driven</th></tr></thead><tbody>${machines.join("")}</tbody></table></details>
<details><summary>Uncovered requirements (${esc(rq.uncovered.length)})</summary><p class="req">${reqLinks(rq.uncovered, ctx)}</p></details>
${uncheckableSection(rq, ctx)}
</header>
<noscript><p class="note">JavaScript is off: the counts, the table, the permalinks and the requirement texts below are all here, but filtering, sorting and the per-result details (reason, transcript) need the page's script. results.json holds the same data.</p></noscript>
<div class="toolbar">
${chipsHtml(summary)}
<input id="filter" type="search" placeholder="filter: verdict:fail SP-REQREP-* family:reqrep reqrep/* words…" aria-label="filter" aria-describedby="ferr" autocomplete="off" spellcheck="false">
<span><span id="shown">${esc(n)}</span> of ${esc(n)} cases</span><span id="ferr" class="ferr" role="status" hidden></span>
${FILTER_HELP}
</div>
<table class="matrix"><thead><tr><th>case</th><th>title</th><th>requirements</th>${iuts.map((i) => `<th>${esc(i.name)}</th>`).join("")}<th data-first="descending">time</th></tr></thead>
<tbody>
${body.join("\n")}
</tbody></table>
${requirementsAppendix(citing, ctx.index, caseHref, options.draftLink)}
<aside id="panel" hidden aria-label="result details"><button id="close" type="button">close ✕</button><div id="pbody"></div></aside>
${templates.join("\n")}
<script type="application/json" id="facts">${scriptJson(facts)}</script>
<script>${script}</script>
</body></html>
`;
}

/**
 * The MUSTs no case checks, with the reason each cannot be checked at the
 * wire (cases/unobservable.ts); these are not counted as covered.
 */
function uncheckableSection(
  rq: {
    mustUncheckable?: { requirement: string; kind: string; reason: string }[];
    mustUnexplained?: string[];
  },
  ctx: Ctx,
): string {
  const list = rq.mustUncheckable ?? [];
  const bare = rq.mustUnexplained ?? [];
  if (list.length === 0 && bare.length === 0) return "";
  const rows = list.map(
    (u) =>
      `<tr><td><code>${reqLink(u.requirement, ctx.index, true)}</code></td><td>${esc(u.kind)}</td><td>${esc(u.reason)}</td></tr>`,
  );
  const unexplained = bare.length
    ? `<p>MUSTs with no case and no reason listed (${esc(bare.length)}): <span class="req">${reqLinks(bare, ctx)}</span></p>`
    : "";
  return `<details><summary>MUSTs not checked by any case, with the reason (${esc(list.length)} uncheckable${bare.length ? `, ${esc(bare.length)} unexplained` : ""})</summary>
<table class="machines"><thead><tr><th>requirement</th><th>kind</th><th>why no case checks it</th></tr></thead><tbody>${rows.join("")}</tbody></table>${unexplained}</details>`;
}
