/**
 * Reads XML (already checked for well-formedness by xmlcheck.ts) into a
 * plain element tree for the structural checks of the export: element
 * names, attributes, and children in document order, with text and CDATA
 * kept as strings and comments dropped.
 *
 * @example
 * const root = readTree('<rfc version="3"><middle><t>Hi</t></middle></rfc>');
 * root.name; // "rfc"
 * textOf(root); // "Hi"
 */
import { create } from "xmlbuilder2";

/** An element with its attributes and children. */
export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly (XmlElement | string)[];
}

/** The parts of xmlbuilder2's DOM nodes that the conversion reads. */
interface DomNode {
  readonly nodeType: number;
  readonly nodeName: string;
  readonly data?: string;
  readonly childNodes: ArrayLike<DomNode>;
  readonly attributes?: ArrayLike<{ readonly name: string; readonly value: string }>;
}

function convert(n: DomNode): XmlElement {
  const attrs: Record<string, string> = {};
  for (const a of Array.from(n.attributes ?? [])) attrs[a.name] = a.value;
  const children: (XmlElement | string)[] = [];
  for (const c of Array.from(n.childNodes)) {
    if (c.nodeType === 1) children.push(convert(c));
    else if (c.nodeType === 3 || c.nodeType === 4) children.push(c.data ?? "");
  }
  return { name: n.nodeName, attrs, children };
}

/** Parses `xml` and returns its root element. */
export function readTree(xml: string): XmlElement {
  return convert(create(xml).root().node as unknown as DomNode);
}

/** Every element of the tree, depth first, with its ancestors (outermost first). */
export function* walk(
  e: XmlElement,
  ancestors: readonly XmlElement[] = [],
): Generator<{ element: XmlElement; ancestors: readonly XmlElement[] }> {
  yield { element: e, ancestors };
  for (const c of e.children) if (typeof c !== "string") yield* walk(c, [...ancestors, e]);
}

/** The concatenated text of an element. */
export function textOf(e: XmlElement | string): string {
  return typeof e === "string" ? e : e.children.map(textOf).join("");
}
