/**
 * Links from the report's requirement appendix to the drafts' Markdown
 * sources. In the repository the drafts are in rfc/, and each report links
 * there with a path relative to the report's folder (so the link keeps
 * working when the checkout moves); the npm package ships no drafts, so
 * its reports show the draft and line without a link.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { bundled, suiteRoot } from "../paths.ts";
import type { DraftLink } from "./requirements.ts";

/** The repository's rfc/ folder, when the suite runs from the repository. */
export function defaultRfcDir(): string | undefined {
  if (bundled) return undefined;
  const dir = join(suiteRoot, "..", "rfc");
  return existsSync(dir) ? dir : undefined;
}

/**
 * Draft name (the `docname` of the front matter, without its `-NN`
 * revision) → Markdown file name, for every rfc/draft-*.md. The names differ
 * for some drafts (draft-sp-ws is draft-sp-websocket.md).
 */
export function draftFiles(rfcDir: string): Map<string, string> {
  const byName = new Map<string, string>();
  for (const file of readdirSync(rfcDir).sort()) {
    if (!/^draft-.*\.md$/.test(file)) continue;
    const head = readFileSync(join(rfcDir, file), "utf8").slice(0, 2000);
    const docname = /^docname:\s*(\S+)/m.exec(head)?.[1];
    const name = (docname ?? file.slice(0, -3)).replace(/-\d+$/, "");
    byName.set(name, file);
  }
  return byName;
}

/**
 * A {@link DraftLink} for a report written into `reportDir`: links to
 * `<rfc>/<file>.md#L<line>` relative to the report, labelled
 * `rfc/<file>.md:<line>`. Undefined when the drafts are not at hand; never
 * throws (a missing link must not cost the report).
 */
export function draftLinker(
  reportDir: string,
  rfcDir: string | undefined = defaultRfcDir(),
): DraftLink | undefined {
  if (!rfcDir) return undefined;
  let files: Map<string, string>;
  try {
    files = draftFiles(rfcDir);
  } catch {
    return undefined;
  }
  const base = relative(resolve(reportDir), resolve(rfcDir)).split(sep);
  return (draft, line) => {
    const file = files.get(draft);
    if (!file) return undefined;
    const path = [...base, file]
      .filter((p) => p !== "")
      .map(encodeURIComponent)
      .join("/");
    const at = line === undefined ? "" : `:${line}`;
    return {
      href: `${path}${line === undefined ? "" : `#L${line}`}`,
      label: `rfc/${file}${at}`,
    };
  };
}
