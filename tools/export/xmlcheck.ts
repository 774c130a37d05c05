/**
 * A strict well-formedness check for XML 1.0 documents such as the xml2rfc
 * files the export writes: balanced and properly nested tags, one root
 * element, unique and quoted attributes, legal names, and entity references
 * that are predefined, numeric or declared in the internal DTD subset.
 * It does not validate against a schema. (xmlbuilder2's parser is lenient
 * about mismatched end tags, so it cannot serve as the check.)
 */

/** The outcome of {@link checkXml}. */
export interface XmlCheck {
  /** Problems found, each with a 1-based line; empty when well formed. */
  readonly errors: readonly { readonly line: number; readonly message: string }[];
  /** Name of the root element, or null when there is none. */
  readonly root: string | null;
  /** Attributes of the root element (entity references resolved). */
  readonly rootAttributes: Readonly<Record<string, string>>;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9._:\u00B7-\uFFFF]*$/;
const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", apos: "'", quot: '"' };

/**
 * Checks that `text` is a well-formed XML document.
 *
 * @example
 * checkXml('<rfc docName="draft-sp-tcp-00"><front/></rfc>').rootAttributes.docName;
 * // "draft-sp-tcp-00"
 * checkXml("<a><b></a></b>").errors.length > 0; // true
 */
