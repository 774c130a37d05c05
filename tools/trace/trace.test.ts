import { utimesSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { indexCaseFiles } from "./case-files.ts";
import { commentOf, idsInComment, scanCitations, startsItem } from "./citations.ts";
import { collectTrace, isMust } from "./collect.ts";
import { summaryLines, traceJson, traceMarkdown } from "./report.ts";
import { loadVerdicts } from "./verdicts.ts";

const tree = fileURLToPath(new URL("./fixtures/tree", import.meta.url));
const fixture = () => collectTrace({ root: tree, reportsDir: `${tree}/results` });

describe("citations in comments", () => {
  it("expands short forms and ignores code outside comments", () => {
    expect(idsInComment("SP-PUBSUB-9/-10 and SP-PUBSUB-3/-4/-5")).toEqual([
      "SP-PUBSUB-9",
      "SP-PUBSUB-10",
      "SP-PUBSUB-3",
      "SP-PUBSUB-4",
      "SP-PUBSUB-5",
    ]);
    expect(idsInComment("SP-PAIR-11..13, SP-TCP-3/SP-TCP-4")).toEqual([
      "SP-PAIR-11",
      "SP-PAIR-12",
      "SP-PAIR-13",
      "SP-TCP-3",
      "SP-TCP-4",
    ]);
    expect(commentOf('const s = "SP-X-1"; // SP-X-2', false)).toBe("// SP-X-2");
    expect(commentOf('const s = "SP-X-1";', false)).toBe("");
    expect(commentOf(" * SP-X-3", false)).toBe(" * SP-X-3");
  });

  it("tells a line starting an item from a sentence broken before an id", () => {
    expect(startsItem("SP-PUB-3: drop when full")).toBe(true);
    expect(startsItem("SP-PAIR-2/-3 keep one peer")).toBe(true);
    expect(startsItem("SP-INPROC-1). Host and port are empty")).toBe(false);
    expect(startsItem("(SP-FIX-4), and it never hums.")).toBe(false);
    expect(startsItem("see SP-FIX-9")).toBe(false);
  });

  it("scans source files with file:line and skips tests and build output", () => {
    const found = scanCitations(`${tree}/reference`, tree).map(
      (c) => `${c.id}@${c.file}:${c.line}`,
    );
    expect(found).toEqual([
      "SP-FIX-1@reference/proto/lamp.ts:1",
      "SP-FIX-3@reference/proto/lamp.ts:3",
      "SP-FIX-4@reference/proto/lamp.ts:3",
      "SP-FIX-9@reference/proto/lamp.ts:4",
      "SP-FIX-1@reference/proto/lamp.ts:7",
      "SP-FIX-2@reference/proto/lamp.ts:7",
      "SP-FIX-4@reference/proto/switch.ts:2",
      "SP-FIX-1@reference/proto/switch.ts:5",
      "SP-FIX-2@reference/proto/switch.ts:6",
    ]);
  });

  it("keeps the comment around each citation, markers removed", () => {
    const comment = new Map(
      scanCitations(`${tree}/reference`, tree).map((c) => [
        `${c.id}@${c.file}:${c.line}`,
        c.comment,
      ]),
    );
    expect(comment.get("SP-FIX-1@reference/proto/lamp.ts:1")).toBe("A lamp (SP-FIX-1).");
    expect(comment.get("SP-FIX-9@reference/proto/lamp.ts:4")).toBe(
      "see SP-FIX-9 (no such requirement)",
    );
    expect(comment.get("SP-FIX-2@reference/proto/lamp.ts:7")).toBe(
      "SP-FIX-1..2 are about the lamp itself.",
    );
    // A paragraph of // lines joins; a neighbour with its own citation does not.
    expect(comment.get("SP-FIX-4@reference/proto/switch.ts:2")).toBe(
      "The switch flips the lamp at once (SP-FIX-4), and it never hums.",
    );
    expect(comment.get("SP-FIX-1@reference/proto/switch.ts:5")).toBe("SP-FIX-1: on");
    expect(comment.get("SP-FIX-2@reference/proto/switch.ts:6")).toBe("SP-FIX-2: silent");
  });
});

describe("collectTrace on a fixture tree", () => {
  it("links every requirement to transitions, code and cases with verdicts", async () => {
    const trace = await fixture();
    const one = trace.rows.find((r) => r.id === "SP-FIX-1");
    expect(one?.transitions).toEqual(["lamp:off:press", "lamp:on:press[quiet]"]);
    expect(one?.file).toBe("rfc/draft-sp-fix.md");
    expect(one?.section).toBe("Behaviour");
    expect(one?.tableRows.map((t) => [t.transition, t.line, t.spec?.line])).toEqual([
      ["lamp:off:press", 30, 4],
      ["lamp:on:press[quiet]", 31, 8],
    ]);
    expect(one?.tableRows[1]?.cells).toEqual(["on", "press", "quiet", "", "off"]);
    expect(one?.code.map((c) => `${c.file}:${c.line}`)).toEqual([
      "reference/proto/lamp.ts:1",
      "reference/proto/lamp.ts:7",
      "reference/proto/switch.ts:5",
    ]);
    expect(one?.cases).toEqual([
      {
        id: "lamp/lights",
        title: "The lamp lights when switched on",
        file: "conformance/cases/index.ts",
        line: 4,
        verdicts: { ref: "pass", other: "fail" },
      },
      {
        id: "lamp/dims",
        title: "The lamp dims",
        file: "conformance/cases/index.ts",
        line: 9,
        verdicts: { ref: "warn" },
      },
    ]);
    expect(trace.rows.find((r) => r.id === "SP-FIX-3")?.settings).toEqual([
      { table: "defaults", name: "dimMs", value: "250", line: 36 },
    ]);
    expect(trace.machines).toEqual(["lamp"]);
  });

  it("counts MUST coverage by cases and by code citations", async () => {
    const { summary } = await fixture();
    expect(summary).toMatchObject({
      requirements: 4,
      must: 3,
      mustWithCase: 1,
      mustWithCode: 3,
      mustWithTransition: 2,
      mustWithoutCase: ["SP-FIX-2", "SP-FIX-4"],
      cases: 3,
      transitions: 2,
    });
    expect(isMust(["SHOULD", "MUST"])).toBe(true);
    expect(isMust(["SHOULD", "MAY"])).toBe(false);
  });

  it("reports ids cited by code or cases that no draft defines", async () => {
    const { unknown } = await fixture();
    expect(unknown).toEqual([
      { id: "SP-FIX-7", where: "case lamp/ghost" },
      { id: "SP-FIX-9", where: "reference/proto/lamp.ts:4" },
    ]);
    const [seven, nine] = (await fixture()).undefinedRows;
    expect(seven).toMatchObject({ id: "SP-FIX-7", retiredIn: "draft-sp-fix", code: [] });
    expect(seven?.cases.map((c) => c.id)).toEqual(["lamp/ghost"]);
    expect(nine).toMatchObject({ id: "SP-FIX-9", retiredIn: null, cases: [] });
  });

  it("renders Markdown and JSON with the coverage figures", async () => {
    const trace = await fixture();
    const md = traceMarkdown(trace);
    expect(md).toContain("MUST coverage by cases: 1/3 (33.3%)");
    expect(md).toContain("## MUSTs without a conformance case (2)");
    expect(md).toContain("`lamp/lights` (other: fail, ref: pass)");
    expect(md).toContain("- ref 1.0 (results/ref/results.json)");
    expect(md).toContain(
      "- **SP-FIX-4** (MUST, SHOULD; rfc/draft-sp-fix.md:26): A lamp MUST switch off when told, and SHOULD do so at once.",
    );
    expect(md).toContain(
      "  - `reference/proto/switch.ts:2`: The switch flips the lamp at once (SP-FIX-4), and it never hums.",
    );
    const json = JSON.parse(traceJson(trace));
    expect(json.summary.mustWithCode).toBe(3);
    expect(json.requirements).toHaveLength(4);
    expect(summaryLines(trace)[2]).toBe("MUST coverage by code citations: 3/3 (100.0%)");
  });
});

/** Runs `body` in a fresh temporary folder, removed afterwards. */
async function inTemp(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "trace-"));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("latest verdicts", () => {
  it("merges per case: a newer partial run does not hide an older full one", () =>
    inTemp(async (dir) => {
      const report = async (sub: string, when: number, iuts: string[], cases: string[][]) => {
        await mkdir(join(dir, sub));
        const file = join(dir, sub, "results.json");
        await writeFile(
          file,
          JSON.stringify({
            iuts: iuts.map((name) => ({ name, version: "1" })),
            cases: cases.map(([id, verdict]) => ({
              id,
              results: Object.fromEntries(iuts.map((n) => [n, { verdict }])),
            })),
          }),
        );
        utimesSync(file, new Date(when), new Date(when));
      };
      await report(
        "nng",
        1000,
        ["nng"],
        [
          ["a/one", "pass"],
          ["a/two", "fail"],
        ],
      );
      await report("matrix", 2000, ["nng", "zz"], [["a/two", "pass"]]);
      await mkdir(join(dir, "empty"));
      const v = loadVerdicts(dir, { order: ["nng"], root: dir });
      expect(v.byCase.get("a/one")).toEqual({ nng: "pass" });
      expect(v.byCase.get("a/two")).toEqual({ nng: "pass", zz: "pass" });
      expect(v.implementations).toEqual([
        {
          name: "nng",
          version: "1",
          file: "matrix/results.json",
          files: ["matrix/results.json", "nng/results.json"],
        },
        { name: "zz", version: "1", file: "matrix/results.json", files: ["matrix/results.json"] },
      ]);
    }));
});

