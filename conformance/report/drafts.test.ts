import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultRfcDir, draftFiles, draftLinker } from "./drafts.ts";

const tmp = mkdtempSync(join(tmpdir(), "sp-drafts-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("links to the drafts", () => {
  it("maps draft names to files by their docname", () => {
    const rfc = join(tmp, "rfc");
    const reports = join(tmp, "reports", "nng");
    for (const dir of [rfc, reports]) mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(rfc, "draft-sp-websocket.md"),
      "---\ntitle: x\ndocname: draft-sp-ws-00\n---\n",
    );
    writeFileSync(join(rfc, "draft-sp-bus.md"), "no front matter\n");
    writeFileSync(join(rfc, "README.md"), "docname: not-a-draft-00\n");
    expect([...draftFiles(rfc)]).toEqual([
      ["draft-sp-bus", "draft-sp-bus.md"],
      ["draft-sp-ws", "draft-sp-websocket.md"],
    ]);
    const link = draftLinker(reports, rfc);
    expect(link?.("draft-sp-ws", 42)).toEqual({
      href: "../../rfc/draft-sp-websocket.md#L42",
      label: "rfc/draft-sp-websocket.md:42",
    });
    expect(link?.("draft-sp-bus", undefined)).toEqual({
      href: "../../rfc/draft-sp-bus.md",
      label: "rfc/draft-sp-bus.md",
    });
    expect(link?.("draft-sp-unknown", 1)).toBeUndefined();
  });

  it("finds the repository's drafts, and gives up quietly without them", () => {
    const rfc = defaultRfcDir();
    expect(rfc).toBeDefined();
    expect(draftFiles(rfc ?? "").get("draft-sp-reqrep")).toBe("draft-sp-reqrep.md");
    expect(draftLinker(tmp, join(tmp, "missing"))).toBeUndefined();
  });
});
