/**
 * A thin layer over xmlbuilder2 that indents block elements and leaves
 * mixed content alone: xmlbuilder2's own pretty printer puts every inline
 * element on a line of its own, which changes the text of `<t>` ("MUST" in
 * quotes would gain spaces) and indents the inside of `<artwork>`.
 *
 * @example
 * const root = XmlOut.document("rfc", { version: "3" });
 * root.block("middle").block("t").node.txt("Hello.");
 * root.end(); // '<?xml version="1.0" encoding="UTF-8"?>\n<rfc version="3">\n  <middle>...'
 */
import { create } from "xmlbuilder2";
import type { XMLBuilder } from "xmlbuilder2/lib/interfaces.js";

/** An element under construction, with its depth for indentation. */
export class XmlOut {
  private readonly kids: XmlOut[] = [];

  private constructor(
    /** The element; add inline content to it directly. */
    readonly node: XMLBuilder,
    private readonly depth: number,
    private readonly doc: XMLBuilder,
  ) {}

  /** Starts a document whose root element is `name`. */
  static document(name: string, attrs: Record<string, string> = {}): XmlOut {
    const doc = create();
    return new XmlOut(doc.ele(name, attrs), 0, doc);
  }

  /** Appends a block child on a line of its own and returns it. */
  block(name: string, attrs: Record<string, string> = {}): XmlOut {
    this.node.txt(`\n${"  ".repeat(this.depth + 1)}`);
    const kid = new XmlOut(this.node.ele(name, attrs), this.depth + 1, this.doc);
    this.kids.push(kid);
    return kid;
  }

  /** Puts end tags of elements with block children on lines of their own. */
  private finish(): void {
    for (const k of this.kids) k.finish();
    if (this.kids.length > 0) this.node.txt(`\n${"  ".repeat(this.depth)}`);
  }

  /** Serialises the whole document; call it once, on the root. */
  end(): string {
    this.finish();
    const body = this.doc.end({ headless: true, prettyPrint: false });
    return `<?xml version="1.0" encoding="UTF-8"?>\n${body}\n`;
  }
}
