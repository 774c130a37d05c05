/**
 * A checker for relative links in Markdown, read the way GitHub renders the
 * files: a link to a path must name a file or folder of the repository, and a
 * `#fragment` pointing into a Markdown file must match one of its headings
 * (slugged as GitHub slugs them) or an HTML `id`/`name` in it. Links with a
 * scheme (`https:`, `mailto:`) are not followed.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, relative, sep } from "node:path";
import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmTableFromMarkdown } from "mdast-util-gfm-table";
import { gfmTable } from "micromark-extension-gfm-table";

/** One link or image source found in a Markdown file. */
export interface FoundLink {
  url: string;
  line: number;
}

/** What one Markdown file offers and asks for. */
export interface MarkdownScan {
  /** Link, image and definition targets, and `href`/`src` in raw HTML. */
  links: FoundLink[];
  /** Fragment ids a link may point at: heading slugs, HTML `id` and `name`. */
  anchors: Set<string>;
}

export interface BrokenLink {
  /** The file holding the link, relative to the root, with `/` separators. */
  file: string;
  line: number;
  url: string;
  reason: string;
}

/** The few parts of an mdast node that the scan reads. */
interface MdNode {
  type: string;
  url?: string;
  value?: string;
  children?: MdNode[];
  position?: { start: { line: number } };
}

// Everything GitHub keeps in a slug: letters, combining marks, digits,
// connector punctuation (`_`), the hyphen and the space (later a hyphen).
const dropFromSlug = /[^\p{L}\p{M}\p{N}\p{Pc} -]/gu;

/** GitHub's slug for one heading text, before duplicates are numbered. */
export function githubSlug(text: string): string {
  return text.toLowerCase().replace(dropFromSlug, "").replace(/ /g, "-");
}

/**
 * Slugs for the headings of one document in order: a repeated slug gets
 * `-1`, `-2`, ... appended, skipping any that are already taken.
 */
export class Slugger {
  readonly #seen = new Map<string, number>();

