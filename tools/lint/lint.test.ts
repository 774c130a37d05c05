import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseDraft } from "../draftparse/index.ts";
import { type Finding, keywordLevel, lintDrafts, readMixedLevelsAllowList } from "./lint.ts";

const fixture = (name: string, allowed: ReadonlySet<string> = new Set()) => {
  const path = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  const text = readFileSync(path, "utf8");
  return { text, findings: lintDrafts([parseDraft(text, name)], { mixedLevelsAllowed: allowed }) };
};

/** 1-based line of the first line containing `needle` (at or after line `from`). */
function lineOf(text: string, needle: string, from = 1): number {
  const lines = text.split("\n");
  for (let k = from - 1; k < lines.length; k++) if (lines[k]?.includes(needle)) return k + 1;
  throw new Error(`fixture has no line containing ${needle}`);
}

function expectFinding(findings: Finding[], line: number, pattern: RegExp): void {
  const hit = findings.find((f) => f.line === line && pattern.test(f.message));
  expect(hit, `expected ${pattern} at line ${line}; got ${JSON.stringify(findings)}`).toBeTruthy();
}

describe("lint:drafts", () => {
  it("accepts a well-formed draft (quoted and lower-case key words, abbreviations)", () => {
    expect(fixture("good.md").findings).toEqual([]);
  });

  it("reports id problems on the right lines", () => {
    const { text, findings } = fixture("ids.md");
    expectFinding(findings, lineOf(text, "SHOULD NOT hum"), /has no requirement id/);
    expectFinding(findings, lineOf(text, "hums quietly"), /without a BCP 14 key word/);
    expectFinding(findings, lineOf(text, "MUST stay cool"), /SP-FIXTURE-3 defined twice/);
    expectFinding(findings, lineOf(text, "SP-OTHER-1"), /does not use this draft's prefix/);
    expectFinding(findings, lineOf(text, "MAY rest"), /SP-FIXTURE-2 is missing/);
    expect(findings).toHaveLength(5);
  });

  it("reports a machine row citing an id stated only in another draft", () => {
    const good = readFileSync(
      fileURLToPath(new URL("./fixtures/good.md", import.meta.url)),
      "utf8",
    );
    const other = good
      .replace("docname: draft-sp-fixture-00", "docname: draft-sp-other-00")
      .replaceAll("SP-FIXTURE-", "SP-OTHER-")
      .replace("{: #machine-widget", "{: #machine-gadget")
      .replace("| on | press | | | off | SP-OTHER-2 |", "| on | press | | | off | SP-FIXTURE-2 |");
    const findings = lintDrafts([parseDraft(good, "good.md"), parseDraft(other, "other.md")], {
      mixedLevelsAllowed: new Set(),
    });
    expect(findings.map((f) => `${f.file}:${f.line}: ${f.message}`)).toEqual([
      `other.md:${lineOf(other, "| on | press | | | off | SP-FIXTURE-2 |")}: machine "${
        (/#machine-([a-z0-9-]+)/.exec(other) ?? [])[1]
      }" row cites SP-FIXTURE-2, which is stated in good.md, not in this draft; state the rule here with an id of this draft`,
    ]);
  });

  it("reports table problems on the right lines", () => {
    const { text, findings } = fixture("tables.md");
    expectFinding(findings, lineOf(text, "| Next | Req |"), /must have the columns/);
    expectFinding(findings, lineOf(text, "| off | entry |"), /entry row must leave Next empty/);
    expectFinding(findings, lineOf(text, "?locked"), /unknown Guard syntax/);
    expectFinding(findings, lineOf(text, "| after: |"), /bad delay name/);
    expectFinding(
      findings,
      lineOf(text, "SP-FIXTURE-9"),
      /cites unknown requirement id SP-FIXTURE-9/,
    );
    const third = lineOf(text, "| State |", lineOf(text, "{: #machine-rows}"));
    expectFinding(findings, third, /without an IAL/);
    expectFinding(findings, lineOf(text, "MUST reset"), /key word MUST in a table/);
    expect(findings).toHaveLength(7);
  });

  it("reports wide figures, missing status markers and retired-id gaps", () => {
    const { text, findings } = fixture("misc.md");
    expectFinding(findings, lineOf(text, "0123456789"), /76 columns wide/);
    expectFinding(findings, 1, /implementation-status/);
    expectFinding(findings, lineOf(text, "MAY rest"), /SP-FIXTURE-3 is missing/);
    expect(findings.some((f) => /SP-FIXTURE-2/.test(f.message))).toBe(false);
    expect(findings).toHaveLength(3);
  });

  it("maps each key word to one of three levels", () => {
    expect(
      ["MUST", "MUST NOT", "REQUIRED", "SHALL", "SHALL NOT"].map((k) => keywordLevel(k as never)),
    ).toEqual(Array(5).fill("MUST"));
    expect(
      ["SHOULD", "SHOULD NOT", "RECOMMENDED", "NOT RECOMMENDED"].map((k) =>
        keywordLevel(k as never),
      ),
    ).toEqual(Array(4).fill("SHOULD"));
    expect(["MAY", "OPTIONAL"].map((k) => keywordLevel(k as never))).toEqual(["MAY", "MAY"]);
  });

  it("flags an id whose sentence mixes requirement levels", () => {
    const { text, findings } = fixture("levels.md");
    expectFinding(
      findings,
      lineOf(text, "SP-FIXTURE-4"),
      /SP-FIXTURE-4 mixes the levels MUST, SHOULD/,
    );
    expectFinding(
      findings,
      lineOf(text, "SP-FIXTURE-5"),
      /SP-FIXTURE-5 mixes the levels MAY, MUST/,
    );
    expectFinding(
      findings,
      lineOf(text, "SP-FIXTURE-6"),
      /SP-FIXTURE-6 mixes the levels SHOULD, MAY/,
    );
    expectFinding(
      findings,
      lineOf(text, "SP-FIXTURE-7"),
      /SP-FIXTURE-7 mixes the levels MUST, MAY, SHOULD/,
    );
    expect(findings).toHaveLength(4);
  });

  it("lets ids on the mixed-levels allow-list pass", () => {
    const allowed = new Set(["SP-FIXTURE-4", "SP-FIXTURE-5", "SP-FIXTURE-6"]);
    const { findings } = fixture("levels.md", allowed);
    expect(findings.map((f) => f.message)).toEqual([expect.stringMatching(/SP-FIXTURE-7 mixes/)]);
  });

  it("reads the allow-list file, and treats a missing one as empty", () => {
    const ids = readMixedLevelsAllowList();
    for (const id of ids) expect(id).toMatch(/^SP-[A-Z]+-\d+$/);
    expect(
      readMixedLevelsAllowList(new URL("./fixtures/no-such-file.json", import.meta.url)).size,
    ).toBe(0);
  });

  it("flags a duplicate id and a unknown citation across drafts", () => {
    const a = fixture("good.md").text;
    const b = a.replace(
      /\| on \| press \| \| \| off \| SP-FIXTURE-2 \|/,
      "| on | press | | | off | SP-NONE-2 |",
    );
    const findings = lintDrafts([parseDraft(a, "a.md"), parseDraft(b, "b.md")]);
    expect(
      findings.filter((f) => /^requirement id .* also defined in a\.md/.test(f.message)),
    ).toHaveLength(2);
    expect(
      findings.some((f) => f.file === "b.md" && /unknown requirement id SP-NONE-2/.test(f.message)),
    ).toBe(true);
    expect(findings.some((f) => /machine "widget" also defined/.test(f.message))).toBe(true);
  });

  it("passes on the repository's drafts", async () => {
    const { readDrafts } = await import("../gen/generate.ts");
    const drafts = await readDrafts(fileURLToPath(new URL("../../rfc", import.meta.url)));
    expect(drafts.length).toBeGreaterThanOrEqual(2);
    expect(lintDrafts(drafts)).toEqual([]);
  });
});
