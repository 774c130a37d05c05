/**
 * The results document (results.json, schema conformance/schema/results-1.json)
 * and the report writers: results.json, junit.xml (one testsuite per IUT) and
 * index.html (conformance/report/html.ts).
 *
 * junit mapping: fail → failure; flaky → failure of type `flaky`; a pass where
 * the expectations file says otherwise → failure of type `unexpected-pass`;
 * warn/info → passed testcase with system-out; unsupported and expected
 * failures → skipped. Test names are case ids (see {@link junit}).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { create } from "xmlbuilder2";
import { draftLinker } from "../report/drafts.ts";
import { renderHtml } from "../report/html.ts";
import {
  type CaseResult,
  failsRun,
  isUnexpectedFail,
  isUnexpectedPass,
  type Results,
} from "./results.ts";

// The document types and the verdict arithmetic live in results.ts; they are
// re-exported here for the modules that have always imported them from here.
export {
  type CaseResult,
  type CaseRow,
  failsRun,
  isUnexpectedFail,
  isUnexpectedPass,
  lastLine,
  type ReportVerdict,
  type Results,
  type Summary,
  summarize,
} from "./results.ts";

/** Writes results.json, junit.xml and index.html into `dir`. */
export function writeReports(dir: string, results: Results): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, "junit.xml"), junit(results));
  let html: string;
  try {
    html = renderHtml(results, { draftLink: draftLinker(dir) });
  } catch (e) {
    // A report bug must not hide the verdicts: results.json and junit.xml are written.
    const why = e instanceof Error ? (e.stack ?? e.message) : String(e);
    console.error(`could not render index.html: ${why}`);
    html = `<!doctype html><meta charset="utf-8"><title>SP conformance</title><p>The HTML report could not be rendered; see results.json.</p><pre>${why.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</pre>`;
  }
  writeFileSync(join(dir, "index.html"), html);
}

function details(r: CaseResult): string {
  const parts: string[] = [];
  if (r.reason) parts.push(r.reason);
  if (r.runs && r.runs.length > 1) parts.push(`verdicts of the runs: ${r.runs.join(", ")}`);
  if (r.notes?.length) parts.push(`notes:\n  ${r.notes.join("\n  ")}`);
  if (r.transcript) parts.push(`transcript:\n${r.transcript}`);
  if (r.stderr) parts.push(`IUT stderr:\n${r.stderr}`);
  return parts.join("\n\n");
}

/**
 * Renders junit.xml: one testsuite per IUT, named by the IUT alone. CI tools
 * track a test's history by (suite, classname, name), so all three are kept
 * stable: the suite and the classname are the IUT's report name and the test
 * name is the case id. Whatever may change between runs without the test
 * being a different one (the title, the requirement ids, the IUT version,
 * the verdict and its reason) goes into `<properties>`.
 */
export function junit(results: Results): string {
  const root = create({ version: "1.0", encoding: "UTF-8" }).ele("testsuites", {
    name: "sp-conformance",
    time: (results.durationMs / 1000).toFixed(3),
  });
  for (const iut of results.iuts) {
    const rows = results.cases.flatMap((c) => {
      const r = c.results[iut.name];
      return r ? [{ c, r }] : [];
    });
    const failed = rows.filter(({ c, r }) => failsRun(r, c.kind));
    const skipped = rows.filter(
      ({ r }) => r.verdict === "unsupported" || (r.verdict === "fail" && r.expected === "fail"),
    );
    const suite = root.ele("testsuite", {
      name: iut.name,
      tests: rows.length,
      failures: failed.length,
      errors: 0,
      skipped: skipped.length,
      time: (rows.reduce((n, { r }) => n + r.durationMs, 0) / 1000).toFixed(3),
    });
    const suiteProps = suite.ele("properties");
    suiteProps.ele("property", { name: "iut.version", value: iut.version });
    suiteProps.ele("property", { name: "seed", value: String(results.seed) });
    for (const { c, r } of rows) {
      const tc = suite.ele("testcase", {
        classname: iut.name,
        name: c.id,
        time: (r.durationMs / 1000).toFixed(3),
      });
      const props = tc.ele("properties");
      const prop = (name: string, value: string) => props.ele("property", { name, value });
      prop("title", c.title);
      prop("requirements", c.requirements.join(" "));
      prop("kind", c.kind);
      prop("verdict", r.verdict);
      prop("expected", r.expected);
      if (r.reason) prop("reason", firstLine(r.reason));
      if (r.runs && r.runs.length > 1) prop("runs", r.runs.join(" "));
      const text = details(r);
      if (isUnexpectedFail(r)) {
        tc.ele("failure", { message: r.reason ?? "failed", type: "fail" }).txt(text);
      } else if (r.verdict === "flaky") {
        tc.ele("failure", {
          message: `flaky (a suite problem, not an IUT failure): ${r.reason ?? ""}`,
          type: "flaky",
        }).txt(text);
      } else if (isUnexpectedPass(r, c.kind)) {
        tc.ele("failure", {
          message: `passed, but the expectations of ${iut.name} say ${r.expected}: update them`,
          type: "unexpected-pass",
        }).txt(text);
      } else if (r.verdict === "unsupported") {
        tc.ele("skipped", { message: `unsupported: ${r.reason ?? ""}` });
      } else if (r.verdict === "fail") {
        tc.ele("skipped", { message: `known failure (expectations): ${r.reason ?? ""}` });
        if (text) tc.ele("system-out").txt(text);
      } else if (r.verdict !== "pass" || r.expected !== "pass") {
        const head = r.verdict === r.expected ? r.verdict : `${r.verdict} (expected ${r.expected})`;
        tc.ele("system-out").txt(`${head}\n${text}`);
      }
    }
  }
  return root.end({ prettyPrint: true });
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? "";
}
