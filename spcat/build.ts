/**
 * Bundles spcat into one ESM file with esbuild (the reference library, xstate
 * and ws included), so the installed command starts without a TypeScript
 * loader and without resolving a dependency tree: `npm run build -w spcat`
 * writes spcat/dist/; `npm pack -w spcat` runs it first.
 */
import { chmodSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Writes the bundle into `outdir`: `spcat.js` (executable, with a shebang:
 * argument parsing, help, formats) and a chunk with the library that it loads
 * when it opens a socket. Returns the path of `spcat.js`.
 */
export async function buildSpcat(outdir = join(here, "dist")): Promise<string> {
  const pkg = JSON.parse(readFileSync(join(here, "package.json"), "utf8")) as { version: string };
  await build({
    entryPoints: [join(here, "spcat.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outdir,
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: "none",
    // ws probes these optional native add-ons inside try/catch.
    external: ["bufferutil", "utf-8-validate"],
    define: { __SPCAT_VERSION__: JSON.stringify(pkg.version) },
    banner: {
      // ws is CommonJS: its `require` calls need a real require in ESM.
      js: "#!/usr/bin/env node\nimport { createRequire as __spcatRequire } from 'node:module'; const require = __spcatRequire(import.meta.url);",
    },
    logLevel: "warning",
  });
  const entry = join(outdir, "spcat.js");
  chmodSync(entry, 0o755);
  return entry;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = await buildSpcat(process.argv[2]);
  console.log(`spcat bundled: ${out}`);
}
