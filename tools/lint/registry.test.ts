import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../gen/format.ts";
import { readDrafts } from "../gen/generate.ts";

/** Rows of the framework's `{: #protocol-registry}` table: socket → [number, peer socket]. */
function registryRows(markdown: string): Map<string, { number: number; peer: string }> {
  const lines = markdown.split("\n");
  const end = lines.findIndex((l) => l.startsWith("{: #protocol-registry"));
  const rows = new Map<string, { number: number; peer: string }>();
  for (let k = end - 1; k >= 0 && lines[k]?.startsWith("|"); k--) {
    const cells = (lines[k] ?? "").split("|").map((c) => c.trim());
    const [, socket, , , , hex, peer, status] = cells;
    if (!socket || !/^0x[0-9A-F]+$/i.test(hex ?? "") || status !== "Stable") continue;
    rows.set(socket, { number: Number(hex), peer: peer ?? "" });
  }
  return rows;
}

describe("the framework's protocol number registry", () => {
  it("agrees with every protocol draft's protocol-numbers table", async () => {
    const drafts = await readDrafts(join(repoRoot, "rfc"));
    const framework = readFileSync(join(repoRoot, "rfc/draft-sp-framework.md"), "utf8");
    const registry = registryRows(framework);
    const tables = drafts.flatMap((d) => d.protocols);
    expect(tables.length).toBeGreaterThan(0);
    const byNumber = new Map(tables.map((p) => [p.number, p.key]));
    for (const p of tables) {
      expect(registry.get(p.key), `${p.key} in the registry`).toEqual({
        number: p.number,
        peer: byNumber.get(p.peer),
      });
    }
    expect([...registry.keys()].sort()).toEqual(tables.map((p) => p.key).sort());
  });
});