export function checkXml(text: string): XmlCheck {
  const errors: { line: number; message: string }[] = [];
  const entities = new Map<string, string>(Object.entries(PREDEFINED));
  const stack: { name: string; line: number }[] = [];
  let root: string | null = null;
  let rootAttributes: Record<string, string> = {};
  let rootClosed = false;
  let pos = 0;
  let line = 1;

  const fail = (message: string, at = line) => errors.push({ line: at, message });
  const advance = (to: number) => {
    for (let k = pos; k < to; k++) if (text.charCodeAt(k) === 10) line++;
    pos = to;
  };
  const until = (marker: string, what: string): string | null => {
    const end = text.indexOf(marker, pos);
    if (end < 0) {
      fail(`unterminated ${what}`);
      advance(text.length);
      return null;
    }
    const body = text.slice(pos, end);
    advance(end + marker.length);
    return body;
  };
  const resolveRefs = (s: string, at: number): string =>
    s.replace(/&([^;\s&<]*);?/g, (whole, ref: string) => {
      if (!whole.endsWith(";")) {
        fail(`bare "&" (write &amp;)`, at);
        return whole;
      }
      const num = /^#(x[0-9A-Fa-f]+|[0-9]+)$/.exec(ref);
      if (num) {
        const v = (num[1] ?? "").startsWith("x")
          ? Number.parseInt((num[1] ?? "").slice(1), 16)
          : Number(num[1]);
        if (!(v === 9 || v === 10 || v === 13 || (v >= 0x20 && v <= 0x10ffff))) {
          fail(`character reference &${ref}; is not a legal XML character`, at);
          return "";
        }
        return String.fromCodePoint(v);
      }
      const value = entities.get(ref);
      if (value === undefined) {
        fail(`undeclared entity &${ref};`, at);
        return "";
      }
      return value;
    });

  while (pos < text.length) {
    const lt = text.indexOf("<", pos);
    const chunkEnd = lt < 0 ? text.length : lt;
    if (chunkEnd > pos) {
      const chunk = text.slice(pos, chunkEnd);
      const at = line;
      if (stack.length === 0 && chunk.trim() !== "") {
        fail("text outside the root element", at);
      } else if (chunk.includes("]]>")) {
        fail('"]]>" in text', at);
      }
      if (stack.length > 0) resolveRefs(chunk, at);
      advance(chunkEnd);
    }
    if (lt < 0) break;
    const at = line;
    if (text.startsWith("<?", pos)) {
      const start = pos;
      advance(pos + 2);
      const body = until("?>", "processing instruction");
      if (body !== null && /^xml\s/i.test(body) && start !== 0)
        fail("misplaced XML declaration", at);
    } else if (text.startsWith("<!--", pos)) {
      advance(pos + 4);
      const body = until("-->", "comment");
      if (body?.includes("--")) fail('"--" inside a comment', at);
    } else if (text.startsWith("<![CDATA[", pos)) {
      if (stack.length === 0) fail("CDATA outside the root element", at);
      advance(pos + 9);
      until("]]>", "CDATA section");
    } else if (text.startsWith("<!DOCTYPE", pos)) {
      if (root !== null) fail("DOCTYPE after the root element", at);
      readDoctype();
    } else if (text.startsWith("</", pos)) {
      const m = /^<\/([^\s>]+)\s*>/.exec(text.slice(pos, pos + 300));
      if (!m) {
        fail("malformed end tag", at);
        advance(pos + 2);
        continue;
      }
      const name = m[1] ?? "";
      const open = stack.pop();
      if (!open) fail(`end tag </${name}> without a start tag`, at);
      else if (open.name !== name) {
        fail(`end tag </${name}> does not match <${open.name}> of line ${open.line}`, at);
      }
      if (stack.length === 0 && open) rootClosed = true;
      advance(pos + m[0].length);
    } else {
      readStartTag(at);
    }
  }
  for (const open of stack) fail(`element <${open.name}> is never closed`, open.line);
  if (root === null) fail("no root element", 1);
  return { errors, root, rootAttributes };

  function readDoctype(): void {
    advance(pos + "<!DOCTYPE".length);
    const bracket = text.indexOf("[", pos);
    const close = text.indexOf(">", pos);
    if (close < 0) {
      fail("unterminated DOCTYPE");
      advance(text.length);
      return;
    }
    if (bracket < 0 || bracket > close) {
      advance(close + 1);
      return;
    }
    advance(bracket + 1);
    const subset = until("]", "DOCTYPE internal subset");
    if (subset === null) return;
    for (const m of subset.matchAll(/<!ENTITY\s+([^\s%]+)\s+(?:"([^"]*)"|'([^']*)')\s*>/g)) {
      const raw = m[2] ?? m[3] ?? "";
      entities.set(
        m[1] ?? "",
        raw.replace(/&#x([0-9A-Fa-f]+);|&#([0-9]+);/g, (_, h, d) =>
          String.fromCodePoint(h ? Number.parseInt(h, 16) : Number(d)),
        ),
      );
    }
    const rest = /^\s*>/.exec(text.slice(pos));
    if (!rest) fail("DOCTYPE not closed after its internal subset");
    else advance(pos + rest[0].length);
  }

  function readStartTag(at: number): void {
    advance(pos + 1);
    const nameMatch = /^[^\s/>]+/.exec(text.slice(pos, pos + 200));
    const name = nameMatch?.[0] ?? "";
    if (!NAME.test(name)) fail(`bad element name "${name}"`, at);
    advance(pos + name.length);
    const attrs: Record<string, string> = {};
    for (;;) {
      const ws = /^\s*/.exec(text.slice(pos, pos + 1000))?.[0] ?? "";
      advance(pos + ws.length);
      if (pos >= text.length) {
        fail(`unterminated start tag <${name}>`, at);
        return;
      }
      if (text.startsWith("/>", pos) || text.startsWith(">", pos)) break;
      if (ws === "") fail(`attributes of <${name}> need white space between them`);
      const m = /^([^\s=/>]+)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(text.slice(pos));
      if (!m) {
        fail(`malformed attribute in <${name}>`);
        const gt = text.indexOf(">", pos);
        advance(gt < 0 ? text.length : gt);
        break;
      }
      const attr = m[1] ?? "";
      if (!NAME.test(attr)) fail(`bad attribute name "${attr}" in <${name}>`);
      if (attr in attrs) fail(`attribute "${attr}" repeated in <${name}>`);
      attrs[attr] = resolveRefs(m[3] ?? m[4] ?? "", line);
      advance(pos + m[0].length);
    }
    const empty = text.startsWith("/>", pos);
    advance(pos + (empty ? 2 : 1));
    if (stack.length === 0) {
      if (root !== null || rootClosed) fail(`second root element <${name}>`, at);
      else {
        root = name;
        rootAttributes = attrs;
      }
      if (empty) rootClosed = true;
    }
    if (!empty) stack.push({ name, line: at });
  }
}
