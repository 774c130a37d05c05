/**
 * Output file naming: an exported draft is written as `<docName>.xml`, where
 * docName is the front-matter `docname` with its two-digit revision
 * (`draft-sp-ws-00`), which is what idnits and the I-D submission tool
 * expect. A docname without a revision gets `-00` and a note saying so.
 *
 * @example
 * docNameOf({ docname: "draft-sp-ws" }); // { docName: "draft-sp-ws-00", problem: "..." }
 * xmlFileName("draft-sp-ws-00"); // "draft-sp-ws-00.xml"
 */

/** The docName to write, and a note when it had to be completed or is missing. */
export function docNameOf(frontMatter: Record<string, unknown>): {
  docName: string;
  problem: string | null;
} {
  const raw = typeof frontMatter.docname === "string" ? frontMatter.docname.trim() : "";
  if (raw === "") return { docName: "draft-unnamed-00", problem: "front matter has no docname" };
  if (/-\d{2}$/.test(raw)) return { docName: raw, problem: null };
  return {
    docName: `${raw}-00`,
    problem: `docname ${raw} has no revision; exported as ${raw}-00 (add -00 to the front matter)`,
  };
}

/** The file an exported draft is written to. */
export function xmlFileName(docName: string): string {
  return `${docName}.xml`;
}
