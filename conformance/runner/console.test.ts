import { describe, expect, it } from "vitest";
import type { ConformanceCase } from "../cases/types.ts";
import { consoleMode, RunConsole, recap } from "./console.ts";
import type { ResultEvent } from "./matrix.ts";
import { lastLine, type Results, summarize } from "./results.ts";

const aCase = (id: string): ConformanceCase => ({
  id,
  title: id,
  requirements: ["SP-X-1"],
  kind: "example",
  needs: { protocols: [], transports: [] },
  async run() {},
});

const event = (id: string, verdict: ResultEvent["verdict"], expected = "pass"): ResultEvent => ({
  case: aCase(id),
  iut: "reference",
  multi: false,
  verdict,
  expected: expected as ResultEvent["expected"],
  outcome: {
    verdict: verdict === "flaky" ? "pass" : verdict,
    notes: [],
    durationMs: 3,
    died: false,
    reason: `${id} why`,
  },
  rep: 0,
  repeat: 1,
});

function capture(isTTY: boolean) {
  let text = "";
  const stream = { isTTY, columns: 80, write: (s: string) => (text += s) };
  return { stream, text: () => text };
}

describe("console", () => {
  it("colour only on a terminal and only without NO_COLOR", () => {
    expect(consoleMode({ write() {}, isTTY: true }, {})).toEqual({ live: true, color: true });
    expect(consoleMode({ write() {}, isTTY: true }, { NO_COLOR: "1" })).toEqual({
      live: true,
      color: false,
    });
    expect(consoleMode({ write() {} }, {})).toEqual({ live: false, color: false });
  });

  it("not a terminal: one plain line per result", () => {
    const out = capture(false);
    const con = new RunConsole(out.stream, { live: false, color: false }, 2);
    con.start();
    con.result(event("a/pass", "pass"));
    con.result(event("a/warn", "warn"));
    con.stop();
    expect(out.text()).toBe(
      "PASS  a/pass  (3 ms)  SP-X-1\nWARN  a/warn  (3 ms)  SP-X-1\n      a/warn why\n",
    );
  });

  it("a terminal: a progress line redrawn in place, passes only counted", () => {
    const out = capture(true);
    const con = new RunConsole(out.stream, { live: true, color: false }, 2);
    con.start();
    con.result(event("a/pass", "pass"));
    con.result(event("a/fail", "fail"));
    con.stop();
    const text = out.text();
    expect(text).toContain("\r\x1b[2K1/2  0 failed  0:00  a/pass");
    expect(text).toContain("FAIL  a/fail");
    expect(text).not.toContain("PASS");
    expect(text).toMatch(/2\/2 {2}1 failed/);
    expect(text.endsWith("\r\x1b[2K")).toBe(true);
  });

  it("the recap lists the expected failures, then what fails the run (last, for a log's tail); the last line counts apart", () => {
    const cases: Results["cases"] = [
      {
        id: "a/x",
        title: "",
        requirements: [],
        kind: "example",
        results: {
          r: { verdict: "fail", expected: "pass", durationMs: 1, reason: "broke\ndetail" },
        },
      },
      {
        id: "a/y",
        title: "",
        requirements: [],
        kind: "example",
        results: { r: { verdict: "flaky", expected: "pass", durationMs: 1, reason: "changed" } },
      },
      {
        id: "a/z",
        title: "",
        requirements: [],
        kind: "example",
        results: { r: { verdict: "pass", expected: "warn", durationMs: 1 } },
      },
      {
        id: "a/k",
        title: "",
        requirements: [],
        kind: "example",
        results: { r: { verdict: "fail", expected: "fail", durationMs: 1, reason: "known" } },
      },
      {
        id: "a/w",
        title: "",
        requirements: [],
        kind: "example",
        results: { r: { verdict: "warn", expected: "pass", durationMs: 1 } },
      },
      {
        id: "a/p",
        title: "",
        requirements: [],
        kind: "example",
        results: { r: { verdict: "pass", expected: "pass", durationMs: 1 } },
      },
    ];
    const results = { iuts: [{ name: "r", version: "1" }], cases } as Results;
    expect(recap(results)).toEqual([
      "expected failures (1):",
      "  FAIL a/k (expected): known",
      "failing the run (3):",
      "  FAIL a/x: broke",
      "  FLAKY a/y: changed",
      "  UNEXPECTED PASS a/z: passed, but the expectations say warn",
    ]);
    expect(lastLine(summarize(cases))).toBe(
      "conformance: 1 passed, 3 failed, 1 warn, 0 info, 0 unsupported, 1 expected fail",
    );
  });
});
