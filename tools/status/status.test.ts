import { utimesSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { casesFor, renderStatus, replaceStatus, sanitizeReason } from "./render.ts";
import { loadResults, parseResults, withCurrentReasons } from "./results.ts";

const results = fileURLToPath(new URL("../trace/fixtures/tree/results", import.meta.url));

describe("loadResults", () => {
  it("reads one run per implementation, in the requested order", () => {
    const runs = loadResults(results, { order: ["ref", "other"] });
    expect(runs.map((r) => `${r.name} ${r.version} ${r.cases.length}`)).toEqual([
      "ref 1.0 2",
      "other 2.1 1",
    ]);
    expect(loadResults(results, { only: ["other"] }).map((r) => r.name)).toEqual(["other"]);
    expect(loadResults(join(results, "absent"))).toEqual([]);
  });

  it("keeps the newest file when two report the same implementation", async () => {
    const dir = await mkdtemp(join(tmpdir(), "status-results-"));
    try {
      const doc = (verdict: string) =>
        JSON.stringify({
          iuts: [{ name: "x", version: "1" }],
          cases: [{ id: "a/b", requirements: ["SP-A-1"], results: { x: { verdict } } }],
        });
      for (const [sub, verdict] of [
        ["old", "fail"],
        ["new", "pass"],
      ] as const) {
        await mkdir(join(dir, sub));
        await writeFile(join(dir, sub, "results.json"), doc(verdict));
      }
      utimesSync(join(dir, "old", "results.json"), new Date(1000), new Date(1000));
      expect(loadResults(dir)[0]?.cases[0]?.verdict).toBe("pass");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("renderStatus", () => {
  const runs = loadResults(results, { order: ["ref", "other"] });

  it("lists counts and named deviations per implementation", () => {
    const text = renderStatus("SP-FIX", runs);
    expect(text).toContain("## ref 1.0");
    expect(text).toContain(
      "Conformance: 2 cases of the suite check `SP-FIX` requirements: 1 pass, 1 warn.",
    );
    expect(text).toContain("* `lamp/dims` (warn; checks `SP-FIX-1`, `SP-FIX-3`): dimmed at once.");
    expect(text).toContain(
      "* `lamp/lights` (fail; checks `SP-FIX-1`; recorded as known in the suite's expectations for other): stays dark.",
    );
  });

  it("is deterministic and idempotent when applied to a draft", () => {
    const draft =
      "# Implementation Status\n\n<!-- implementation-status:begin -->\nold\n<!-- implementation-status:end -->\n";
    const once = replaceStatus(draft, renderStatus("SP-FIX", runs));
    const twice = replaceStatus(once ?? "", renderStatus("SP-FIX", runs));
    expect(once).not.toBeNull();
    expect(once).not.toContain("\nold\n");
    expect(twice).toBe(once);
  });

  it("says so when there are no results or no cases for the draft", () => {
    expect(renderStatus("SP-FIX", [])).toContain("No conformance results have been recorded yet.");
    expect(renderStatus("SP-NONE", runs)).toContain(
      "No case of this run checks `SP-NONE` requirements directly.",
    );
    const [first] = runs;
    if (first) expect(casesFor("SP-NONE", first)).toEqual([]);
    expect(parseResults('{"iuts":[{"name":"y"}]}', "f")[0]?.version).toBe("unknown");
  });

  it("refuses drafts without exactly one pair of markers", () => {
    expect(replaceStatus("no markers", "x")).toBeNull();
    const two = "<!-- implementation-status:begin -->\n<!-- implementation-status:end -->\n";
    expect(replaceStatus(two + two, "x")).toBeNull();
  });

  it("describes a known deviation by the expectations file's reason, an unexpected one by the case's", () => {
    const doc = JSON.stringify({
      iuts: [{ name: "x", version: "1" }],
      cases: [
        {
          id: "a/known",
          requirements: ["SP-A-1"],
          results: {
            x: {
              verdict: "fail",
              expected: "fail",
              reason: "Property failed after 1 tests Counterexample: [0]",
              expectedReason: "x delivers hop count 0",
            },
          },
        },
        {
          id: "a/new",
          requirements: ["SP-A-2"],
          results: {
            x: { verdict: "fail", reason: "got 00 01", expectedReason: "listed as info" },
          },
        },
      ],
    });
    const text = renderStatus("SP-A", parseResults(doc, "r.json"));
    expect(text).toContain("for x): x delivers hop count 0.");
    expect(text).not.toContain("Counterexample");
    expect(text).toContain("checks `SP-A-2`): got 00 01.");
  });

  it("takes a known deviation's reason from the expectations file as it is now", async () => {
    const dir = await mkdtemp(join(tmpdir(), "status-exp-"));
    try {
      const doc = JSON.stringify({
        iuts: [{ name: "x", version: "1" }],
        cases: [
          {
            id: "a/known",
            requirements: ["SP-A-1"],
            results: { x: { verdict: "fail", expected: "fail", expectedReason: "old words" } },
          },
          {
            id: "a/other",
            requirements: ["SP-A-2"],
            results: { x: { verdict: "warn", expected: "warn", expectedReason: "kept" } },
          },
        ],
      });
      await writeFile(
        join(dir, "x.json"),
        JSON.stringify({
          cases: {
            "a/known": { verdict: "fail", reason: "new words" },
            "a/other": { verdict: "info", reason: "listed otherwise now" },
          },
        }),
      );
      const [run] = withCurrentReasons(parseResults(doc, "r.json"), dir);
      expect(run?.cases.map((c) => c.expectedReason)).toEqual(["new words", "kept"]);
      expect(
        withCurrentReasons(parseResults(doc, "r.json"), join(dir, "none"))[0]?.cases[0]
          ?.expectedReason,
      ).toBe("old words");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("keeps reasons from reading as requirements or markup", () => {
    expect(sanitizeReason("peer MUST close [SP-X-1]\n  `code` <b>")).toBe(
      "peer must close (SP-X-1) 'code' \\<b\\>",
    );
    expect(sanitizeReason("x".repeat(300))).toHaveLength(240);
    // A long reason ends at the last whole sentence or clause that fits.
    const long = `${"a".repeat(150)}; ${"b".repeat(50)}. ${"c".repeat(100)}`;
    expect(sanitizeReason(long)).toBe(`${"a".repeat(150)}; ${"b".repeat(50)}.`);
    // fast-check's replay parameters are not part of a deviation.
    expect(
      sanitizeReason(
        'Property failed after 1 tests\n{ seed: 1380689122, path: "0:0:0", endOnFailure: true }\nCounterexample: [{"hop":0}]\nShrunk 2 time(s)\nHint: Enable verbose mode',
      ),
    ).toBe('Property failed after 1 tests Counterexample: (\\{"hop":0\\})');
  });
});
