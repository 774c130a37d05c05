/**
 * Builds the browser bundle of the reference: reference/browser/index.ts →
 * `.cache/browser/sp.js` (one ESM file, no Node built-ins). Node-only modules
 * are swapped at build time rather than edited:
 * reference/transports.ts → reference/browser/transports.ts (page WebSocket +
 * inproc), `node:net` / `node:dns/promises` → small shims, the globals
 * `Buffer`, `setImmediate` and unref-able `setTimeout` → reference/browser/node-globals.ts.
 * Any other `node:` import fails the build.
 *
 * Run alone with `npx tsx dev/browser/build.ts`.
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

/** Repository root. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Where the bundle and test artefacts go. */
export const outDir = join(root, ".cache", "browser");
/** The bundle. */
export const bundlePath = join(outDir, "sp.js");

const browserDir = join(root, "reference", "browser");

/** Node modules the browser build replaces, by specifier. */
const shims: Record<string, string> = {
  "node:net": join(browserDir, "shims", "node-net.ts"),
  "node:dns/promises": join(browserDir, "shims", "node-dns.ts"),
};

/** Module swaps, by absolute path of the Node module. */
const swaps: Record<string, string> = {
  [join(root, "reference", "transports.ts")]: join(browserDir, "transports.ts"),
};

/** esbuild plugin: applies the swaps and shims and refuses every other Node built-in. */
const browserOnly: Plugin = {
  name: "sp-browser-only",
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => {
      const shim = shims[args.path];
      if (shim) return { path: shim };
      return {
        errors: [
          { text: `Node built-in ${args.path} imported by ${args.importer} in a browser build` },
        ],
      };
    });
    b.onResolve({ filter: /transports\.ts$/ }, (args) => {
      const target = swaps[resolve(args.resolveDir, args.path)];
      return target ? { path: target } : undefined;
    });
  },
};

/** Writes `path` through a temporary file and a rename. */
async function writeAtomically(path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** What {@link buildBrowserBundle} reports. */
export interface BundleInfo {
  path: string;
  bytes: number;
  /** Input modules that made it into the bundle (relative to the root). */
  inputs: string[];
}

/**
 * Bundles the browser entry and checks that no Node import or `ws` package survived.
 *
 * @example
 * ```ts
 * const { path, bytes } = await buildBrowserBundle();
 * ```
 */
export async function buildBrowserBundle(opts: { minify?: boolean } = {}): Promise<BundleInfo> {
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: [join(browserDir, "index.ts")],
    outfile: bundlePath,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: opts.minify ?? false,
    sourcemap: "linked",
    metafile: true,
    // Written below via rename, so a concurrent build never serves half a file.
    write: false,
    logLevel: "silent",
    inject: [join(browserDir, "node-globals.ts")],
    define: {
      "process.platform": JSON.stringify("browser"),
      "process.env.NODE_ENV": JSON.stringify("production"),
    },
    plugins: [browserOnly],
  });
  const inputs = Object.keys(result.metafile.inputs);
  const js = result.outputFiles.find((f) => f.path === bundlePath);
  if (!js) throw new Error("esbuild produced no bundle");
  const text = js.text;
  const leaks = [
    ...inputs.filter((p) => /node_modules\/ws\//.test(p) || /^node:/.test(p)),
    ...(text.match(/(?:from\s*|import\s*\(|require\()\s*["']node:[^"']+["']/g) ?? []),
    ...(/\bprocess\./.test(text) ? ["a reference to process.*"] : []),
  ];
  if (leaks.length > 0) throw new Error(`browser bundle is not browser-only: ${leaks.join(", ")}`);
  for (const f of result.outputFiles) await writeAtomically(f.path, f.contents);
  return { path: bundlePath, bytes: Buffer.byteLength(text), inputs };
}

/** esbuild plugin: a page script's import of the browser entry becomes the served `/sp.js`. */
const stackExternal: Plugin = {
  name: "sp-stack-external",
  setup(b) {
    b.onResolve({ filter: /index\.ts$/ }, (args) =>
      resolve(args.resolveDir, args.path) === join(browserDir, "index.ts")
        ? { path: "/sp.js", external: true }
        : undefined,
    );
  },
};

/**
 * Bundles a page script (e.g. dev/browser/page/scenarios.ts) to `.cache/browser/<name>.js`;
 * it imports the stack from `/sp.js` at run time instead of carrying its own copy.
 *
 * @example
 * ```ts
 * const js = await buildPageScript("dev/browser/page/scenarios.ts", "scenarios");
 * ```
 */
export async function buildPageScript(entry: string, name: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const outfile = join(outDir, `${name}.js`);
  const result = await build({
    entryPoints: [resolve(root, entry)],
    outfile,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    logLevel: "silent",
    plugins: [stackExternal, browserOnly],
    write: false,
  });
  for (const f of result.outputFiles) await writeAtomically(f.path, f.contents);
  return outfile;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const info = await buildBrowserBundle();
  console.log(`${info.path}: ${info.bytes} bytes from ${info.inputs.length} modules`);
}
