import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { docnameOf, escapeTags, exportDraft, findKramdown } from "./export.ts";
import { checkXml } from "./xmlcheck.ts";

const DRAFT = `---
title: Fixture
docname: draft-sp-fix-00
--- abstract

A sender MUST do it [SP-FIX-1].
`;

describe("checkXml", () => {
  it("accepts a kramdown-rfc style document with a DOCTYPE subset and reads docName", () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
  <?xml-stylesheet type="text/xsl" href="rfc2629.xslt" ?>
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
    expect(r.rootAttributes.ipr).toBe("trust200902");
  });

  it("reports crossed, unclosed and stray tags with their lines", () => {
    expect(checkXml("<a>\n<b></a></b>").errors[0]).toEqual({
      line: 2,
      message: "end tag </a> does not match <b> of line 2",
    });
    expect(checkXml("<a><b>").errors.map((e) => e.message)).toContain(
      "element <b> is never closed",
    );
    expect(checkXml("<a/></b>").errors.map((e) => e.message)).toContain(
      "end tag </b> without a start tag",
    );
  });

  it("rejects undeclared entities, bare ampersands, repeated attributes and two roots", () => {
    const messages = (s: string) => checkXml(s).errors.map((e) => e.message);
    expect(messages("<a>&foo;</a>")).toEqual(["undeclared entity &foo;"]);
    expect(messages("<a>x & y</a>")[0]).toMatch(/bare "&"/);
    expect(messages('<a x="1" x="2"/>')).toEqual(['attribute "x" repeated in <a>']);
    expect(messages("<a/><b/>")).toEqual(["second root element <b>"]);
    expect(messages("text<a/>")).toEqual(["text outside the root element"]);
    expect(messages("")).toEqual(["no root element"]);
    expect(messages("<a><!-- x -- y --></a>")).toEqual(['"--" inside a comment']);
  });
});

describe("escapeTags and docnameOf", () => {
  it("escapes requirement tags outside code spans only", () => {
    expect(escapeTags("it MUST [SP-TCP-3]; see `[SP-TCP-3]`")).toBe(
      "it MUST \\[SP-TCP-3\\]; see `[SP-TCP-3]`",
    );
  });

  it("reads the docname from the front matter", () => {
    expect(docnameOf(DRAFT)).toBe("draft-sp-fix-00");
    expect(docnameOf("no front matter")).toBeNull();
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

  /** A stand-in for kramdown-rfc that prints fixed XML and checks its input was escaped. */
  async function fakeKramdown(xml: string): Promise<string> {
    const script = join(dir, "fake-kramdown");
    await writeFile(
      script,
      `#!/bin/sh\ngrep -q '\\\\\\[SP-FIX-1\\\\\\]' "$2" || { echo "tags not escaped" >&2; exit 3; }\ncat <<'XML'\n${xml}\nXML\n`,
    );
    await chmod(script, 0o755);
    return script;
  }

  it("writes the XML and accepts it when docName matches the front matter", async () => {
    await writeFile(join(dir, "draft-sp-fix.md"), DRAFT);
    const tool = await fakeKramdown('<rfc docName="draft-sp-fix-00"><front/></rfc>');
    const r = await exportDraft(tool, join(dir, "draft-sp-fix.md"), dir);
    expect(r.errors).toEqual([]);
    expect(r.xmlPath).toBe(join(dir, "draft-sp-fix.xml"));
    expect(await readFile(join(dir, "draft-sp-fix.xml"), "utf8")).toContain("<front/>");
  });

  it("fails on a docName mismatch and on malformed XML", async () => {
    await writeFile(join(dir, "draft-sp-fix.md"), DRAFT);
    const wrong = await fakeKramdown('<rfc docName="draft-sp-other-00"><front></rfc>');
    const r = await exportDraft(wrong, join(dir, "draft-sp-fix.md"), dir);
    expect(r.errors.join("\n")).toMatch(/does not match <front>/);
    expect(r.errors.join("\n")).toMatch(/does not match docname draft-sp-fix-00/);
  });

  it("reports a converter that cannot run", async () => {
    await writeFile(join(dir, "draft-sp-fix.md"), DRAFT);
    const r = await exportDraft(join(dir, "missing-tool"), join(dir, "draft-sp-fix.md"), dir);
    expect(r.xmlPath).toBeNull();
    expect(r.errors[0]).toMatch(/^kramdown-rfc: /);
  });

  it("findKramdown returns null when no candidate is on PATH", () => {
    expect(findKramdown(["sp-no-such-kramdown-binary"])).toBeNull();
  });
});
