/**
 * Where each implementation's driver comes from: the C drivers compiled on
 * demand into `.cache/bench/` against the Debian nng and nanomsg libraries,
 * and the TypeScript drivers for the reference and the raw Node baseline.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Repository root. */
export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const driverDir = join(projectRoot, "dev", "bench", "drivers");
const cacheDir = join(projectRoot, ".cache", "bench");

/** One side of a measurement: a library, the reference, or raw Node. */
export type Side = "reference" | "nng" | "nanomsg" | "raw";

const cLibs = {
  nng: { source: "nng.c", header: "/usr/include/nng/nng.h", libs: ["-lnng"], pkg: "libnng-dev" },
  nanomsg: {
    source: "nanomsg.c",
    header: "/usr/include/nanomsg/nn.h",
    libs: ["-lnanomsg"],
    pkg: "libnanomsg-dev",
  },
} as const;

/**
 * Compiles the C driver of `lib` if its binary is missing or older than the
 * sources, and returns the binary path. Throws with a readable reason when
 * the headers or the compiler are missing.
 */
export async function buildCDriver(lib: "nng" | "nanomsg"): Promise<string> {
  const spec = cLibs[lib];
  const source = join(driverDir, spec.source);
  const common = join(driverDir, "common.h");
  const out = join(cacheDir, `${lib}-driver`);
  const newest = Math.max(statSync(source).mtimeMs, statSync(common).mtimeMs);
  if (existsSync(out) && statSync(out).mtimeMs >= newest) return out;
  if (!existsSync(spec.header)) {
    throw new Error(`${spec.header} is missing (install ${spec.pkg}, or run npm run peers)`);
  }
  mkdirSync(cacheDir, { recursive: true });
  const cc = process.env.CC ?? "cc";
  try {
    await run(cc, ["-O2", "-o", out, source, ...spec.libs, "-lpthread"]);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`building the ${lib} driver failed (${cc}): ${err.stderr ?? err.message}`);
  }
  return out;
}

/** Node flags that let a driver run TypeScript. */
const tsNode = [process.execPath, "--import", "tsx"];

/** Bundled copies of the TypeScript drivers, when esbuild could make them. */
const bundled: Partial<Record<"reference" | "raw", string>> = {};

/**
 * Bundles the reference and raw drivers into `.cache/bench/*.mjs` with esbuild
 * (present as tsx's own dependency), so that each run's driver starts in a
 * fraction of the time `--import tsx` takes. Without esbuild the drivers run
 * through tsx; the figures are the same, only the bench takes longer.
 * Returns a note when it fell back.
 */
export async function bundleTsDrivers(): Promise<string | undefined> {
  let esbuild: { build: (o: Record<string, unknown>) => Promise<unknown> };
  try {
    esbuild = (await import("esbuild" as string)) as typeof esbuild;
  } catch {
    return "esbuild not found; TypeScript drivers run through tsx (slower start)";
  }
  mkdirSync(cacheDir, { recursive: true });
  for (const side of ["reference", "raw"] as const) {
    const outfile = join(cacheDir, `${side}-driver.mjs`);
    try {
      await esbuild.build({
        entryPoints: [join(driverDir, `${side}.ts`)],
        outfile,
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        packages: "external",
        logLevel: "silent",
      });
      bundled[side] = outfile;
    } catch (e) {
      return `bundling the ${side} driver failed (${(e as Error).message}); using tsx`;
    }
  }
  return undefined;
}

/**
 * The command prefix that runs the driver of `side`; the mode and its
 * arguments follow. C drivers must have been built (`builtC`).
 */
export function driverCommand(
  side: Side,
  builtC: Partial<Record<"nng" | "nanomsg", string>>,
): string[] {
  switch (side) {
    case "reference":
    case "raw": {
      const b = bundled[side];
      return b ? [process.execPath, b] : [...tsNode, join(driverDir, `${side}.ts`)];
    }
    default: {
      const bin = builtC[side];
      if (!bin) throw new Error(`the ${side} driver is not built`);
      return [bin];
    }
  }
}

/** The subscription-structure driver, with a GC hook and room for 10M keys. */
export function subsCommand(): string[] {
  return [
    process.execPath,
    "--expose-gc",
    "--max-old-space-size=12288",
    "--import",
    "tsx",
    join(driverDir, "subs.ts"),
  ];
}
