/**
 * Writes inline content as xml2rfc v3 elements: code spans as `<tt>`,
 * BCP 14 key words as `<bcp14>`, `{{X}}` as `<xref target="X"/>`, emphasis
 * as `<em>`/`<strong>`, links as `<eref>`. Text is escaped by xmlbuilder2.
 *
 * @example
 * writeInline(out.block("t").node, parseInline("it MUST {{RFC2119}}"));
 * // <t>it <bcp14>MUST</bcp14> <xref target="RFC2119"/></t>
 */
import type { XMLBuilder } from "xmlbuilder2/lib/interfaces.js";
import type { Inline } from "../draftparse/inline.ts";

/** Appends `pieces` to `node` as text and inline elements. */
export function writeInline(node: XMLBuilder, pieces: readonly Inline[]): void {
  for (const p of pieces) {
    switch (p.kind) {
      case "text":
        node.txt(p.text);
        break;
      case "code":
        node.ele("tt").txt(p.text);
        break;
      case "bcp14":
        node.ele("bcp14").txt(p.text);
        break;
      case "xref":
        node.ele("xref", { target: p.target });
        break;
      case "link": {
        const e = node.ele("eref", { target: p.target });
        writeInline(e, p.children);
        break;
      }
      case "em":
      case "strong":
        writeInline(node.ele(p.kind), p.children);
        break;
    }
  }
}
