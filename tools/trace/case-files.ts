/**
 * Finds the source line that defines a conformance case, from its id. Cases
 * are plain objects in conformance/cases/<family>/*.ts, most with a literal
 * `id: "family/slug"`; some are made in loops from a template
 * (`` id: `${m.family}/path-${m.machine}-${n}` ``). A literal `id:` wins,
 * then the id quoted anywhere else, then the most specific template.
 *
 * @example
 * const where = indexCaseFiles("conformance/cases", ".");
 * where.locate("reqrep/req-resend-after-timer"); // { file: "conformance/cases/reqrep/req-resend.ts", line: 11 }
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** A file and line, the file relative to the root given to {@link indexCaseFiles}. */
export interface SourceSite {
  readonly file: string;
  readonly line: number;
}

/** Looks up where a case is defined. */
export interface CaseFileIndex {
  locate(id: string): SourceSite | undefined;
}

interface Template {
  readonly pattern: RegExp;
  /** Characters of literal text; more means more specific. */
  readonly literal: number;
  readonly site: SourceSite;
}

const ID_FIELD = /\bid:\s*(["'`])((?:(?!\1).)+)\1/g;
const HOLE = /\$\{[^}]*\}/g;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function sourceFiles(dir: string, out: string[]): void {
  let entries: import("node:fs").Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.name === "node_modules" || e.name === "dist" || e.name.startsWith(".")) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    // aliases.ts maps old ids to new ones: it names cases, it does not define them.
    else if (/\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) && e.name !== "aliases.ts") {
      out.push(p);
    }
  }
}

/** Indexes the case sources under `dir`; paths are reported relative to `root`. */
export function indexCaseFiles(dir: string, root: string): CaseFileIndex {
  const paths: string[] = [];
  sourceFiles(dir, paths);
  const exact = new Map<string, SourceSite>();
  const templates: Template[] = [];
  const texts: { file: string; lines: string[] }[] = [];
  for (const p of paths) {
    const file = relative(root, p).split("\\").join("/");
    const lines = readFileSync(p, "utf8").split("\n");
    texts.push({ file, lines });
    lines.forEach((text, k) => {
      for (const m of text.matchAll(ID_FIELD)) {
        const value = m[2] ?? "";
        const site = { file, line: k + 1 };
        if (m[1] === "`" && value.includes("${")) {
          const parts = value.split(HOLE);
          templates.push({
            pattern: new RegExp(`^${parts.map(escapeRegExp).join(".+?")}$`),
            literal: parts.join("").length,
            site,
          });
        } else if (!exact.has(value)) exact.set(value, site);
      }
    });
  }
  return {
    locate(id: string): SourceSite | undefined {
      const hit = exact.get(id);
      if (hit) return hit;
      for (const { file, lines } of texts) {
        const k = lines.findIndex((l) => ['"', "'", "`"].some((q) => l.includes(`${q}${id}${q}`)));
        if (k >= 0) return { file, line: k + 1 };
      }
      let best: Template | undefined;
      for (const t of templates) {
        if (t.pattern.test(id) && (!best || t.literal > best.literal)) best = t;
      }
      return best?.site;
    },
  };
}
