/**
 * Requirement ids in the HTML report: links with the sentence as a tooltip,
 * and the appendix every link points to (one entry per requirement, with its
 * key word, sentence, draft, section, source line, the cases citing it and
 * how many of its seeded faults they kill).
 *
 * The registry is imported statically, so the bundled suite (which ships no
 * spec/ folder) renders the same appendix.
 */
import registry from "../../spec/requirements.json" with { type: "json" };
import { esc, reqAnchor } from "./escape.ts";
import { faultKills, killsCell, type RequirementKills } from "./fault-kills.ts";

/** One requirement of spec/requirements.json. */
export interface RequirementEntry {
  id: string;
  draft: string;
  section: string;
  keyword: string;
  text: string;
  /** Line of the sentence in the draft's Markdown source. */
  line?: number;
}

/**
 * Where a draft's text can be read: `href` (omitted when no link can be
 * made) and a label such as `rfc/draft-sp-reqrep.md:212`.
 */
export type DraftLink = (
  draft: string,
  line: number | undefined,
) => { href?: string; label: string } | undefined;

/** The registry by id. */
export function requirementIndex(
  rows: readonly RequirementEntry[] = (registry as { requirements?: RequirementEntry[] })
    .requirements ?? [],
): Map<string, RequirementEntry> {
  return new Map(rows.map((r) => [r.id, r]));
}

/** `#req-<id>`, the appendix entry of a requirement. */
export function reqHref(id: string): string {
  return `#${reqAnchor(id)}`;
}

/** The one-line summary used as a tooltip: `MUST — sentence (draft §section)`. */
export function requirementTooltip(r: RequirementEntry | undefined): string {
  if (!r) return "not in spec/requirements.json";
  return `${r.keyword} — ${r.text} (${r.draft} §${r.section})`;
}

/**
 * A requirement id as a link to its appendix entry. The page's script gives
 * it the sentence as a tooltip on hover (from the appendix, so the text is
 * not repeated for every citation); `tooltip` writes it into the markup.
 */
export function reqLink(
  id: string,
  index: ReadonlyMap<string, RequirementEntry>,
  tooltip = false,
): string {
  const r = index.get(id);
  const title = tooltip ? ` title="${esc(requirementTooltip(r))}"` : "";
  return `<a class="rq${r ? "" : " unknown"}" href="${esc(reqHref(id))}"${title}>${esc(id)}</a>`;
}

/** Natural order of requirement ids: SP-REQREP-2 before SP-REQREP-13. */
export function compareRequirementIds(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

function sourceCell(r: RequirementEntry, draftLink: DraftLink | undefined): string {
  const where = draftLink?.(r.draft, r.line) ?? {
    label: r.line === undefined ? r.draft : `${r.draft}, line ${r.line}`,
  };
  const label = esc(where.label);
  const link = where.href ? `<a href="${esc(where.href)}">${label}</a>` : label;
  return `<span class="sec">${esc(r.draft)} §${esc(r.section)}</span><br><span class="src">${link}</span>`;
}

function entryRow(
  id: string,
  index: ReadonlyMap<string, RequirementEntry>,
  citing: readonly string[] | undefined,
  caseHref: (caseId: string) => string,
  draftLink: DraftLink | undefined,
  kills: Readonly<Record<string, RequirementKills>>,
): string {
  const r = index.get(id);
  const kw = r ? `<span class="kw">${esc(r.keyword)}</span>` : "";
  const text = r ? esc(r.text) : "<i>not in spec/requirements.json</i>";
  const source = r ? sourceCell(r, draftLink) : "";
  let cases = "";
  if (citing && citing.length > 0) {
    const links = citing
      .map((c) => `<a href="${esc(caseHref(c))}"><code>${esc(c)}</code></a>`)
      .join(" ");
    const filter = `<a class="fl" href="#q=${esc(encodeURIComponent(id))}" title="show only the cases citing ${esc(id)}">filter</a>`;
    cases =
      citing.length > 4
        ? `<details><summary>${esc(citing.length)} cases</summary>${links}</details>${filter}`
        : `${links} ${filter}`;
  }
  return `<tr id="${esc(reqAnchor(id))}"><td><code>${esc(id)}</code></td><td>${kw}</td><td class="rtext">${text}</td><td>${source}</td><td class="cites">${cases}</td><td>${killsCell(kills[id])}</td></tr>`;
}

const HEAD =
  "<thead><tr><th>requirement</th><th>key word</th><th>text</th><th>draft, section, source</th><th>cited by</th><th title='seeded faults (npm run faults) that break the requirement, and how many some case caught'>faults</th></tr></thead>";

/**
 * The appendix: first the requirements the report's cases cite (and ids they
 * cite that the registry lacks), then, folded, every other requirement of the
 * registry, so that every id on the page has an entry.
 *
 * @param citing requirement id → ids of the cases citing it
 * @param caseHref a case id → the link to its row
 */
export function requirementsAppendix(
  citing: ReadonlyMap<string, readonly string[]>,
  index: ReadonlyMap<string, RequirementEntry>,
  caseHref: (caseId: string) => string,
  draftLink?: DraftLink,
  kills: Readonly<Record<string, RequirementKills>> = faultKills.byRequirement,
): string {
  const cited = [...citing.keys()].sort(compareRequirementIds);
  const others = [...index.keys()].filter((id) => !citing.has(id)).sort(compareRequirementIds);
  const row = (id: string) => entryRow(id, index, citing.get(id), caseHref, draftLink, kills);
  const rest =
    others.length === 0
      ? ""
      : `<details id="req-others"><summary>Requirements no case of this report cites (${esc(others.length)})</summary>
<table class="reqs">${HEAD}<tbody>${others.map(row).join("\n")}</tbody></table></details>`;
  return `<section id="requirements"><h2>Requirements cited (${esc(cited.length)})</h2>
<p class="note">The sentences of spec/requirements.json, extracted from the Internet-Drafts in rfc/. "faults": of the seeded bugs that break the requirement (npm run faults${faultKills.generatedAt ? `, run ${esc(faultKills.generatedAt.slice(0, 10))}` : ", not run yet"}), how many some case caught.</p>
<table class="reqs">${HEAD}<tbody>${cited.map(row).join("\n")}</tbody></table>
${rest}</section>`;
}