describe("verdicts of renamed cases", () => {
  it("count for the new id and remember the old one", () =>
    inTemp(async (dir) => {
      await mkdir(join(dir, "nng"));
      await writeFile(
        join(dir, "nng", "results.json"),
        JSON.stringify({
          iuts: [{ name: "nng", version: "1" }],
          cases: [
            { id: "old/one", results: { nng: { verdict: "fail" } } },
            { id: "old/two", results: { nng: { verdict: "fail" } } },
            { id: "new/two", results: { nng: { verdict: "pass" } } },
          ],
        }),
      );
      const aliases = { "old/one": "new/one", "old/two": "new/two" };
      const v = loadVerdicts(dir, { root: dir, aliases });
      expect(v.byCase.get("new/one")).toEqual({ nng: "fail" });
      expect(v.reportedAs.get("new/one")).toEqual({ nng: "old/one" });
      // The current id wins over an old one in the same file.
      expect(v.byCase.get("new/two")).toEqual({ nng: "pass" });
      expect(v.reportedAs.has("new/two")).toBe(false);
      expect(v.byCase.has("old/one")).toBe(false);
    }));
});

describe("case files", () => {
  it("finds literal ids, then quoted ids, then the most specific template", () =>
    inTemp(async (dir) => {
      await mkdir(join(dir, "fam"));
      const hole = ["$", "{p}"].join(""); // a template's placeholder, as text
      await writeFile(
        join(dir, "fam", "a.ts"),
        [
          'export const one = { id: "fam/one", title: "x" };',
          `const make = (p: string) => ({ id: \`fam/${hole}-made\`, title: p });`,
          `const loose = (p: string) => ({ id: \`${hole}\`, title: p });`,
          'const named = caseCalled("fam/named");',
        ].join("\n"),
      );
      await writeFile(join(dir, "aliases.ts"), 'export const old = { id: "fam/one" };');
      const where = indexCaseFiles(dir, dir);
      expect(where.locate("fam/one")).toEqual({ file: "fam/a.ts", line: 1 });
      expect(where.locate("fam/named")).toEqual({ file: "fam/a.ts", line: 4 });
      expect(where.locate("fam/x-made")).toEqual({ file: "fam/a.ts", line: 2 });
      expect(where.locate("other/thing")).toEqual({ file: "fam/a.ts", line: 3 });
    }));
});
