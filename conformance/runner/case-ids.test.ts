import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type AliasMap,
  byCurrentId,
  caseFilter,
  currentId,
  formerIds,
  globMatcher,
  unmatchedPatterns,
} from "./case-ids.ts";
import { expectedVerdict, loadExpectationsFile } from "./expectations.ts";

// A made-up rename history: one case renamed twice, one renamed once.
const aliases: AliasMap = {
  "misc/first-name": "misc/second-name",
  "misc/second-name": "reqrep/third-name",
  "coverage/pub-thing": "pubsub/pub-thing",
};
const ids = ["reqrep/third-name", "pubsub/pub-thing", "pair/pair0-basic", "pair/pair1-basic"];
const select = (patterns: string[]) => ids.filter(caseFilter(patterns, aliases));

describe("globMatcher", () => {
  it("globs match the whole id, * stays in a segment, plain text matches anywhere", () => {
    expect(globMatcher("pair/*")("pair/pair0-basic")).toBe(true);
    expect(globMatcher("*")("pair/pair0-basic")).toBe(false);
    expect(globMatcher("**")("pair/pair0-basic")).toBe(true);
    expect(globMatcher("pair/pair?-basic")("pair/pair1-basic")).toBe(true);
    expect(globMatcher("pair0")("pair/pair0-basic")).toBe(true);
    expect(globMatcher("a.b")("axb")).toBe(false);
  });
});

describe("aliases", () => {
  it("follow chains to the current id and list the old ids of each case", () => {
    expect(currentId("misc/first-name", aliases)).toBe("reqrep/third-name");
    expect(currentId("pair/pair0-basic", aliases)).toBe("pair/pair0-basic");
    expect(formerIds(aliases).get("reqrep/third-name")).toEqual([
      "misc/first-name",
      "misc/second-name",
    ]);
    expect(() => currentId("a", { a: "b", b: "a" })).toThrow(/cycle/);
  });
});

describe("several --filter values", () => {
  it("select the union of what each selects", () => {
    expect(select(["pair/pair0-*"])).toEqual(["pair/pair0-basic"]);
    expect(select(["pair/pair0-*", "pair/pair1-*"])).toEqual([
      "pair/pair0-basic",
      "pair/pair1-basic",
    ]);
    expect(select([])).toEqual(ids);
  });

  it("select a case by any of its old ids, alone or together with other patterns", () => {
    expect(select(["misc/first-name"])).toEqual(["reqrep/third-name"]);
    expect(select(["coverage/*", "pair/pair1-*"])).toEqual([
      "pubsub/pub-thing",
      "pair/pair1-basic",
    ]);
    expect(select(["second"])).toEqual(["reqrep/third-name"]);
  });

  it("name the patterns that select nothing", () => {
    expect(unmatchedPatterns(["coverage/*", "nope/*"], ids, aliases)).toEqual(["nope/*"]);
  });
});

describe("expectations keyed by old ids", () => {
  const dir = mkdtempSync(join(tmpdir(), "sp-exp-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (cases: object) => {
    const file = join(dir, `e${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify({ iut: "mine", cases }));
    return file;
  };

  it("apply to the case under its new id", () => {
    const file = write({
      "misc/first-name": { verdict: "fail", reason: "known bug" },
      "coverage/pub-thing": { verdict: "warn", reason: "a SHOULD" },
    });
    const e = loadExpectationsFile(file, "other-name", aliases);
    expect(e.iut).toBe("other-name");
    expect(expectedVerdict(e, "reqrep/third-name")).toBe("fail");
    expect(expectedVerdict(e, "pubsub/pub-thing")).toBe("warn");
    expect(expectedVerdict(e, "pair/pair0-basic")).toBe("pass");
    expect(e.notes).toBeUndefined();
  });

  it("an entry under the new id wins over one under an old id, with a note", () => {
    const { entries, notes } = byCurrentId(
      { "misc/second-name": "old", "reqrep/third-name": "new" },
      aliases,
    );
    expect(entries).toEqual({ "reqrep/third-name": "new" });
    expect(notes[0]).toMatch(/misc\/second-name is an old id of reqrep\/third-name/);
  });

  it("a malformed entry names the file and the case", () => {
    const file = write({ "pair/pair0-basic": { verdict: "fail" } });
    expect(() => loadExpectationsFile(file, "mine", aliases)).toThrow(
      /pair\/pair0-basic needs a verdict/,
    );
  });
});
