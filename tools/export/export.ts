/**
 * Exports drafts to xml2rfc v3 XML with Debian's kramdown-rfc (package
 * `ruby-kramdown-rfc2629`) and checks each result: well-formed XML whose
 * `<rfc docName>` equals the draft's front-matter docname. Works offline:
 * every reference is written inline in the front matter.
 *
 * @example
 * const tool = findKramdown();
 * if (tool) {
 *   const r = await exportDraft(tool, "rfc/draft-sp-tcp.md", "build/drafts");
 *   console.log(r.xmlPath, r.errors);
 * }
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { parse as parseYaml } from "yaml";
import { checkXml } from "./xmlcheck.ts";

/** The apt command that installs kramdown-rfc on Debian and Ubuntu. */
export const INSTALL_HINT = "sudo apt-get install -y ruby-kramdown-rfc2629";

/** Names the converter goes by (newer releases ship `kramdown-rfc`). */
const CANDIDATES = ["kramdown-rfc", "kramdown-rfc2629"];

/** Returns the first kramdown-rfc binary found on PATH, or null. */
export function findKramdown(candidates: readonly string[] = CANDIDATES): string | null {
  for (const name of candidates) {
    const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
    const path = r.stdout.trim();
    if (r.status === 0 && path !== "") return path;
  }
  return null;
}

/**
 * Escapes requirement tags so kramdown does not read them as link references;
 * code spans are left alone.
 *
 * @example
 * escapeTags("close it [SP-TCP-3]."); // "close it \\[SP-TCP-3\\]."
 */
export function escapeTags(markdown: string): string {
  return markdown
    .split(/(`[^`\n]*`)/)
    .map((part, k) => (k % 2 === 1 ? part : part.replace(/\[(SP-[A-Z0-9]+-\d+)\]/g, "\\[$1\\]")))
    .join("");
}

/** Reads `docname` from a draft's YAML front matter (null when absent). */
export function docnameOf(markdown: string): string | null {
  const m = /^---\n([\s\S]*?)\n--- abstract/m.exec(markdown);
  if (!m) return null;
  try {
    const fm = parseYaml(m[1] ?? "") as Record<string, unknown> | null;
    return typeof fm?.docname === "string" ? fm.docname : null;
  } catch {
    return null;
  }
}

/** Outcome of exporting one draft. */
export interface ExportResult {
  readonly draft: string;
  readonly docname: string | null;
  /** Where the XML was written (null when conversion failed). */
  readonly xmlPath: string | null;
  /** Conversion or XML problems; empty on success. */
  readonly errors: readonly string[];
  /** kramdown-rfc warnings worth showing (canned-bibxml noise removed). */
  readonly warnings: readonly string[];
}

function run(cmd: string, args: string[], cwd: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string; error?: Error }>(
    (resolve) => {
      const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        stdout += d;
      });
      child.stderr.setEncoding("utf8").on("data", (d: string) => {
        stderr += d;
      });
      child.on("error", (error) => {
        clearTimeout(timer);
        resolve({ code: null, stdout, stderr, error });
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    },
  );
}

/** Converts one draft to `<outDir>/<draft name>.xml` and checks the result. */
export async function exportDraft(
  kramdown: string,
  draftPath: string,
  outDir: string,
): Promise<ExportResult> {
  const name = basename(draftPath, ".md");
  const source = await readFile(draftPath, "utf8");
  const docname = docnameOf(source);
  const work = await mkdtemp(join(tmpdir(), "sp-drafts-"));
  try {
    const src = join(work, `${name}.md`);
    await writeFile(src, escapeTags(source));
    const r = await run(kramdown, ["--v3", src], work);
    const warnings = r.stderr
      .split("\n")
      .filter((l) => l.trim() !== "" && l.trim() !== "---" && !/canned bibxml/.test(l));
    if (r.error || r.code !== 0 || r.stdout.trim() === "") {
      const why = r.error?.message ?? (r.stderr.trim() || `exit ${r.code}, no output`);
      return {
        draft: draftPath,
        docname,
        xmlPath: null,
        errors: [`kramdown-rfc: ${why}`],
        warnings,
      };
    }
    const xmlPath = join(outDir, `${name}.xml`);
    await writeFile(xmlPath, r.stdout);
    const check = checkXml(r.stdout);
    const errors = check.errors.map((e) => `${xmlPath}:${e.line}: ${e.message}`);
    if (check.root !== "rfc") errors.push(`${xmlPath}: root element is <${check.root}>, not <rfc>`);
    const got = check.rootAttributes.docName;
    if (docname === null) errors.push(`${draftPath}: front matter has no docname`);
    else if (got !== docname) {
      errors.push(`${xmlPath}: <rfc docName="${got ?? ""}"> does not match docname ${docname}`);
    }
    return { draft: draftPath, docname, xmlPath, errors, warnings };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Exports drafts with at most `jobs` conversions at a time, in input order. */
export async function exportDrafts(
  kramdown: string,
  drafts: readonly string[],
  outDir: string,
  jobs = 2,
): Promise<ExportResult[]> {
  const results: ExportResult[] = new Array(drafts.length);
  let next = 0;
  const worker = async () => {
    while (next < drafts.length) {
      const k = next++;
      results[k] = await exportDraft(kramdown, drafts[k] as string, outDir);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return results;
}
