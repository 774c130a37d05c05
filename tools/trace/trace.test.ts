import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { commentOf, idsInComment, scanCitations } from "./citations.ts";
import { collectTrace, isMust } from "./collect.ts";
import { summaryLines, traceJson, traceMarkdown } from "./report.ts";

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

  it("scans source files with file:line and skips tests", () => {
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
    ]);
  });
});

describe("collectTrace on a fixture tree", () => {
  it("links every requirement to transitions, code and cases with verdicts", async () => {
    const trace = await fixture();
    const one = trace.rows.find((r) => r.id === "SP-FIX-1");
    expect(one?.transitions).toEqual(["lamp:off:press", "lamp:on:press[quiet]"]);
    expect(one?.code).toEqual([
      { file: "reference/proto/lamp.ts", line: 1 },
      { file: "reference/proto/lamp.ts", line: 7 },
    ]);
    expect(one?.cases).toEqual([
      { id: "lamp/lights", verdicts: { ref: "pass", other: "fail" } },
      { id: "lamp/dims", verdicts: { ref: "warn" } },
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
  });

  it("renders Markdown and JSON with the coverage figures", async () => {
    const trace = await fixture();
    const md = traceMarkdown(trace);
    expect(md).toContain("MUST coverage by cases: 1/3 (33.3%)");
    expect(md).toContain("## MUSTs without a conformance case (2)");
    expect(md).toContain("`lamp/lights` (other: fail, ref: pass)");
    expect(md).toContain("- ref 1.0 (results/ref/results.json)");
    const json = JSON.parse(traceJson(trace));
    expect(json.summary.mustWithCode).toBe(3);
    expect(json.requirements).toHaveLength(4);
    expect(summaryLines(trace)[2]).toBe("MUST coverage by code citations: 3/3 (100.0%)");
  });
});
