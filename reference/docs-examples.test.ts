/**
 * Runs every `// example:` block of docs/API.md as an ES module (with
 * "sp-reference" pointing at reference/index.ts), so the documented examples
 * stay runnable.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const doc = await readFile("docs/API.md", "utf8");
const blocks = [...doc.matchAll(/```ts\n(\/\/ example: (\S+)\n[\s\S]*?)```/g)].map((m) => ({
  name: m[2] as string,
  code: m[1] as string,
}));
const dir = resolve(".cache", "docs-examples");
const entry = pathToFileURL(resolve("reference/index.ts")).href;

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("docs/API.md examples", () => {
  it("has an example per protocol family, raw sockets and stats", () => {
    expect(blocks.map((b) => b.name).sort()).toEqual(
      ["bus", "device", "pair", "pipeline", "pubsub", "reqrep", "stats", "survey"].sort(),
    );
  });

  it.each(blocks.map((b) => [b.name, b.code] as const))(
    "the %s example runs",
    async (name, code) => {
      await mkdir(dir, { recursive: true });
      const file = join(dir, `${name}.ts`);
      await writeFile(file, code.replaceAll('"sp-reference"', JSON.stringify(entry)));
      const logs: unknown[][] = [];
      const orig = console.log;
      console.log = (...args: unknown[]) => logs.push(args);
      try {
        await import(pathToFileURL(file).href);
      } finally {
        console.log = orig;
      }
      // Each `console.log(...); // text` line documents what it prints (up to any ":").
      const documented = [...code.matchAll(/console\.log\(.*\);\s*\/\/ ([^:\n]+)/g)].map((m) =>
        (m[1] as string).trim(),
      );
      const printed = logs.map((args) =>
        args.map((a) => (typeof a === "object" ? JSON.stringify(a) : String(a))).join(" "),
      );
      expect(printed.length).toBeGreaterThan(0);
      for (const want of documented) {
        expect(
          printed.some((p) =>
            p.replaceAll(/[{}"]/g, "").includes(want.replaceAll(/[{}"]/g, "").trim()),
          ),
        ).toBe(true);
      }
    },
    15000,
  );
});
