import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  checkLinks,
  type FileView,
  formatBroken,
  githubSlug,
  isExternal,
  repoMarkdownFiles,
  Slugger,
  scanMarkdown,
} from "./links.ts";

/** A repository held in memory: file paths under /repo and their text. */
function memoryRepo(files: Record<string, string>): FileView {
  const all = new Map(Object.entries(files).map(([p, text]) => [`/repo/${p}`, text]));
  return {
    kind(path) {
      if (all.has(path)) return "file";
      const asDir = path.endsWith("/") ? path : `${path}/`;
      return [...all.keys()].some((p) => p.startsWith(asDir)) ? "dir" : null;
    },
    read(path) {
      const text = all.get(path);
      if (text === undefined) throw new Error(`no ${path}`);
      return text;
    },
  };
}

const check = (files: Record<string, string>) =>
  checkLinks(
    "/repo",
    Object.keys(files).filter((f) => f.endsWith(".md")),
    memoryRepo(files),
  );

describe("githubSlug", () => {
  it("lowercases, drops punctuation and turns spaces into hyphens", () => {
    expect(githubSlug("Per-call options: signal and timeoutMs")).toBe(
      "per-call-options-signal-and-timeoutms",
    );
    expect(githubSlug("In CI (GitHub Action, Docker)")).toBe("in-ci-github-action-docker");
    expect(githubSlug("What's new?")).toBe("whats-new");
  });

  it("keeps underscores, digits and letters outside ASCII, and every space", () => {
    expect(githubSlug("snake_case 2 Überblick")).toBe("snake_case-2-überblick");
    expect(githubSlug("a  b")).toBe("a--b");
    expect(githubSlug("A → B")).toBe("a--b");
  });
});

describe("Slugger", () => {
  it("numbers repeated headings the way GitHub does", () => {
    const s = new Slugger();
    expect(["Usage", "Usage", "Usage-1", "Usage"].map((h) => s.slug(h))).toEqual([
      "usage",
      "usage-1",
      "usage-1-1",
      "usage-2",
    ]);
  });
});

describe("scanMarkdown", () => {
  it("finds links in text, tables, images, definitions and raw HTML, not in code", () => {
    const scan = scanMarkdown(
      [
        "# Title",
        "",
        "See [a](a.md) and ![pic](img/p.png).",
        "",
        "| col | link |",
        "|---|---|",
        "| x | [b](b.md#part) |",
        "",
        "```",
        "[not a link](nowhere.md)",
        "```",
        "",
        "Inline `[nor this](nowhere.md)`, but [ref][r].",
        "",
        "[r]: c.md",
        "",
        "<p>\n<a href=\"d.md\">d</a> <img src='e.png'>\n</p>",
      ].join("\n"),
    );
    expect(scan.links.map((l) => [l.url, l.line])).toEqual([
      ["a.md", 3],
      ["img/p.png", 3],
      ["b.md#part", 7],
      ["c.md", 15],
      ["d.md", 18],
      ["e.png", 18],
    ]);
  });

  it("collects heading slugs from the visible text and HTML ids", () => {
    const scan = scanMarkdown(
      [
        "# The `send` call",
        "## [Linked](x.md) *heading*",
        "Setext heading",
        "--------------",
        '## <a name="old-name"></a>Renamed',
        '<div id="box"></div>',
        "",
        "## The `send` call",
      ].join("\n"),
    );
    expect([...scan.anchors].sort()).toEqual(
      [
        "the-send-call",
        "linked-heading",
        "setext-heading",
        "old-name",
        "renamed",
        "box",
        "the-send-call-1",
      ].sort(),
    );
  });
});

describe("isExternal", () => {
  it("knows schemes and protocol-relative links", () => {
    expect(isExternal("https://example.org/x")).toBe(true);
    expect(isExternal("mailto:a@b")).toBe(true);
    expect(isExternal("//cdn/x.js")).toBe(true);
    expect(isExternal("docs/a.md")).toBe(false);
    expect(isExternal("#frag")).toBe(false);
  });
});

