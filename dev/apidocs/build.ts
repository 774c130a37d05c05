/**
 * The steps behind `npm run docs:api`: compile the library's declarations when
 * they are older than its sources, let API Extractor read them into a doc
 * model, and let API Documenter write one Markdown page per exported item.
 */
import { spawnSync } from "node:child_process";
import {
  type Dirent,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";

export const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, "..", "..");
export const cacheDir = join(repoRoot, ".cache", "apidocs");
export const modelDir = join(cacheDir, "model");
export const siteDir = join(repoRoot, "docs", "api");
const entryDts = join(repoRoot, "reference", "dist", "reference", "index.d.ts");

const toPosix = (path: string) => path.split(sep).join("/");

/** Every file under `dir` (relative, `/`-separated), skipping folders `skip` names. */
export function listFiles(dir: string, skip: (name: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const walk = (sub: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(dir, sub), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (skip(e.name)) continue;
      const rel = sub === "" ? e.name : `${sub}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (e.isFile()) out.push(rel);
    }
  };
  walk("");
  return out.sort();
}

/**
 * True when the compiled entry point is missing or older than a source it is
 * built from (the library's and spec/'s .ts files, the two tsconfigs).
 */
export function declarationsStale(): boolean {
  let built: number;
  try {
    built = statSync(entryDts).mtimeMs;
  } catch {
    return true;
  }
  const skip = (name: string) => name === "dist" || name === "node_modules";
  const sources = [
    join(repoRoot, "tsconfig.json"),
    join(repoRoot, "reference", "tsconfig.build.json"),
    ...["reference", "spec"].flatMap((room) =>
      listFiles(join(repoRoot, room), skip)
        .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
        .map((f) => join(repoRoot, room, f)),
    ),
  ];
  return sources.some((f) => {
    try {
      return statSync(f).mtimeMs > built;
    } catch {
      return false;
    }
  });
}

/** Runs the library's own build (tsc) when its declarations are stale. */
export function ensureDeclarations(log: (line: string) => void): void {
  if (!declarationsStale()) return;
  log("docs:api: building the library's declarations (npm run build -w sp-reference)");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const run = spawnSync(npm, ["run", "-s", "build", "-w", "sp-reference"], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  if (run.status !== 0) {
    throw new Error(`the library's build failed:\n${run.stdout}${run.stderr}`);
  }
}

/** One problem API Extractor found, with the file it points at. */
export interface DocWarning {
  id: string;
  text: string;
  /** Relative to the repository, `/`-separated; "" when there is no file. */
  file: string;
  line: number;
}

/**
 * The source a compiled declaration came from: the build mirrors
 * reference/ and spec/ under reference/dist/, `x.d.ts` from `x.ts`.
 */
export function sourceOf(file: string): string {
  const m = /^reference\/dist\/(.+)\.d\.ts$/.exec(file);
  return m ? `${m[1]}.ts` : file;
}

/** TSDoc syntax problems and `{@link}`/`{@inheritDoc}` targets that do not exist. */
export const isCommentProblem = (id: string) =>
  id.startsWith("tsdoc-") || id.startsWith("ae-unresolved-");

/** Counts by message id, and the files with the most warnings first. */
export function summarize(warnings: readonly DocWarning[], topFiles = 10): string[] {
  const byId = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const w of warnings) {
    byId.set(w.id, (byId.get(w.id) ?? 0) + 1);
    const src = sourceOf(w.file) || "(no file)";
    byFile.set(src, (byFile.get(src) ?? 0) + 1);
  }
  const order = (a: [string, number], b: [string, number]) =>
    b[1] - a[1] || a[0].localeCompare(b[0]);
  const inComments = warnings.filter((w) => isCommentProblem(w.id)).length;
  const lines = [
    `${warnings.length} API Extractor warnings, ${inComments} of them about doc comments (TSDoc syntax, unresolved links)`,
  ];
  if (warnings.length === 0) return lines;
  lines.push(
    `  by kind: ${[...byId]
      .sort(order)
      .map(([id, n]) => `${id} ${n}`)
      .join(", ")}`,
  );
  lines.push("  most in:");
  for (const [file, n] of [...byFile].sort(order).slice(0, topFiles))
    lines.push(`    ${n}  ${file}`);
  return lines;
}

/**
 * Runs API Extractor over the compiled entry point and writes the doc model
 * to .cache/apidocs/model/. Warnings are gathered rather than printed; an
 * error (a declaration it cannot read) throws.
 */
