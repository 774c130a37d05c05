import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type DocWarning,
  diffSites,
  documenterNews,
  listFiles,
  sourceOf,
  summarize,
} from "./build.ts";

const scratch = mkdtempSync(join(tmpdir(), "apidocs-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function writeTree(dir: string, files: Record<string, string>): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe("sourceOf", () => {
  it("maps a compiled declaration back to the .ts it came from", () => {
    expect(sourceOf("reference/dist/reference/core/pipe.d.ts")).toBe("reference/core/pipe.ts");
    expect(sourceOf("reference/dist/spec/constants.d.ts")).toBe("spec/constants.ts");
    expect(sourceOf("somewhere/else.ts")).toBe("somewhere/else.ts");
  });
});

describe("summarize", () => {
  const w = (id: string, file: string): DocWarning => ({ id, text: "", file, line: 1 });

  it("counts by kind and lists the files with the most first", () => {
    const lines = summarize([
      w("ae-unresolved-link", "reference/dist/reference/core/pipe.d.ts"),
      w("ae-unresolved-link", "reference/dist/reference/core/pipe.d.ts"),
      w("tsdoc-escape-right-brace", "reference/dist/reference/index.d.ts"),
      w("ae-forgotten-export", ""),
    ]);
    expect(lines).toEqual([
      "4 API Extractor warnings, 3 of them about doc comments (TSDoc syntax, unresolved links)",
      "  by kind: ae-unresolved-link 2, ae-forgotten-export 1, tsdoc-escape-right-brace 1",
      "  most in:",
      "    2  reference/core/pipe.ts",
      "    1  (no file)",
      "    1  reference/index.ts",
    ]);
  });

  it("says so when there is nothing", () => {
    expect(summarize([])).toEqual([
      "0 API Extractor warnings, 0 of them about doc comments (TSDoc syntax, unresolved links)",
    ]);
  });
});

describe("documenterNews", () => {
  it("drops the repeats of unresolved links and the built-in base classes", () => {
    expect(documenterNews('WARNING: Unable to resolve reference "close": not found')).toBe(false);
    expect(documenterNews("Diagnostic message for findMembersWithInheritance: x")).toBe(false);
    expect(documenterNews("Writing sp-reference.md")).toBe(false);
    expect(documenterNews("WARNING: something new")).toBe(true);
  });
});

describe("listFiles and diffSites", () => {
  it("list nested files and tell missing, extra and changed ones apart", () => {
    const fresh = writeTree(join(scratch, "fresh"), {
      "index.md": "a",
      "same.md": "s",
      "new.md": "n",
      "sub/deep.md": "d2",
    });
    const old = writeTree(join(scratch, "old"), {
      "index.md": "a",
      "same.md": "s",
      "gone.md": "g",
      "sub/deep.md": "d1",
    });
    expect(listFiles(fresh)).toEqual(["index.md", "new.md", "same.md", "sub/deep.md"]);
    expect(listFiles(fresh, (name) => name === "sub")).toEqual(["index.md", "new.md", "same.md"]);
    expect(listFiles(join(scratch, "absent"))).toEqual([]);
    expect(diffSites(fresh, old)).toEqual({
      missing: ["new.md"],
      extra: ["gone.md"],
      changed: ["sub/deep.md"],
    });
    expect(diffSites(fresh, fresh)).toEqual({ missing: [], extra: [], changed: [] });
  });
});
