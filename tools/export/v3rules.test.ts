import { describe, expect, it } from "vitest";
import { parseDocument } from "../draftparse/document.ts";
import { autoAnchor, sectionAnchors } from "./anchors.ts";
import { checkV3 } from "./v3rules.ts";
import { readTree } from "./xmltree.ts";

const check = (xml: string) => checkV3(readTree(xml));

describe("checkV3", () => {
  it("accepts a small v3 document", () => {
    expect(
      check(
        '<rfc version="3"><middle><section anchor="a"><name>A</name><t>See <xref target="a"/>.</t></section></middle></rfc>',
      ),
    ).toEqual([]);
  });

  it("wants version 3 and rejects v2 elements and title attributes", () => {
    const problems = check(
      '<rfc><middle><section title="S"><texttable><ttcol>x</ttcol><c>y</c></texttable><t><spanx>z</spanx></t></section></middle></rfc>',
    );
    expect(problems[0]).toMatch(/version must be 3/);
    for (const name of ["texttable", "ttcol", "c", "spanx"]) {
      expect(problems.join("\n")).toContain(`deprecated v2 element <${name}>`);
    }
    expect(problems.join("\n")).toMatch(/<section title="...">/);
    expect(check('<rfc version="3"><middle><blink/></middle></rfc>')).toEqual([
      "<blink> is not a v3 element (rfc/middle/blink)",
    ]);
  });

  it("reports a repeated anchor and an xref to nothing", () => {
    const problems = check(
      '<rfc version="3"><middle><section anchor="defaults"><name>D</name><table anchor="defaults"/><t><xref target="nowhere"/></t></section></middle></rfc>',
    );
    expect(problems).toEqual([
      'anchor "defaults" of rfc/middle/section/table repeats the anchor of rfc/middle/section',
      '<xref target="nowhere"> names no anchor (rfc/middle/section/t/xref)',
    ]);
  });

  it("applies xml2rfc's rule for unnumbered sections and wants XML names as anchors", () => {
    const problems = check(
      '<rfc version="3"><back><section anchor="a" numbered="false"><name>A</name><section anchor="b"><name>B</name></section></section><section anchor="1c"><name>C</name></section></back></rfc>',
    );
    expect(problems).toEqual([
      'anchor "1c" of rfc/back/section is not an XML name',
      'numbered rfc/back/section[@anchor="a"]/section[@anchor="b"] under an unnumbered section',
      'numbered rfc/back/section[@anchor="1c"] after unnumbered rfc/back/section[@anchor="a"]',
    ]);
  });
});

describe("section anchors", () => {
  it("derives kramdown's automatic anchors", () => {
    expect(autoAnchor("IANA Considerations")).toBe("iana-considerations");
    expect(autoAnchor("PAIR Version 1")).toBe("pair-version-1");
    expect(autoAnchor("1.5.2 nng")).toBe("nng");
    expect(autoAnchor("???")).toBe("section");
  });

  it("keeps explicit anchors and moves automatic ones out of their way", () => {
    const doc = parseDocument(
      "--- middle\n\n# Defaults\n\n| a |\n|---|\n| 1 |\n{: #defaults}\n\n# Intro\n\n# Intro\n\n# Other {#intro}\n",
    );
    const anchors = [...sectionAnchors(doc, ["RFC2119"]).values()];
    expect(anchors).toEqual(["defaults-1", "intro-1", "intro-2", "intro"]);
  });
});