describe("checkLinks", () => {
  it("accepts links to files, folders, headings and the page's own headings", () => {
    const broken = check({
      "README.md": [
        "# Top",
        "## Commands",
        "[api](docs/API.md) [api part](docs/API.md#flow-control) [tools](tools)",
        "[tools/](tools/) [root-relative](/docs/API.md) [here](#commands) [top](#top)",
        "[code line](tools/x.ts#L3) [encoded](docs/with%20space.md) [web](https://x.org/#nope)",
      ].join("\n"),
      "docs/API.md": "# API\n\n## Flow control\n\nBack to [readme](../README.md#top-1).",
      "docs/with space.md": "text",
      "tools/x.ts": "export {};",
    });
    // The one mistake: README has no second "Top" heading.
    expect(broken).toEqual([
      {
        file: "docs/API.md",
        line: 5,
        url: "../README.md#top-1",
        reason: "no heading or anchor #top-1",
      },
    ]);
  });

  it("reports each kind of broken link with its line", () => {
    const broken = check({
      "docs/guide.md": [
        "# Guide",
        "[gone](missing.md)",
        "[bad anchor](#nowhere) [other file](../README.md#absent)",
        "[escape](../../etc/passwd)",
        "[slash on a file](../README.md/)",
        "[fragment on a folder](../tools#x)",
        "[bad encoding](a%ZZ.md)",
      ].join("\n"),
      "README.md": "# Readme",
      "tools/x.ts": "",
    });
    expect(broken.map((b) => `${b.line} ${b.url} ${b.reason}`)).toEqual([
      "2 missing.md no such file or folder",
      "3 #nowhere no heading or anchor #nowhere",
      "3 ../README.md#absent no heading or anchor #absent",
      "4 ../../etc/passwd points outside the repository",
      "5 ../README.md/ not a folder",
      "6 ../tools#x a folder has no headings",
      "7 a%ZZ.md malformed percent-encoding",
    ]);
    expect(formatBroken(broken.slice(0, 1))).toBe(
      "docs/guide.md:2: missing.md (no such file or folder)",
    );
  });

  it("decodes percent-encoded fragments before matching headings", () => {
    expect(check({ "a.md": "# Über\n[x](#%C3%BCber)" })).toEqual([]);
  });
});

describe("repoMarkdownFiles", () => {
  const scratch = mkdtempSync(join(tmpdir(), "apidocs-md-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const tree = (dir: string) => {
    const files: Record<string, string> = {
      "README.md": "",
      "docs/a.md": "",
      "docs/notes.txt": "",
      "tools/fixtures/bad.md": "",
      "node_modules/pkg/README.md": "",
      "build/out.md": "",
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  };

  it("asks git, so ignored files stay out, and skips fixtures", () => {
    const dir = tree(join(scratch, "withgit"));
    writeFileSync(join(dir, ".gitignore"), "node_modules/\n/build/\n");
    execFileSync("git", ["init", "-q"], { cwd: dir });
    expect(repoMarkdownFiles(dir).sort()).toEqual(["README.md", "docs/a.md"]);
  });

  it("walks the folders itself outside a git work tree", () => {
    const dir = tree(join(scratch, "nogit"));
    // GIT_CEILING_DIRECTORIES keeps git from finding a repository above the scratch folder.
    const before = process.env.GIT_CEILING_DIRECTORIES;
    process.env.GIT_CEILING_DIRECTORIES = scratch;
    try {
      expect(repoMarkdownFiles(dir).sort()).toEqual(["README.md", "docs/a.md"]);
    } finally {
      if (before === undefined) delete process.env.GIT_CEILING_DIRECTORIES;
      else process.env.GIT_CEILING_DIRECTORIES = before;
    }
  });
});
