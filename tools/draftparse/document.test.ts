import { describe, expect, it } from "vitest";
import { parseDocument } from "./document.ts";
import { inlineText, parseInline } from "./inline.ts";

const DRAFT = `---
title: T
docname: draft-sp-doc-00
--- abstract

Abstract text.

--- middle

# Terms {#terms}

Pipe:
: one connection
  between two sockets.

Peer:
: the other end.

## Steps

1. Connect.
2. Handshake,
   then talk.

* loose one

* loose two

| Name | Value |
|:---|---:|
| \`a\` | 1 |
{: #vals title="Values"}

~~~ abnf
rule = "x"
~~~
{: title="Grammar"}

--- back

# Thanks
{:numbered="false"}

Thanks.
`;

describe("parseDocument", () => {
  const doc = parseDocument(DRAFT);

  it("reads front matter, the abstract and nested sections", () => {
    expect(doc.issues).toEqual([]);
    expect(doc.frontMatter?.docname).toBe("draft-sp-doc-00");
    expect(doc.abstract.map((b) => b.kind)).toEqual(["paragraph"]);
    expect(doc.middle.map((s) => [s.title, s.anchor])).toEqual([["Terms", "terms"]]);
    expect(doc.middle[0]?.sections.map((s) => s.title)).toEqual(["Steps"]);
    expect(doc.back.map((s) => [s.title, s.numbered])).toEqual([["Thanks", false]]);
  });

  it("groups definitions and lists", () => {
    const dl = doc.middle[0]?.blocks[0];
    expect(dl?.kind).toBe("definitions");
    if (dl?.kind !== "definitions") return;
    expect(dl.entries.map((e) => [inlineText(e.term), e.definitions.map(inlineText)])).toEqual([
      ["Pipe:", ["one connection\nbetween two sockets."]],
      ["Peer:", ["the other end."]],
    ]);
    const [ol, ul] = doc.middle[0]?.sections[0]?.blocks ?? [];
    expect(ol).toMatchObject({ kind: "list", ordered: true, compact: true });
    expect(ul).toMatchObject({ kind: "list", ordered: false, compact: false });
    if (ol?.kind === "list")
      expect(inlineText(ol.items[1]?.content ?? [])).toBe("Handshake,\nthen talk.");
  });

  it("reads tables with alignment and figures with their language", () => {
    const [, , table, figure] = doc.middle[0]?.sections[0]?.blocks ?? [];
    expect(table).toMatchObject({ kind: "table", anchor: "vals", title: "Values" });
    if (table?.kind === "table") {
      expect(table.align).toEqual(["left", "right"]);
      expect(table.rows[0]?.[0]).toEqual([{ kind: "code", text: "a" }]);
    }
    expect(figure).toMatchObject({ kind: "figure", language: "abnf", title: "Grammar" });
  });
});

describe("parseInline", () => {
  it("finds code, xrefs, key words, escapes, emphasis and links", () => {
    expect(parseInline('it MUST NOT\nclose `x` {{RFC2119}} \\{y\\} "MAY"')).toEqual([
      { kind: "text", text: "it " },
      { kind: "bcp14", text: "MUST NOT" },
      { kind: "text", text: "\nclose " },
      { kind: "code", text: "x" },
      { kind: "text", text: " " },
      { kind: "xref", target: "RFC2119" },
      { kind: "text", text: ' {y} "' },
      { kind: "bcp14", text: "MAY" },
      { kind: "text", text: '"' },
    ]);
    expect(parseInline("*a* **b** snake_case_name [c](https://x.example)")).toEqual([
      { kind: "em", children: [{ kind: "text", text: "a" }] },
      { kind: "text", text: " " },
      { kind: "strong", children: [{ kind: "text", text: "b" }] },
      { kind: "text", text: " snake_case_name " },
      { kind: "link", target: "https://x.example", children: [{ kind: "text", text: "c" }] },
    ]);
  });

  it("leaves requirement tags as text", () => {
    expect(inlineText(parseInline("done [SP-TCP-3]."))).toBe("done [SP-TCP-3].");
  });
});
