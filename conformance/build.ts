/**
 * Bundles the suite for its npm package (`npm run build -w sp-conformance`,
 * run by `prepack`): the runner (`dist/sp-conformance.js`, the bin) and the
 * reference adapter (`dist/reference-adapter.js`), sharing chunks. The library
 * stays a dependency: the adapter's imports of reference/index.ts become
 * imports of the `sp-reference` package, and no other file of the suite may
 * reach into reference/.
 */
import { chmodSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const libraryDir = resolve(here, "..", "reference");
const libraryIndex = join(libraryDir, "index.ts");

/** Maps the library's index to the `sp-reference` package; refuses deep imports. */
const libraryAsPackage: Plugin = {
  name: "sp-reference-external",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path);
      if (target === libraryIndex) return { path: "sp-reference", external: true };
      if (target.startsWith(`${libraryDir}/`)) {
        return {
          errors: [
            {
              text: `${relative(here, args.importer)} imports ${relative(here, target)}: the suite may use the library only through reference/index.ts`,
            },
          ],
        };
      }
      return undefined;
    });
  },
};

export async function buildSuite(outdir = join(here, "dist")): Promise<void> {
  await build({
    entryPoints: {
      "sp-conformance": join(here, "runner", "main.ts"),
      "reference-adapter": join(here, "adapters", "reference", "main.ts"),
    },
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outdir,
    chunkNames: "chunks/[name]-[hash]",
    external: ["sp-reference", "fast-check", "ws", "xstate", "bufferutil", "utf-8-validate"],
    plugins: [libraryAsPackage],
    define: { __SP_CONFORMANCE_BUNDLED__: "true" },
    banner: {
      // Bundled CommonJS packages (xmlbuilder2 for junit.xml) call require.
      js: "#!/usr/bin/env node\nimport { createRequire as __suiteRequire } from 'node:module'; const require = __suiteRequire(import.meta.url);",
    },
    minifyWhitespace: true,
    legalComments: "none",
    logLevel: "warning",
  });
  chmodSync(join(outdir, "sp-conformance.js"), 0o755);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildSuite(process.argv[2]);
  console.log("sp-conformance bundled into dist/");
}
