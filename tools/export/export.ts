/**
 * Exports one draft to xml2rfc v3 XML and checks the result: the XML is
 * written by renderV3 (v3.ts) to `<outDir>/<docName>.xml`, then checked
 * for well-formedness (xmlcheck.ts), the v3 vocabulary, unique anchors and
 * resolvable xrefs (v3rules.ts), the 72-column text layout (width.ts) and,
 * unless turned off, by idnits (idnits.ts). Works offline: every reference
 * is written inline in the front matter.
 *
 * @example
 * const r = await exportDraft("rfc/draft-sp-tcp.md", "build/drafts", { waivers: await loadWaivers() });
 * console.log(r.xmlPath, r.errors); // ".../draft-sp-tcp-00.xml" []
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { judge, type Nit, runIdnits, type Verdict, type Waiver } from "./idnits.ts";
import { xmlFileName } from "./naming.ts";
import { renderV3 } from "./v3.ts";
import { checkV3 } from "./v3rules.ts";
import { checkWidth } from "./width.ts";
import { checkXml } from "./xmlcheck.ts";
import { readTree } from "./xmltree.ts";

/** Outcome of exporting one draft. */
export interface ExportResult {
  readonly draft: string;
  readonly docName: string;
  /** Where the XML was written. */
  readonly xmlPath: string;
  /** Problems that fail the export; empty on success. */
  readonly errors: readonly string[];
  /** Notes that do not fail it (e.g. a docname completed with -00). */
  readonly warnings: readonly string[];
  /** idnits' findings after waivers (null when idnits was not run or could not run). */
  readonly idnits: Verdict | null;
}

/** How to export. */
export interface ExportOptions {
  /** Waivers for idnits warnings; null skips idnits. */
  readonly waivers: readonly Waiver[] | null;
  /** Runs idnits (replaceable in tests). */
  readonly idnits?: (xmlPath: string) => Promise<Nit[]>;
}

const nitText = (n: Nit) =>
  `idnits ${n.severity} ${n.code}: ${n.desc}${n.path ? ` (${n.path})` : ""}`;

/** Exports and checks one draft. */
export async function exportDraft(
  draftPath: string,
  outDir: string,
  options: ExportOptions,
): Promise<ExportResult> {
  const r = renderV3(await readFile(draftPath, "utf8"));
  const xmlPath = join(outDir, xmlFileName(r.docName));
  await writeFile(xmlPath, r.xml);
  const errors = r.issues.map((i) => `${draftPath}:${i.line}: ${i.message}`);
  const warnings = r.notes.map((n) => `${draftPath}: ${n}`);
  const wellFormed = checkXml(r.xml);
  errors.push(...wellFormed.errors.map((e) => `${xmlPath}:${e.line}: ${e.message}`));
  if (wellFormed.errors.length === 0) {
    const tree = readTree(r.xml);
    errors.push(...checkV3(tree).map((m) => `${xmlPath}: ${m}`));
    errors.push(...checkWidth(tree).map((p) => `${xmlPath}: ${p.where}: ${p.message}`));
  }
  let verdict: Verdict | null = null;
  if (options.waivers) {
    try {
      const nits = await (options.idnits ?? runIdnits)(xmlPath);
      verdict = judge(nits, r.docName, options.waivers);
      errors.push(...verdict.failures.map((n) => `${xmlPath}: ${nitText(n)}`));
    } catch (e) {
      errors.push(`${xmlPath}: idnits could not run: ${(e as Error).message}`);
    }
  }
  return { draft: draftPath, docName: r.docName, xmlPath, errors, warnings, idnits: verdict };
}

/** Exports drafts with at most `jobs` at a time, results in input order. */
export async function exportDrafts(
  drafts: readonly string[],
  outDir: string,
  options: ExportOptions,
  jobs = 2,
): Promise<ExportResult[]> {
  const results: ExportResult[] = new Array(drafts.length);
  let next = 0;
  const worker = async () => {
    while (next < drafts.length) {
      const k = next++;
      results[k] = await exportDraft(drafts[k] as string, outDir, options);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return results;
}
