/**
 * Bundles spcat with esbuild (the reference library, xstate and ws included),
 * so the installed command starts without a TypeScript loader and without
 * resolving a dependency tree: `npm run build -w spcat` writes spcat/dist/;
 * `npm pack -w spcat` runs it first.
 *
 * The bundle is CommonJS (dist/ holds its own `package.json` saying so): on
 * Node 20, loading a CommonJS entry costs about 10 ms less than the ESM loader
 * (measured: `--version` 79–82 ms against 86–101 ms, with `node -e 0` at
 * 72–73 ms on the same VM).
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildOptions, build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));

/** The library's file in dist/, loaded only when spcat opens a socket. */
const LIB = "./lib.js";

const common: BuildOptions = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: "none",
  // ws probes these optional native add-ons inside try/catch.
  external: ["bufferutil", "utf-8-validate"],
  // The sources are ESM; in a CommonJS bundle `import.meta.url` is the file's URL.
  define: { "import.meta.url": "__fileUrl" },
  banner: { js: "const __fileUrl=require('node:url').pathToFileURL(__filename).href;" },
  logLevel: "warning",
};

/**
 * Writes the bundle into `outdir` (emptied first): `spcat.js` (executable,
 * with a shebang: argument parsing, help, formats), `lib.js` (the library,
 * loaded when a socket opens) and a `package.json` that makes both CommonJS.
 * Returns the path of `spcat.js`.
 */
export async function buildSpcat(outdir = join(here, "dist")): Promise<string> {
  const pkg = JSON.parse(readFileSync(join(here, "package.json"), "utf8")) as { version: string };
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  writeFileSync(join(outdir, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
  const entry = join(outdir, "spcat.js");
  await build({
    ...common,
    entryPoints: [join(here, "spcat.ts")],
    outfile: entry,
    define: { ...common.define, __SPCAT_VERSION__: JSON.stringify(pkg.version) },
    banner: { js: `#!/usr/bin/env node\n${common.banner?.js}` },
    // spcat.ts imports the library dynamically; it stays a separate file.
    plugins: [
      {
        name: "library-apart",
        setup(b) {
          b.onResolve({ filter: /[/\\]reference[/\\]protocols\.ts$/ }, () => ({
            path: LIB,
            external: true,
          }));
        },
      },
    ],
  });
  await build({
    ...common,
    entryPoints: [join(here, "..", "reference", "protocols.ts")],
    outfile: join(outdir, LIB),
  });
  chmodSync(entry, 0o755);
  return entry;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = await buildSpcat(process.argv[2]);
  console.log(`spcat bundled: ${out}`);
}
