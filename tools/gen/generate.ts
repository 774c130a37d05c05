/**
 * Programmatic entry of the spec generator.
 *
 * @example
 * import { generate } from "./tools/gen/generate.ts";
 * const { files } = await generate({ draftsDir: "rfc", outDir: "spec", write: false });
 * for (const f of files) console.log(f.path); // machines/req.ts, ..., constants.ts
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { type Draft, readDraftFile } from "../draftparse/index.ts";
import { emitCompiledRuntime } from "./emit-compiled-runtime.ts";
import { emitMachine } from "./emit-machine.ts";
import { emitBind, emitConstants, emitIndex, emitRequirements } from "./emit-shared.ts";
import { biomeFormat, repoRoot } from "./format.ts";

/** Options of {@link generate}. */
export interface GenerateOptions {
  /** Folder holding `draft-*.md`. */
  readonly draftsDir: string;
  /** Folder to write into (the repository uses `spec`). */
  readonly outDir: string;
  /** Write the files (default false: only compute them). */
  readonly write?: boolean;
  /**
   * Format the output with biome (default true). Tests that only compile or
   * import a scratch regeneration may skip it: the code is the same.
   */
  readonly format?: boolean;
}

/** One generated file. `path` is relative to `outDir` with `/` separators. */
export interface GeneratedFile {
  readonly path: string;
  readonly absolutePath: string;
  readonly content: string;
}

/** Result of {@link generate}. */
export interface GenerateResult {
  readonly files: GeneratedFile[];
  readonly drafts: Draft[];
}

/** Result of {@link compareWithDisk}: paths relative to `outDir`. */
export interface CheckResult {
  readonly stale: string[];
  readonly missing: string[];
  readonly extra: string[];
}

const posix = (p: string) => p.split(sep).join("/");

/** Reads every `draft-*.md` in `draftsDir`, sorted by file name. */
export async function readDrafts(draftsDir: string): Promise<Draft[]> {
  const names = (await readdir(draftsDir)).filter((n) => /^draft-.*\.md$/.test(n)).sort();
  return Promise.all(
    names.map((n) => {
      const abs = resolve(draftsDir, n);
      return readDraftFile(abs, posix(relative(repoRoot, abs)));
    }),
  );
}

/** Machine ids that would overwrite a shared file of `spec/machines/`. */
const RESERVED = new Set(["bind", "compiled", "index"]);

/** Delay default: the defaults entry named NAME or NAMEMs, else 0. */
function delayDefaults(drafts: readonly Draft[]): Map<string, number> {
  const values = new Map<string, number>();
  for (const d of drafts) for (const e of d.defaults) values.set(e.name, e.value);
  const delays = new Map<string, number>();
  for (const d of drafts) {
    for (const m of d.machines) {
      for (const r of m.rows) {
        if (!r.event.startsWith("after:")) continue;
        const name = r.event.slice(6);
        delays.set(name, values.get(name) ?? values.get(`${name}Ms`) ?? 0);
      }
    }
  }
  return delays;
}

/**
 * Parses the drafts and produces the contents of `spec/`. Throws when a
 * draft has structural problems (run `npm run lint:drafts` for details).
 */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const drafts = await readDrafts(options.draftsDir);
  const problems = drafts.flatMap((d) => d.issues.map((i) => `${d.file}:${i.line}: ${i.message}`));
  const owners = new Map<string, string>();
  for (const d of drafts) {
    for (const m of d.machines) {
      const prev = owners.get(m.id);
      if (prev) problems.push(`${d.file}:${m.line}: machine "${m.id}" also defined in ${prev}`);
      if (RESERVED.has(m.id)) {
        problems.push(`${d.file}:${m.line}: machine id "${m.id}" names a shared generated file`);
      }
      owners.set(m.id, d.file);
    }
  }
  if (problems.length > 0) throw new Error(`cannot generate:\n${problems.join("\n")}`);

  const delays = delayDefaults(drafts);
  const outDir = resolve(options.outDir);
  const pending: { path: string; source: string; stdinPath: string | null }[] = [];
  for (const d of drafts) {
    for (const machine of d.machines) {
      pending.push({
        path: `machines/${machine.id}.ts`,
        source: emitMachine({ machine, draftPath: d.file, delayDefaults: delays }),
        stdinPath: "spec/machines/__generated__.ts",
      });
    }
  }
  pending.push({
    path: "machines/bind.ts",
    source: emitBind(),
    stdinPath: "spec/machines/__generated__.ts",
  });
  pending.push({
    path: "machines/compiled.ts",
    source: emitCompiledRuntime(),
    stdinPath: "spec/machines/__generated__.ts",
  });
  pending.push({
    path: "machines/index.ts",
    source: emitIndex(drafts.flatMap((d) => d.machines.map((m) => m.id))),
    stdinPath: "spec/machines/__generated__.ts",
  });
  pending.push({
    path: "constants.ts",
    source: emitConstants(
      drafts.flatMap((d) => d.protocols),
      drafts.flatMap((d) => d.wireConstants),
      drafts.flatMap((d) => d.defaults),
    ),
    stdinPath: "spec/__generated__.ts",
  });
  pending.push({ path: "requirements.json", source: emitRequirements(drafts), stdinPath: null });

  const files = await Promise.all(
    pending.map(async (p) => ({
      path: p.path,
      absolutePath: join(outDir, p.path),
      content:
        p.stdinPath && options.format !== false
          ? await biomeFormat(p.source, p.stdinPath)
          : p.source,
    })),
  );
  if (options.write) await writeFiles(files, outDir);
  return { files, drafts };
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else out.push(p);
  }
  return out;
}

/** Compares generated files with what is on disk under `outDir`. */
export async function compareWithDisk(
  files: readonly GeneratedFile[],
  outDir: string,
): Promise<CheckResult> {
  const stale: string[] = [];
  const missing: string[] = [];
  for (const f of files) {
    const current = await readFile(f.absolutePath, "utf8").catch(() => null);
    if (current === null) missing.push(f.path);
    else if (current !== f.content) stale.push(f.path);
  }
  const wanted = new Set(files.map((f) => f.path));
  const root = resolve(outDir);
  const extra = (await listFiles(root))
    .map((p) => posix(relative(root, p)))
    .filter((p) => !wanted.has(p) && !/(^|\/)README\.md$/.test(p))
    .sort();
  return { stale, missing, extra };
}

/**
 * Writes changed files and removes generated files (first line starting with
 * `// GENERATED`) that no draft produces any more.
 */
async function writeFiles(files: readonly GeneratedFile[], outDir: string): Promise<void> {
  const { extra } = await compareWithDisk(files, outDir);
  for (const f of files) {
    const current = await readFile(f.absolutePath, "utf8").catch(() => null);
    if (current === f.content) continue;
    await mkdir(dirname(f.absolutePath), { recursive: true });
    await writeFile(f.absolutePath, f.content);
  }
  for (const p of extra) {
    const abs = join(outDir, p);
    const text = await readFile(abs, "utf8").catch(() => "");
    if (text.startsWith("// GENERATED")) await rm(abs);
  }
}
