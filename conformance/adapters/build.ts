/**
 * Builds the nng adapter (adapters/nng/adapter.c) on demand into
 * `.cache/adapters/nng-adapter`, rebuilding when the source is newer.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Repository root (two levels above this file's directory). */
export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

const NNG_HEADER = "/usr/include/nng/nng.h";

/** Compiles the nng adapter if needed and returns the binary's path. */
export async function buildNngAdapter(): Promise<string> {
  const source = join(projectRoot, "conformance", "adapters", "nng", "adapter.c");
  const out = join(projectRoot, ".cache", "adapters", "nng-adapter");
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(source).mtimeMs) return out;
  if (!existsSync(NNG_HEADER)) {
    throw new Error(
      `cannot build the nng adapter: ${NNG_HEADER} is missing. ` +
        "Install the nng development package, e.g. `apt-get install -y libnng-dev` (Debian/Ubuntu).",
    );
  }
  mkdirSync(dirname(out), { recursive: true });
  const cc = process.env.CC ?? "cc";
  try {
    await run(cc, ["-O2", "-o", out, source, "-lnng", "-lpthread"]);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`building the nng adapter failed (${cc}):\n${err.stderr ?? err.message}`);
  }
  return out;
}
