import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoRoot } from "../gen/format.ts";
import { exportDraft } from "./export.ts";
import { judge, loadWaivers, type Nit, parseIdnitsJson } from "./idnits.ts";
import { docNameOf, xmlFileName } from "./naming.ts";
import { renderV3 } from "./v3.ts";
import { checkV3, DEPRECATED_ELEMENTS } from "./v3rules.ts";
import { checkWidth } from "./width.ts";
import { checkXml } from "./xmlcheck.ts";
import { readTree, textOf, walk } from "./xmltree.ts";

/** A small but complete draft: the sections and references idnits looks for. */
const FIXTURE = `---
title: "Scalability Protocols: Fixture"
abbrev: "SP FIX"
docname: draft-sp-fix-00
category: info
submissiontype: independent
ipr: trust200902
pi: [toc, sortrefs, symrefs]
author:
  - ins: S. Contributors
    name: sp-reference contributors
    org: sp-reference project
    email: sp-reference@example.org
date: 2026-11-25

normative:
  RFC2119:
    title: "Key words for use in RFCs to Indicate Requirement Levels"
    author:
      - ins: S. Bradner
    date: 1997-03
    target: https://www.rfc-editor.org/rfc/rfc2119
    seriesinfo:
      BCP: 14
      RFC: 2119
  RFC8174:
    title: "Ambiguity of Uppercase vs Lowercase in RFC 2119 Key Words"
    author:
      - ins: B. Leiba
    date: 2017-05
    target: https://www.rfc-editor.org/rfc/rfc8174
    seriesinfo:
      BCP: 14
      RFC: 8174

--- abstract

This document specifies a fixture used by the tests of the export.

--- middle

# Introduction

The fixture exercises the export.

# Conventions and Definitions

The key words "MUST", "MUST NOT", "REQUIRED", "SHALL", "SHALL NOT",
"SHOULD", "SHOULD NOT", "RECOMMENDED", "NOT RECOMMENDED", "MAY", and
"OPTIONAL" in this document are to be interpreted as described in
BCP 14 {{RFC2119}} {{RFC8174}} when, and only when, they appear in all
capitals, as shown here.

# Behaviour

A sender MUST do it [SP-FIX-1].

# Defaults

| Constant | Value | Requirement |
|---|---|---|
| fixValue | 8 | SP-FIX-1 |
{: #defaults title="Default values"}

# Security Considerations

The fixture has no security relevance.

# IANA Considerations

This document has no IANA actions.
`;

const draftFiles = async () =>
  (await readdir(join(repoRoot, "rfc")))
    .filter((n) => /^draft-.*\.md$/.test(n))
    .sort()
    .map((n) => join(repoRoot, "rfc", n));

