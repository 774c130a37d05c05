/**
 * Builds the C adapters (adapters/nng/adapter.c, adapters/nanomsg/adapter.c)
 * on demand into `.cache/adapters/<name>-adapter`, rebuilding when the source
 * is newer than the binary.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { adapterCacheDir, suiteRoot } from "../paths.ts";

const run = promisify(execFile);

/** The repository root (meaningful when the suite runs from its sources). */
export const projectRoot = join(suiteRoot, "..");

/** How to build one C adapter. */
interface CAdapter {
  /** Directory under conformance/adapters and prefix of the binary. */
  name: string;
  /** Header whose absence means the library's development package is missing. */
  header: string;
  /** The Debian/Ubuntu package that provides it. */
  aptPackage: string;
  libs: string[];
  /** Extra compiler flags, computed at build time. */
  flags?: () => Promise<string[]>;
}

/** Library version from pkg-config, or null when pkg-config does not know it. */
async function pkgVersion(pkg: string): Promise<string | null> {
  try {
    const { stdout } = await run("pkg-config", ["--modversion", pkg]);
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

const NNG: CAdapter = {
  name: "nng",
  header: "/usr/include/nng/nng.h",
  aptPackage: "libnng-dev",
  libs: ["-lnng", "-lpthread"],
};

const NANOMSG: CAdapter = {
  name: "nanomsg",
  header: "/usr/include/nanomsg/nn.h",
  aptPackage: "libnanomsg-dev",
  libs: ["-lnanomsg", "-lpthread"],
  // nanomsg has no run-time version call; the adapter reports what pkg-config says.
  flags: async () => [`-DNANOMSG_VERSION="${(await pkgVersion("nanomsg")) ?? "unknown"}"`],
};

async function buildC(a: CAdapter): Promise<string> {
  const dir = join(suiteRoot, "adapters", a.name);
  const source = join(dir, "adapter.c");
  const out = join(adapterCacheDir, `${a.name}-adapter`);
  const common = join(suiteRoot, "adapters", "common");
  // Rebuild when a source beside adapter.c or a shared header is newer than the binary.
  const newest = Math.max(
    ...[dir, common].flatMap((d) =>
      readdirSync(d)
        .filter((f) => /\.[ch]$/.test(f))
        .map((f) => statSync(join(d, f)).mtimeMs),
    ),
  );
  if (existsSync(out) && statSync(out).mtimeMs >= newest) return out;
  if (!existsSync(a.header)) {
    throw new Error(
      `cannot build the ${a.name} adapter: ${a.header} is missing. ` +
        `Install the ${a.name} development package, e.g. \`apt-get install -y ${a.aptPackage}\` (Debian/Ubuntu).`,
    );
  }
  mkdirSync(dirname(out), { recursive: true });
  const cc = process.env.CC ?? "cc";
  const flags = a.flags ? await a.flags() : [];
  // Build beside the target and rename: another run may be executing the old binary.
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    await run(cc, ["-O2", `-I${common}`, ...flags, "-o", tmp, source, ...a.libs]);
    renameSync(tmp, out);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`building the ${a.name} adapter failed (${cc}):\n${err.stderr ?? err.message}`);
  }
  return out;
}

/** Compiles the nng adapter if needed and returns the binary's path. */
export function buildNngAdapter(): Promise<string> {
  return buildC(NNG);
}

/**
 * Compiles the nanomsg adapter if needed and returns the binary's path.
 *
 * @example
 * const bin = await buildNanomsgAdapter(); // .cache/adapters/nanomsg-adapter
 */
export function buildNanomsgAdapter(): Promise<string> {
  return buildC(NANOMSG);
}
