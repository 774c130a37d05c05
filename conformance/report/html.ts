/**
 * The HTML report (index.html): one self-contained page, inline CSS and JS,
 * no external assets. A header with totals, requirement coverage and
 * per-machine transition coverage; a matrix of cases × IUTs coloured by
 * verdict; a filter box (id, title, requirement, verdict); clicking a cell
 * opens its details: reason, notes, the transcript with decoded SP units and
 * the adapter's requests and answers, and the IUT's stderr. Every text from
 * results is escaped.
 */
import type { CaseKind } from "../cases/types.ts";
import {
  type CaseResult,
  type CaseRow,
  failsRun,
  type Results,
  summarize,
} from "../runner/results.ts";
import { decodeTranscript } from "./decode.ts";
import { machineStates } from "./states.ts";

/** Escapes text for HTML element content and attribute values. */
export function esc(text: unknown): string {
  return String(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .3em}
.totals span{display:inline-block;margin-right:1em}
table{border-collapse:collapse}
th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3;position:sticky;top:0}
td.v{cursor:pointer;text-align:center;font-weight:600;min-width:5em}
.pass{background:#c8efc8}.fail{background:#f5b5b5}.warn{background:#fbe3a1}
.info{background:#cfe3fb}.unsupported{background:#e4e4e4;color:#666}.flaky{background:#e9c6f5}
.none{background:#fff;color:#aaa}
.unexpected{outline:3px solid #c00;outline-offset:-3px}
.req{font-size:12px;color:#555}
#filter{width:28em;padding:4px;margin:.6em 0}
#panel{position:fixed;right:0;top:0;bottom:0;width:55%;overflow:auto;background:#fff;
  border-left:2px solid #888;padding:1em;box-shadow:-4px 0 12px #0003}
#panel[hidden]{display:none}
pre{white-space:pre-wrap;word-break:break-all;background:#f8f8f8;padding:.5em}
table.tx td{font:12px/1.3 ui-monospace,monospace;border:none;border-bottom:1px solid #eee}
.dec{color:#064}
.st{font-family:monospace;color:#555;white-space:nowrap}.st.chg{color:#036;font-weight:bold}
.bar{display:inline-block;height:.7em;background:#6b6;vertical-align:middle}
.barbox{display:inline-block;width:8em;height:.7em;background:#ddd;vertical-align:middle;margin-right:.4em}
details{margin:.4em 0}
`;

const JS = `
const rows=[...document.querySelectorAll('table.matrix tbody tr')];
const f=document.getElementById('filter');
f.addEventListener('input',()=>{
  const words=f.value.toLowerCase().split(/\\s+/).filter(Boolean);
  let shown=0;
  for(const r of rows){const ok=words.every(w=>r.dataset.search.includes(w));r.hidden=!ok;if(ok)shown++;}
  document.getElementById('shown').textContent=shown;
});
const panel=document.getElementById('panel');
document.querySelector('table.matrix tbody').addEventListener('click',e=>{
  const td=e.target.closest('td.v');if(!td||!td.dataset.d)return;
  const t=document.getElementById(td.dataset.d);
  document.getElementById('pbody').replaceChildren(t.content.cloneNode(true));
  panel.hidden=false;
});
document.getElementById('close').addEventListener('click',()=>{panel.hidden=true;});
document.addEventListener('keydown',e=>{if(e.key==='Escape')panel.hidden=true;});
`;

function pct(n: number, d: number): string {
  return d === 0 ? "–" : `${Math.round((100 * n) / d)}%`;
}

function bar(n: number, d: number): string {
  const w = d === 0 ? 0 : Math.round((100 * n) / d);
  return `<span class="barbox"><span class="bar" style="width:${w}%"></span></span>`;
}

function unexpected(r: CaseResult, kind: CaseKind): boolean {
  return failsRun(r, kind);
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

function detailsHtml(row: CaseRow, iut: string, r: CaseResult): string {
  const parts = [
    `<h3>${esc(row.id)} — ${esc(iut)}</h3>`,
    `<p>${esc(row.title)}</p>`,
    `<p>verdict <b class="${esc(r.verdict)}">${esc(r.verdict)}</b>, expected ${esc(r.expected)}, ${esc(r.durationMs)} ms</p>`,
    `<p class="req">requirements: ${row.requirements.map(esc).join(", ")}${row.covers?.length ? `<br>covers: ${row.covers.map(esc).join(", ")}` : ""}</p>`,
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

/**
 * Renders the report page.
 *
 * @example
 * writeFileSync("index.html", renderHtml(JSON.parse(readFileSync("results.json", "utf8"))));
 */
export function renderHtml(results: Results): string {
  const summary = results.summary ?? summarize(results.cases);
  const iuts = results.iuts;
  const templates: string[] = [];
  const body = results.cases.map((row, i) => {
    const verdicts = iuts.map((iut) => row.results[iut.name]?.verdict ?? "none");
    const search = [row.id, row.title, ...row.requirements, ...verdicts].join(" ").toLowerCase();
    const cells = iuts.map((iut, j) => {
      const r = row.results[iut.name];
      if (!r) return `<td class="v none">–</td>`;
      const id = `d-${i}-${j}`;
      templates.push(`<template id="${id}">${detailsHtml(row, iut.name, r)}</template>`);
      const note = r.verdict !== "pass" && r.verdict === r.expected ? " (expected)" : "";
      const title = r.reason ? ` title="${esc(r.reason.slice(0, 300))}"` : "";
      return `<td class="v ${esc(r.verdict)}${unexpected(r, row.kind) ? " unexpected" : ""}" data-d="${id}"${title}>${esc(r.verdict)}${esc(note)}</td>`;
    });
    return `<tr data-search="${esc(search)}"><td><code>${esc(row.id)}</code></td><td>${esc(row.title)}<div class="req">${row.requirements.map(esc).join(" ")}</div></td>${cells.join("")}</tr>`;
  });

  const rq = results.coverage.requirements;
  const covered = rq.total - rq.uncovered.length;
  const machines = Object.entries(results.coverage.machines)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([name, m]) =>
        `<tr><td>${esc(name)}</td><td>${bar(m.covered, m.transitions)}${esc(m.covered)}/${esc(m.transitions)} (${pct(m.covered, m.transitions)})</td><td class="req">${m.uncovered.map(esc).join(" ")}</td></tr>`,
    );
  const v = summary.byVerdict;
  const totals = [
    `<span><b>${esc(summary.passed)}</b> passed</span>`,
    `<span><b>${esc(summary.failed)}</b> failed</span>`,
    ...(["pass", "fail", "warn", "info", "unsupported", "flaky"] as const).map(
      (k) => `<span class="${k}">&nbsp;${k}: ${esc(v[k])}&nbsp;</span>`,
    ),
    `<span>expected non-pass: ${esc(summary.expectedNonPass)}</span>`,
    `<span>unexpected pass: ${esc(summary.unexpectedPass)}</span>`,
  ];
  const run = results.run;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SP conformance: ${iuts.map((i) => esc(i.name)).join(", ")}</title>
<style>${CSS}</style></head>
<body>
<header>
<h1>SP conformance report</h1>
<p>IUTs: ${iuts.map((i) => `<b>${esc(i.name)}</b> ${esc(i.version)}`).join(", ")} · seed ${esc(results.seed)} · ${esc((results.durationMs / 1000).toFixed(1))} s${run ? ` · jobs ${esc(run.jobs)} · repeat ${esc(run.repeat)}${run.shard ? ` · shard ${esc(run.shard.index)}/${esc(run.shard.count)}` : ""}${run.mergedFrom ? ` · merged from ${run.mergedFrom.map(esc).join(", ")}` : ""}` : ""}</p>
<p class="totals">${totals.join("")}</p>
<p>Requirements: ${rq.note ? esc(rq.note) : `${bar(rq.mustCovered, rq.mustTotal)}${esc(rq.mustCovered)}/${esc(rq.mustTotal)} MUST covered (${pct(rq.mustCovered, rq.mustTotal)}) by cases, ${esc(covered)}/${esc(rq.total)} in all${rq.mustUncheckable?.length ? `; ${esc(rq.mustUncheckable.length)} further MUSTs cannot be checked at the wire (not counted, reasons below)` : ""}`}</p>
<details><summary>Transition coverage per machine (${esc(Object.keys(results.coverage.machines).length)} machines)</summary>
<table class="machines"><thead><tr><th>machine</th><th>transitions driven by a passing case</th><th>not driven</th></tr></thead><tbody>${machines.join("")}</tbody></table></details>
<details><summary>Uncovered requirements (${esc(rq.uncovered.length)})</summary><p class="req">${rq.uncovered.map(esc).join(" ")}</p></details>
${uncheckableSection(rq)}
</header>
<input id="filter" type="search" placeholder="filter: id, title, requirement, verdict (e.g. fail, SP-TCP-5)" aria-label="filter">
<span><span id="shown">${esc(results.cases.length)}</span> of ${esc(results.cases.length)} cases</span>
<table class="matrix"><thead><tr><th>case</th><th>title / requirements</th>${iuts.map((i) => `<th>${esc(i.name)}</th>`).join("")}</tr></thead>
<tbody>
${body.join("\n")}
</tbody></table>
<aside id="panel" hidden><button id="close" type="button">close ✕</button><div id="pbody"></div></aside>
${templates.join("\n")}
<script>${JS}</script>
</body></html>
`;
}

/**
 * The MUSTs no case checks, with the reason each cannot be checked at the
 * wire (cases/unobservable.ts); these are not counted as covered.
 */
function uncheckableSection(rq: {
  mustUncheckable?: { requirement: string; kind: string; reason: string }[];
  mustUnexplained?: string[];
}): string {
  const list = rq.mustUncheckable ?? [];
  const bare = rq.mustUnexplained ?? [];
  if (list.length === 0 && bare.length === 0) return "";
  const rows = list.map(
    (u) =>
      `<tr><td><code>${esc(u.requirement)}</code></td><td>${esc(u.kind)}</td><td>${esc(u.reason)}</td></tr>`,
  );
  const unexplained = bare.length
    ? `<p>MUSTs with no case and no reason listed (${esc(bare.length)}): <span class="req">${bare.map(esc).join(" ")}</span></p>`
    : "";
  return `<details><summary>MUSTs not checked by any case, with the reason (${esc(list.length)} uncheckable${bare.length ? `, ${esc(bare.length)} unexplained` : ""})</summary>
<table class="machines"><thead><tr><th>requirement</th><th>kind</th><th>why no case checks it</th></tr></thead><tbody>${rows.join("")}</tbody></table>${unexplained}</details>`;
}
