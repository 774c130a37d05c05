/** HTML escaping and anchor names shared by the report's modules. */

/** Escapes text for HTML element content and attribute values. */
export function esc(text: unknown): string {
  return String(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * Makes text safe as part of an element id and a URL fragment: letters,
 * digits and `. _ / : -` are kept (so `#case-reqrep/rep-ttl` stays
 * readable), anything else becomes `_`.
 */
export function anchorPart(text: string): string {
  return text.replace(/[^A-Za-z0-9._/:-]/g, "_");
}

/** The element id of a case's row: `case-<id>`. */
export function caseAnchor(id: string): string {
  return `case-${anchorPart(id)}`;
}

/** The element id of a requirement's appendix entry: `req-<id>`. */
export function reqAnchor(id: string): string {
  return `req-${anchorPart(id)}`;
}

/** JSON for a `<script type="application/json">` block: no `<` can end the element early. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
