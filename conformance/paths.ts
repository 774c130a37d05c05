/**
 * Where the suite finds its own files. In the repository the suite runs from
 * its TypeScript sources (conformance/); installed from npm it runs from the
 * bundle in dist/ (conformance/build.ts), next to the same expectations,
 * C adapter sources and schemas. Reports and adapter commands given by the
 * user are relative to the user's working directory, never to these.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Defined as true by the bundler; absent when the sources run through tsx. */
declare const __SP_CONFORMANCE_BUNDLED__: boolean | undefined;

/** True when running from the npm package's bundle. */
export const bundled =
  typeof __SP_CONFORMANCE_BUNDLED__ === "boolean" && __SP_CONFORMANCE_BUNDLED__;

const here = dirname(fileURLToPath(import.meta.url));

/** The suite's folder: conformance/ in the repository, the package folder when installed. */
export const suiteRoot = bundled ? join(here, "..") : here;

/** The folder of the bundle's entry points (only meaningful when `bundled`). */
export const distDir = here;

/** Where built C adapters are cached. */
export const adapterCacheDir = bundled
  ? join(suiteRoot, "..", ".cache", "sp-conformance", "adapters")
  : join(suiteRoot, "..", ".cache", "adapters");