export async function extractModel(): Promise<DocWarning[]> {
  // Loaded here, not at the top: it brings its own TypeScript, which the unit tests need not load.
  const { Extractor, ExtractorConfig, ExtractorLogLevel, ExtractorMessageCategory } = await import(
    "@microsoft/api-extractor"
  );
  const configPath = join(here, "api-extractor.json");
  const config = ExtractorConfig.prepare({
    configObject: ExtractorConfig.loadFile(configPath),
    configObjectFullPath: configPath,
    // Without it the repository's own package.json (sp-project) would name the package.
    packageJsonFullPath: join(repoRoot, "reference", "package.json"),
  });
  for (const sub of ["report", "report-temp", "model"])
    mkdirSync(join(cacheDir, sub), { recursive: true });
  const warnings: DocWarning[] = [];
  const errors: string[] = [];
  const result = Extractor.invoke(config, {
    localBuild: true,
    messageCallback(message) {
      message.handled = true;
      if (message.category === ExtractorMessageCategory.Console) {
        if (message.logLevel === ExtractorLogLevel.Error) errors.push(message.text);
        return;
      }
      const file = message.sourceFilePath
        ? toPosix(relative(repoRoot, message.sourceFilePath))
        : "";
      if (message.logLevel === ExtractorLogLevel.Error) {
        errors.push(message.formatMessageWithLocation(repoRoot));
      } else if (message.logLevel === ExtractorLogLevel.Warning) {
        warnings.push({
          id: message.messageId,
          text: message.text,
          file,
          line: message.sourceFileLine ?? 0,
        });
      }
    },
  });
  if (!result.succeeded || errors.length > 0) {
    throw new Error(`API Extractor failed:\n${errors.join("\n")}`);
  }
  return warnings;
}

/** Writes every warning, one a line, to .cache/apidocs/warnings.txt; returns its path. */
export function writeWarnings(warnings: readonly DocWarning[]): string {
  const path = join(cacheDir, "warnings.txt");
  const lines = warnings.map(
    (w) => `${sourceOf(w.file)} (${w.file}:${w.line}) - (${w.id}) ${w.text}`,
  );
  writeFileSync(path, lines.length ? `${lines.join("\n")}\n` : "");
  return path;
}

/** The landing page GitHub shows under the folder's listing. */
export const siteReadme = `# sp-reference API reference

Generated by \`npm run docs:api\` from the doc comments in [reference/](../../reference): do not
edit these pages, edit the comments and run it again (\`npm run docs:api:check\` fails while they
are out of date).

Start at [sp-reference](./sp-reference.md), which lists every exported class, function,
interface, type and variable; each has its own page, and so does each member of a class or
interface. The hand-written guide with examples is [docs/API.md](../API.md).
`;

/**
 * Writes the Markdown site into `outDir` (emptied first) with API
 * Documenter, from the model in .cache/apidocs/model/. Returns the
 * warnings it printed that API Extractor had not already reported.
 */
export function renderSite(outDir: string): string[] {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("@microsoft/api-documenter/package.json");
  const bin = join(dirname(pkg), "bin", "api-documenter");
  rmSync(outDir, { recursive: true, force: true });
  // `generate` reads api-documenter.json (LF endings, inherited members) from its working folder.
  const run = spawnSync(process.execPath, [bin, "generate", "-i", modelDir, "-o", outDir], {
    cwd: here,
    encoding: "utf8",
  });
  const said = stripVTControlCharacters(`${run.stdout}${run.stderr}`);
  if (run.status !== 0) throw new Error(`API Documenter failed:\n${said}`);
  writeFileSync(join(outDir, "README.md"), siteReadme);
  return [...new Set(said.split("\n").filter(documenterNews))];
}

/**
 * The lines of API Documenter's output worth showing. It repeats each link
 * API Extractor could not resolve (already counted as ae-unresolved-link)
 * on every page that inherits the comment, and cannot see the members of
 * built-in bases such as Error; neither is news.
 */
export function documenterNews(line: string): boolean {
  if (!/warning|error/i.test(line)) return false;
  return !/Unable to resolve reference|findMembersWithInheritance/.test(line);
}

/** How two folders of generated files differ, by relative path. */
export interface SiteDiff {
  missing: string[];
  extra: string[];
  changed: string[];
}

/** Compares `expected` (just generated) with `actual` (checked in). */
export function diffSites(expected: string, actual: string): SiteDiff {
  const want = listFiles(expected);
  const have = new Set(listFiles(actual));
  const diff: SiteDiff = { missing: [], extra: [], changed: [] };
  for (const f of want) {
    if (!have.has(f)) diff.missing.push(f);
    else if (!readFileSync(join(expected, f)).equals(readFileSync(join(actual, f))))
      diff.changed.push(f);
    have.delete(f);
  }
  diff.extra = [...have].sort();
  return diff;
}