  slug(text: string): string {
    const base = githubSlug(text);
    let result = base;
    while (this.#seen.has(result)) {
      const n = (this.#seen.get(base) ?? 0) + 1;
      this.#seen.set(base, n);
      result = `${base}-${n}`;
    }
    this.#seen.set(result, 0);
    return result;
  }
}

/** The text a reader sees in a heading: raw HTML tags and images count for nothing. */
function visibleText(node: MdNode): string {
  if (node.type === "html" || node.type === "image" || node.type === "imageReference") return "";
  if (node.type === "text" || node.type === "inlineCode") return node.value ?? "";
  return (node.children ?? []).map(visibleText).join("");
}

const htmlUrlAttr = /\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;
const htmlIdAttr = /\b(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;

/** Lists the links of one Markdown text and the anchors it defines. */
export function scanMarkdown(text: string): MarkdownScan {
  const tree = fromMarkdown(text, {
    extensions: [gfmTable()],
    mdastExtensions: [gfmTableFromMarkdown()],
  }) as MdNode;
  const links: FoundLink[] = [];
  const anchors = new Set<string>();
  const slugger = new Slugger();
  const visit = (node: MdNode): void => {
    const line = node.position?.start.line ?? 0;
    if (node.type === "heading") anchors.add(slugger.slug(visibleText(node)));
    if ((node.type === "link" || node.type === "image" || node.type === "definition") && node.url)
      links.push({ url: node.url, line });
    if (node.type === "html" && node.value) {
      const html = node.value;
      for (const m of html.matchAll(htmlUrlAttr)) {
        const at = line + (html.slice(0, m.index).match(/\n/g)?.length ?? 0);
        links.push({ url: m[1] ?? m[2] ?? "", line: at });
      }
      for (const m of html.matchAll(htmlIdAttr)) anchors.add(m[1] ?? m[2] ?? "");
    }
    for (const child of node.children ?? []) visit(child);
  };
  visit(tree);
  return { links, anchors };
}

/** True for `https:`, `mailto:`, `//host` and the like: nothing to find on disk. */
export function isExternal(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith("//");
}

/** The file system as the checker sees it; tests hand in a map. */
export interface FileView {
  /** "file", "dir", or null when nothing is there. */
  kind(path: string): "file" | "dir" | null;
  read(path: string): string;
}

export const diskView: FileView = {
  kind(path) {
    if (!existsSync(path)) return null;
    return statSync(path).isDirectory() ? "dir" : "file";
  },
  read: (path) => readFileSync(path, "utf8"),
};

const isMarkdown = (path: string) => /\.(md|markdown)$/i.test(path);
const toPosix = (path: string) => path.split(sep).join("/");

function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

/**
 * Checks every relative link of `files` (paths relative to `root`). A link
 * starting with `/` is read from the root, as GitHub reads it from the
 * repository's top. Returns the broken ones in file and line order.
 */
export function checkLinks(root: string, files: readonly string[], fs: FileView = diskView) {
  const scans = new Map<string, MarkdownScan>();
  const scanOf = (abs: string): MarkdownScan => {
    let scan = scans.get(abs);
    if (!scan) {
      scan = scanMarkdown(fs.read(abs));
      scans.set(abs, scan);
    }
    return scan;
  };
  const broken: BrokenLink[] = [];
  for (const file of [...files].sort()) {
    const abs = join(root, file);
    for (const link of scanOf(abs).links) {
      const reason = problemWith(link.url, abs);
      if (reason) broken.push({ file: toPosix(file), line: link.line, url: link.url, reason });
    }
  }
  return broken;

  function problemWith(url: string, from: string): string | null {
    if (url === "" || isExternal(url)) return null;
    const hashAt = url.indexOf("#");
    const beforeHash = hashAt < 0 ? url : url.slice(0, hashAt);
    const rawFragment = hashAt < 0 ? null : url.slice(hashAt + 1);
    const rawPath = beforeHash.split("?")[0] ?? "";
    const path = decode(rawPath);
    if (path === null) return "malformed percent-encoding";
    let target = from;
    if (path !== "") {
      target = path.startsWith("/") ? join(root, path) : join(dirname(from), path);
      const inside = relative(root, normalize(target));
      if (inside.startsWith("..") || isAbsolute(inside)) return "points outside the repository";
      const kind = fs.kind(target.replace(/[\\/]+$/, ""));
      if (kind === null) return "no such file or folder";
      if (path.endsWith("/") && kind !== "dir") return "not a folder";
      if (kind === "dir") return rawFragment ? "a folder has no headings" : null;
    }
    if (rawFragment === null || !isMarkdown(target)) return null;
    const fragment = decode(rawFragment);
    if (fragment === null) return "malformed percent-encoding in the fragment";
    // An empty fragment and #top lead to the top of the page in any browser.
    if (fragment === "" || fragment === "top") return null;
    return scanOf(target).anchors.has(fragment) ? null : `no heading or anchor #${fragment}`;
  }
}

/** `file:line: url (reason)`, one per line, for a person to click through. */
export function formatBroken(broken: readonly BrokenLink[]): string {
  return broken.map((b) => `${b.file}:${b.line}: ${b.url} (${b.reason})`).join("\n");
}

/**
 * The repository's Markdown files as git sees them (tracked, or new and not
 * ignored), relative to `root`. Test fixtures are left out: they are inputs
 * for other tools, not pages anyone reads. Without git, the folders that
 * hold dependencies and generated output are skipped instead.
 */
export function repoMarkdownFiles(root: string): string[] {
  let files: string[];
  try {
    files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    }).split("\n");
  } catch {
    const skip = new Set([".git", "node_modules", "dist", ".cache", "build", "reports"]);
    files = [];
    const walk = (sub: string) => {
      for (const e of readdirSync(join(root, sub), { withFileTypes: true })) {
        if (skip.has(e.name)) continue;
        const rel = sub === "" ? e.name : `${sub}/${e.name}`;
        if (e.isDirectory()) walk(rel);
        else files.push(rel);
      }
    };
    walk("");
  }
  // A file deleted from the working tree is still listed while it is tracked.
  return files.filter(
    (f) => /\.md$/i.test(f) && !f.includes("/fixtures/") && existsSync(join(root, f)),
  );
}
