/**
 * The YAML front matter of a draft (title, docname, authors, references):
 * one reader for the requirement parser (index.ts) and the document tree
 * (document.ts), with the same diagnostics.
 */
import { parse as parseYaml } from "yaml";
import type { Block } from "./blocks.ts";
import type { Diagnostic } from "./types.ts";

/**
 * Parses a front-matter block; null (with a diagnostic in `issues`) when it
 * is not valid YAML or not a mapping.
 *
 * @example
 * const fm = readFrontMatter(block, issues); // { title: "...", docname: "draft-sp-tcp-00", ... }
 */
export function readFrontMatter(
  block: Extract<Block, { kind: "frontMatter" }>,
  issues: Diagnostic[],
): Record<string, unknown> | null {
  try {
    const value = parseYaml(block.lines.map((l) => l.text).join("\n")) as unknown;
    if (value && typeof value === "object") return value as Record<string, unknown>;
    issues.push({ line: 1, message: "front matter is not a YAML mapping" });
  } catch (e) {
    const linePos = (e as { linePos?: { line: number }[] }).linePos?.[0]?.line ?? 0;
    issues.push({ line: 1 + linePos, message: `front matter: ${(e as Error).message}` });
  }
  return null;
}
