/** Patches apply exactly once or fail loudly; the scratch copy leaves the repository alone. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { applyEdits, applyFault, occurrences, PatchError, patchedFiles } from "./patch.ts";
import type { Fault } from "./types.ts";

const fault = (patch: Fault["patch"]): Fault => ({
  id: "x/y",
  requirements: ["SP-TCP-1"],
  description: "a test fault",
  families: ["tcp"],
  observe: "nothing in particular",
  patch,
});

describe("applyEdits", () => {
  test("replaces a text found once, edits applied in order", () => {
    const out = applyEdits("x/y", "f.ts", "a b c", [
      { file: "f.ts", search: "b", replace: "B" },
      { file: "f.ts", search: "B c", replace: "B C" },
    ]);
    expect(out).toBe("a B C");
  });

  test("refuses a text found twice or not at all", () => {
    expect(() =>
      applyEdits("x/y", "f.ts", "a a", [{ file: "f.ts", search: "a", replace: "b" }]),
    ).toThrow(/matches 2 times/);
    expect(() =>
      applyEdits("x/y", "f.ts", "a", [{ file: "f.ts", search: "z", replace: "b" }]),
    ).toThrow(PatchError);
  });

  test("a replacement is taken literally ($ signs stay)", () => {
    const out = applyEdits("x/y", "f.ts", "a", [{ file: "f.ts", search: "a", replace: "$1$&" }]);
    expect(out).toBe("$1$&");
  });

  test("occurrences counts non-overlapping matches", () => {
    expect(occurrences("aaaa", "aa")).toBe(2);
    expect(occurrences("abc", "")).toBe(0);
  });
});

describe("applyFault", () => {
  test("writes the patched file in the given tree only, and refuses paths outside the reference", () => {
    const dir = mkdtempSync(join(tmpdir(), "faults-test-"));
    try {
      mkdirSync(join(dir, "reference"));
      writeFileSync(join(dir, "reference", "a.ts"), "const x = 1;\n");
      const f = fault([{ file: "reference/a.ts", search: "1", replace: "2" }]);
      expect(patchedFiles(dir, f).get("reference/a.ts")).toBe("const x = 2;\n");
      expect(readFileSync(join(dir, "reference", "a.ts"), "utf8")).toBe("const x = 1;\n");
      applyFault(dir, f);
      expect(readFileSync(join(dir, "reference", "a.ts"), "utf8")).toBe("const x = 2;\n");
      const outside = fault([{ file: "conformance/a.ts", search: "1", replace: "2" }]);
      expect(() => patchedFiles(dir, outside)).toThrow(/not under/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
