import { Script } from "node:vm";
import { describe, expect, it } from "vitest";
import type { CaseRow, Results } from "../runner/results.ts";
import { caseAnchor } from "./escape.ts";
import { renderHtml, rowFacts, verdictRank } from "./html.ts";
import { type RequirementEntry, requirementIndex } from "./requirements.ts";

const registry = requirementIndex([
  {
    id: "SP-REQREP-13",
    draft: "draft-sp-reqrep",
    section: "REP Socket",
    keyword: "MUST",
    text: "A REP socket MUST return the backtrace <unchanged> & in order.",
    line: 212,
  },
  {
    id: "SP-REQREP-2",
    draft: "draft-sp-reqrep",
    section: "REQ Socket",
    keyword: "SHOULD",
    text: "A REQ socket SHOULD resend.",
    line: 120,
  },
  {
    id: "SP-TCP-1",
    draft: "draft-sp-tcp",
    section: "Header",
    keyword: "MUST",
    text: "The header is eight bytes.",
    line: 40,
  },
] satisfies RequirementEntry[]);

function results(): Results {
  const cases: CaseRow[] = [
    {
      id: "reqrep/rep-backtrace-unchanged",
      title: "REP returns the backtrace",
      requirements: ["SP-REQREP-13", "SP-TCP-1"],
      kind: "example",
      results: {
        nng: { verdict: "pass", expected: "pass", durationMs: 12 },
        nanomsg: { verdict: "fail", expected: "fail", durationMs: 30, reason: "late" },
      },
    },
    {
      id: "reqrep/req-resend",
      title: "REQ resends </script><b>",
      requirements: ["SP-REQREP-2", "SP-NOPE-9"],
      kind: "property",
      results: {
        nng: { verdict: "fail", expected: "pass", durationMs: 1500, reason: "no resend" },
        nanomsg: { verdict: "warn", expected: "pass", durationMs: 5 },
      },
    },
    {
      id: "odd/has space<&>",
      title: "an id that needs sanitizing",
      requirements: [],
      kind: "example",
      results: { nng: { verdict: "unsupported", expected: "unsupported", durationMs: 0 } },
    },
    {
      id: "odd/has_space___",
      title: "an id that sanitizes alike",
      requirements: [],
      kind: "example",
      results: {
        nng: { verdict: "flaky", expected: "pass", durationMs: 2, runs: ["fail", "pass"] },
      },
    },
  ];
  return {
    schemaVersion: 1,
    iuts: [
      { name: "nng", version: "1.9" },
      { name: "nanomsg", version: "1.2" },
    ],
    seed: 7,
    cases,
    coverage: {
      requirements: {
        total: 3,
        mustTotal: 2,
        mustCovered: 2,
        uncovered: ["SP-REQREP-2"],
      },
      machines: {},
    },
    durationMs: 2000,
  };
}

const html = renderHtml(results(), {
  requirements: registry,
  draftLink: (draft, line) => ({ href: `../rfc/${draft}.md#L${line}`, label: `${draft}:${line}` }),
});

/** The whole element (one line of markup) that holds `needle`. */
function elementWith(tag: string, needle: string): string {
  const re = new RegExp(`<${tag}\\b[^>]*>(?:(?!</${tag}>)[\\s\\S])*?</${tag}>`, "g");
  return html.match(re)?.find((m) => m.includes(needle)) ?? "";
}

describe("HTML report: page", () => {
  it("is one file with no external assets", () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<link\b/);
    expect(html).not.toMatch(/<(script|img|iframe)[^>]*\ssrc=/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/url\(/);
  });

  it("escapes titles, also inside the embedded row data", () => {
    expect(html).not.toContain("REQ resends </script>");
    expect(html).toContain("REQ resends &lt;/script&gt;&lt;b&gt;");
    const facts = /<script type="application\/json" id="facts">([\s\S]*?)<\/script>/.exec(html);
    const parsed = JSON.parse(facts?.[1] ?? "null");
    expect(parsed).toEqual(results().cases.map((c) => rowFacts(c, results().iuts)));
    expect(parsed[1].results).toEqual([
      { iut: "nng", verdict: "fail", unexpected: true },
      { iut: "nanomsg", verdict: "warn" },
    ]);
  });

  it("has a script that compiles", () => {
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
    expect(script).toContain("SPFilter");
    expect(() => new Script(script)).not.toThrow();
  });
});

describe("HTML report: verdict chips", () => {
  const chip = (v: string) => elementWith("button", `data-v="${v}"`);

  it("has a chip per verdict and marker, with counts over (case, IUT) results", () => {
    expect(chip("pass")).toContain("pass <b>1</b>");
    expect(chip("fail")).toContain("fail <b>2</b>");
    expect(chip("warn")).toContain("warn <b>1</b>");
    expect(chip("info")).toContain("info <b>0</b>");
    expect(chip("unsupported")).toContain("unsupported <b>1</b>");
    expect(chip("flaky")).toContain("flaky <b>1</b>");
    // nanomsg's listed fail and nng's unsupported match their expectations
    expect(chip("expected")).toContain("expected <b>2</b>");
    // nng's unexpected fail and the flaky result
    expect(chip("unexpected")).toContain("unexpected <b>2</b>");
  });

  it("chips are toggle buttons, dimmed when empty", () => {
    expect(chip("fail")).toMatch(
      /^<button type="button" class="chip fail" [^>]*aria-pressed="false"/,
    );
    expect(chip("info")).toContain('class="chip info zero"');
  });
});