describe("checkXml", () => {
  it("accepts a document with a DOCTYPE subset and reads docName", () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
  <!-- generated -->
<!DOCTYPE rfc [
  <!ENTITY nbsp "&#160;">
]>
<rfc docName="draft-sp-tcp-00" ipr="trust200902">
  <front><title abbrev="a &amp; b">T&nbsp;x</title></front>
  <middle><artwork><![CDATA[ <not a tag> & ]]></artwork><t>&#x41;&lt;</t><br/></middle>
</rfc>
`;
    const r = checkXml(xml);
    expect(r.errors).toEqual([]);
    expect(r.root).toBe("rfc");
    expect(r.rootAttributes.docName).toBe("draft-sp-tcp-00");
  });

  it("reports crossed, unclosed and stray tags with their lines", () => {
    expect(checkXml("<a>\n<b></a></b>").errors[0]).toEqual({
      line: 2,
      message: "end tag </a> does not match <b> of line 2",
    });
    expect(checkXml("<a><b>").errors.map((e) => e.message)).toContain(
      "element <b> is never closed",
    );
  });

  it("rejects undeclared entities, bare ampersands, repeated attributes and two roots", () => {
    const messages = (s: string) => checkXml(s).errors.map((e) => e.message);
    expect(messages("<a>&foo;</a>")).toEqual(["undeclared entity &foo;"]);
    expect(messages("<a>x & y</a>")[0]).toMatch(/bare "&"/);
    expect(messages('<a x="1" x="2"/>')).toEqual(['attribute "x" repeated in <a>']);
    expect(messages("<a/><b/>")).toEqual(["second root element <b>"]);
  });
});

describe("v3 export of the drafts", () => {
  it("writes version 3, only v3 elements, unique anchors and resolvable xrefs for all 12", async () => {
    const files = await draftFiles();
    expect(files).toHaveLength(12);
    const deprecated = new Set<string>(DEPRECATED_ELEMENTS);
    for (const f of files) {
      const r = renderV3(await readFile(f, "utf8"));
      expect(r.issues, f).toEqual([]);
      expect(checkXml(r.xml).errors, f).toEqual([]);
      const tree = readTree(r.xml);
      expect(tree.attrs.version, f).toBe("3");
      expect(tree.attrs.docName, f).toBe(r.docName);
      const names = [...walk(tree)].map((w) => w.element.name);
      expect(
        names.filter((n) => deprecated.has(n)),
        f,
      ).toEqual([]);
      expect(names, f).toContain("bcp14");
      expect(names, f).toContain("table");
      expect(checkV3(tree), f).toEqual([]);
      expect(checkWidth(tree), f).toEqual([]);
    }
  });

  it("writes a table too wide for 72 columns as a titled definition list, row by row", async () => {
    const r = renderV3(await readFile(join(repoRoot, "rfc/draft-sp-reqrep.md"), "utf8"));
    const tree = readTree(r.xml);
    const intro = [...walk(tree)].find((w) => w.element.attrs.anchor === "machine-req")?.element;
    expect(intro?.name).toBe("t");
    expect(textOf(intro ?? "")).toBe("REQ request machine:");
    expect(r.xml).toContain(
      "<dt>waiting</dt>\n          <dd>Event: after:resendTime; Actions: transmit; Next: waiting; Requirement: SP-REQREP-8</dd>",
    );
    // A table that fits stays a table.
    expect([...walk(tree)].some((w) => w.element.name === "table")).toBe(true);
  });

  it("writes the BCP 14 boilerplate as text with <bcp14> elements", () => {
    const xml = renderV3(FIXTURE).xml;
    expect(xml).toContain(
      'The key words "<bcp14>MUST</bcp14>", "<bcp14>MUST NOT</bcp14>", "<bcp14>REQUIRED</bcp14>"',
    );
    expect(xml).not.toContain("&RFC2119;");
    expect(xml).toMatch(/<t>A sender <bcp14>MUST<\/bcp14> do it \[SP-FIX-1\]\.<\/t>/);
  });

  it("gives a section the automatic anchor of a table inside it a suffix", () => {
    const tree = readTree(renderV3(FIXTURE).xml);
    const anchors = [...walk(tree)].map((w) => w.element.attrs.anchor).filter(Boolean);
    expect(anchors).toContain("defaults");
    expect(anchors).toContain("defaults-1");
    expect(new Set(anchors).size).toBe(anchors.length);
  });
});

describe("docName file naming", () => {
  it("keeps a revision and appends -00 when there is none", () => {
    expect(docNameOf({ docname: "draft-sp-ws-00" })).toEqual({
      docName: "draft-sp-ws-00",
      problem: null,
    });
    const bare = docNameOf({ docname: "draft-sp-ws" });
    expect(bare.docName).toBe("draft-sp-ws-00");
    expect(bare.problem).toMatch(/no revision/);
    expect(docNameOf({}).problem).toMatch(/no docname/);
    expect(xmlFileName("draft-sp-ws-00")).toBe("draft-sp-ws-00.xml");
  });

  it("names the WebSocket draft after its docname, not its file", async () => {
    const r = renderV3(await readFile(join(repoRoot, "rfc/draft-sp-websocket.md"), "utf8"));
    expect(r.docName).toBe("draft-sp-ws-00");
  });
});

describe("idnits verdicts", () => {
  it("waives listed warnings only, never errors, and honours a docName scope", () => {
    const waivers = [
      { code: "DOC_DATE_IN_PAST", reason: "calendar" },
      { code: "ONLY_WS", docName: "draft-sp-ws-00", reason: "scoped" },
    ];
    const nits = [
      nitOf("warning", "DOC_DATE_IN_PAST"),
      nitOf("warning", "ONLY_WS"),
      nitOf("error", "DOC_DATE_IN_PAST"),
      nitOf("comment", "NON_ASCII_UTF8"),
    ];
    const v = judge(nits, "draft-sp-tcp-00", waivers);
    expect(v.waived.map((n) => n.code)).toEqual(["DOC_DATE_IN_PAST"]);
    expect(v.failures.map((n) => `${n.severity}:${n.code}`)).toEqual([
      "warning:ONLY_WS",
      "error:DOC_DATE_IN_PAST",
    ]);
    expect(judge(nits, "draft-sp-ws-00", waivers).failures).toHaveLength(1);
  });

  it("reads idnits JSON and the shipped waiver list", async () => {
    const nits = parseIdnitsJson(
      '{"nits":[{"severity":"ValidationWarning","code":"X","desc":"d","path":"rfc.front"}]}',
    );
    expect(nits).toEqual([{ severity: "warning", code: "X", desc: "d", path: "rfc.front" }]);
    for (const w of await loadWaivers()) expect(w.reason.length).toBeGreaterThan(40);
  });
});

describe("exportDraft", () => {
  let dir = "";
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "export-test-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes <docName>.xml and notes a docname completed with -00", async () => {
    const md = join(dir, "draft-sp-fix.md");
    await writeFile(md, FIXTURE.replace("docname: draft-sp-fix-00", "docname: draft-sp-fix"));
    const r = await exportDraft(md, dir, { waivers: null });
    expect(r.xmlPath).toBe(join(dir, "draft-sp-fix-00.xml"));
    expect(r.errors).toEqual([]);
    expect(r.warnings.join("\n")).toMatch(/exported as draft-sp-fix-00/);
    expect(await readFile(r.xmlPath, "utf8")).toContain('docName="draft-sp-fix-00"');
  });

  it("fails on unwaived idnits findings reported by the runner", async () => {
    const md = join(dir, "draft-sp-fix.md");
    await writeFile(md, FIXTURE);
    const r = await exportDraft(md, dir, {
      waivers: [],
      idnits: async () => [nitOf("warning", "DOC_DATE_IN_PAST")],
    });
    expect(r.errors.join("\n")).toMatch(/idnits warning DOC_DATE_IN_PAST/);
  });

  it("passes idnits (submission mode, offline) on a small draft", async () => {
    const md = join(dir, "draft-sp-fix.md");
    await writeFile(md, FIXTURE);
    const r = await exportDraft(md, dir, { waivers: await loadWaivers() });
    expect(r.errors).toEqual([]);
    expect(r.idnits?.errors).toBe(0);
    expect(r.idnits?.failures).toEqual([]);
  });
});

function nitOf(severity: Nit["severity"], code: string): Nit {
  return { severity, code, desc: code };
}