describe("HTML report: table", () => {
  it("gives every row a permalink anchor and a link to it", () => {
    const row = elementWith("tr", 'id="case-reqrep/rep-backtrace-unchanged"');
    expect(row).toContain('<a class="perm" href="#case-reqrep/rep-backtrace-unchanged"');
    expect(row).toContain('<use href="#i-link">');
    expect(html).toContain('<symbol id="i-link"');
    expect(row).toContain("<code>reqrep/rep-backtrace-unchanged</code>");
  });

  it("sanitizes ids into anchors and keeps them unique", () => {
    expect(caseAnchor("odd/has space<&>")).toBe("case-odd/has_space___");
    expect(html).toContain('id="case-odd/has_space___"');
    expect(html).toContain('id="case-odd/has_space___~2"');
    expect(html).not.toMatch(/id="case-[^"]*[ <&]/);
  });

  it("has sortable columns for id, title, requirements, each IUT and time", () => {
    expect(html).toContain(
      '<thead><tr><th>case</th><th>title</th><th>requirements</th><th>nng</th><th>nanomsg</th><th data-first="descending">time</th></tr></thead>',
    );
    const row = elementWith("tr", 'id="case-reqrep/req-resend"');
    expect(row).toContain(
      '<td class="t" data-s="1505" title="nng: 1.50 s, nanomsg: 5 ms">1.50 s</td>',
    );
    expect(row).toMatch(/<td class="v fail unexpected" data-d="d-1-0" data-s="0"/);
    expect(row).toMatch(/<td class="v warn" data-d="d-1-1" data-s="4"/);
  });

  it("ranks verdicts from the most alarming", () => {
    const rows = results().cases;
    const ranks = rows.flatMap((c) => Object.values(c.results).map((r) => verdictRank(r, c.kind)));
    expect(ranks).toEqual([7, 3, 0, 4, 6, 1]);
    expect(verdictRank(undefined)).toBe(8);
  });

  it("links requirement ids to the appendix", () => {
    const row = elementWith("tr", 'id="case-reqrep/rep-backtrace-unchanged"');
    expect(row).toContain('<a class="rq" href="#req-SP-REQREP-13">SP-REQREP-13</a>');
    const other = elementWith("tr", 'id="case-reqrep/req-resend"');
    expect(other).toContain('<a class="rq unknown" href="#req-SP-NOPE-9">SP-NOPE-9</a>');
  });

  it("keeps each result's details, with permalink and requirement links", () => {
    const detail = /<template id="d-1-0">([\s\S]*?)<\/template>/.exec(html)?.[1] ?? "";
    expect(detail).toContain('href="#case-reqrep/req-resend"');
    expect(detail).toContain('href="#req-SP-REQREP-2"');
    expect(detail).toContain("<pre>no resend</pre>");
  });
});

describe("HTML report: requirement appendix", () => {
  const entry = (id: string) => elementWith("tr", `id="req-${id}"`);

  it("has an entry per cited requirement with sentence, key word, draft, section and source", () => {
    const e = entry("SP-REQREP-13");
    expect(e).toContain("<code>SP-REQREP-13</code>");
    expect(e).toContain('<span class="kw">MUST</span>');
    expect(e).toContain("A REP socket MUST return the backtrace &lt;unchanged&gt; &amp; in order.");
    expect(e).toContain('<span class="sec">draft-sp-reqrep §REP Socket</span>');
    expect(e).toContain('<a href="../rfc/draft-sp-reqrep.md#L212">draft-sp-reqrep:212</a>');
    expect(e).toContain('href="#case-reqrep/rep-backtrace-unchanged"');
    expect(e).toContain('href="#q=SP-REQREP-13"');
  });

  it("lists cited requirements in natural order, unknown ids included", () => {
    const cited = /<section id="requirements">[\s\S]*?<\/tbody>/.exec(html)?.[0] ?? "";
    const order = [...cited.matchAll(/<tr id="req-([^"]+)"/g)].map((m) => m[1]);
    expect(order).toEqual(["SP-NOPE-9", "SP-REQREP-2", "SP-REQREP-13", "SP-TCP-1"]);
    expect(entry("SP-NOPE-9")).toContain("not in spec/requirements.json");
  });

  it("gives every anchor id once", () => {
    const idList = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(idList).size).toBe(idList.length);
  });

  it("uses spec/requirements.json by default", () => {
    const page = renderHtml(results());
    const e = /<tr id="req-SP-REQREP-13">[\s\S]*?<\/tr>/.exec(page)?.[0] ?? "";
    expect(e).toContain("draft-sp-reqrep");
    expect(e).toMatch(/<td class="rtext">[^<]{20,}<\/td>/);
    // requirements no case cites still get an entry, folded away
    expect(page).toMatch(/<details id="req-others">[\s\S]*<tr id="req-SP-BUS-1">/);
  });
});
