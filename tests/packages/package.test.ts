/**
 * The three npm packages as a user gets them: `npm pack -w <package>` (which
 * runs each package's `prepack` build), then `npm install` of the tarballs
 * into an empty folder, then the library (ESM import, require, types) and the
 * two bins (`spcat`, `sp-conformance`) are used from there, never from the
 * repository.
 *
 * Dependencies come from the npm cache filled by `npm ci` (`--prefer-offline`);
 * the registry is reachable for anything missing.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freePort, waitFor } from "../../testkit/wait.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The published packages: workspace folder → package.json. */
const PACKAGES = ["reference", "conformance", "spcat"].map((dir) => ({
  dir,
  ...(JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as {
    name: string;
    version: string;
    dependencies?: Record<string, string>;
  }),
}));
const LIB = PACKAGES[0] as (typeof PACKAGES)[number];
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
const SETUP_TIMEOUT_MS = 240_000;
const STEP_TIMEOUT_MS = 90_000;

// Every step starts node processes (tsx start-up is slow on a loaded machine).
vi.setConfig({ testTimeout: 120_000 });

/**
 * The environment for child commands: without the `npm_*` variables of an
 * enclosing `npm run` (its prefix and package would steer `npm install` back
 * into the repository), except the cache and registry settings.
 */
function childEnv(): NodeJS.ProcessEnv {
  const keep = new Set(["npm_config_cache", "npm_config_registry", "npm_config_userconfig"]);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.toLowerCase().startsWith("npm_") || keep.has(k.toLowerCase())) env[k] = v;
  }
  env.npm_config_update_notifier = "false";
  return env;
}

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `cmd args` in `cwd` to completion (bounded); never rejects. */
function run(cmd: string, args: readonly string[], cwd: string, timeout = STEP_TIMEOUT_MS) {
  return new Promise<Ran>((resolve) => {
    execFile(
      cmd,
      args,
      { cwd, env: childEnv(), timeout, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:`port` (from /proc, no connection made). */
function listening(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const table = readFileSync("/proc/net/tcp", "utf8");
  return table.split("\n").some((line) => {
    const [, , local, , state] = line.split(/\s+/);
    return local?.endsWith(`:${hex}`) === true && state === "0A";
  });
}

function show(r: Ran): string {
  return `code=${r.code}\nstdout=${r.stdout.slice(-2000)}\nstderr=${r.stderr.slice(-2000)}`;
}

let work = "";
let app = "";
const packed = new Map<string, { tarball: string; files: string[] }>();

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "sp-package-"));
  const dest = join(work, "pack");
  mkdirSync(dest);
  for (const pkg of PACKAGES) {
    const args = ["pack", "-w", pkg.name, "--json", "--pack-destination", dest];
    const pack = await run("npm", args, ROOT, SETUP_TIMEOUT_MS);
    if (pack.code !== 0) throw new Error(`npm pack -w ${pkg.name} failed\n${show(pack)}`);
    // `--json` output is the array; lifecycle lines, if any, come before it.
    const json = pack.stdout.slice(Math.max(0, pack.stdout.search(/^\[/m)));
    const [info] = JSON.parse(json) as { filename: string; files: { path: string }[] }[];
    if (!info) throw new Error(`npm pack -w ${pkg.name} printed no file list\n${show(pack)}`);
    packed.set(pkg.name, {
      tarball: join(dest, info.filename),
      files: info.files.map((f) => f.path),
    });
  }
  app = join(work, "app");
  mkdirSync(app);
  const init = await run("npm", ["init", "-y"], app);
  if (init.code !== 0) throw new Error(`npm init failed\n${show(init)}`);
  const tarballs = [...packed.values()].map((p) => p.tarball);
  const npmArgs = ["install", "--no-audit", "--no-fund", "--prefer-offline"];
  const inst = await run("npm", [...npmArgs, ...tarballs], app, SETUP_TIMEOUT_MS);
  if (inst.code !== 0) throw new Error(`npm install of the tarballs failed\n${show(inst)}`);
}, 2 * SETUP_TIMEOUT_MS);

afterAll(() => {
  if (work !== "") rmSync(work, { recursive: true, force: true });
});

const filesOf = (name: string) => packed.get(name)?.files ?? [];

describe("npm pack", () => {
  it("each tarball holds compiled JavaScript, no TypeScript sources and no tests", () => {
    for (const pkg of PACKAGES) {
      const files = filesOf(pkg.name);
      expect(files, pkg.name).toContain("package.json");
      expect(
        files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")),
        pkg.name,
      ).toEqual([]);
      expect(
        files.filter((f) => /\.test\.|testkit|tests\//.test(f)),
        pkg.name,
      ).toEqual([]);
    }
    expect(filesOf("sp-reference")).toContain("dist/reference/index.js");
    expect(filesOf("sp-reference")).toContain("dist/reference/index.d.ts");
    expect(filesOf("spcat")).toContain("dist/spcat.js");
    expect(filesOf("sp-conformance")).toContain("dist/sp-conformance.js");
    expect(filesOf("sp-conformance")).toContain("expectations/nng.json");
    expect(filesOf("sp-conformance")).toContain("adapters/nng/adapter.c");
  });

  it("the library depends on what it imports at run time, and nothing else", () => {
    expect(Object.keys(LIB.dependencies ?? {}).sort()).toEqual(["@types/ws", "ws", "xstate"]);
    const spcat = PACKAGES.find((p) => p.name === "spcat");
    expect(spcat?.dependencies ?? {}).toEqual({});
  });
});

describe("installed into an empty folder", () => {
  it("import of the library works (ESM): a REQ/REP round trip over tcp", async () => {
    const script = [
      `import { req0, rep0 } from ${JSON.stringify(LIB.name)};`,
      "const rep = rep0(); const req = req0();",
      "const { url } = await rep.listen('tcp://127.0.0.1:0');",
      "req.dial(url);",
      "await req.send('ping');",
      "const got = Buffer.from(await rep.recv()).toString();",
      "await rep.send(got + '/pong');",
      "console.log(Buffer.from(await req.recv()).toString());",
      "await req.close(); await rep.close();",
    ].join("\n");
    const r = await run(process.execPath, ["--input-type=module", "-e", script], app);
    expect(r.stdout, show(r)).toBe("ping/pong\n");
    expect(r.code, show(r)).toBe(0);
  });

  it("require() of the library works too, and no TypeScript loader was installed", async () => {
    const script = `const sp = require(${JSON.stringify(LIB.name)}); console.log(typeof sp.req0);`;
    const r = await run(process.execPath, ["-e", script], app);
    expect(r.stdout, show(r)).toBe("function\n");
    for (const dev of ["tsx", "esbuild", "typescript", "vitest", "xmlbuilder2", "yaml"]) {
      expect(existsSync(join(app, "node_modules", dev)), dev).toBe(false);
    }
  });

  const consumer = [
    `import { type SocketBase, SPError, rep0, req0 } from ${JSON.stringify(LIB.name)};`,
    "export async function roundTrip(): Promise<number> {",
    "  const rep: SocketBase = rep0();",
    "  const req = req0({ recvTimeout: 1000 });",
    '  const { url } = await rep.listen("tcp://127.0.0.1:0");',
    "  req.dial(url);",
    '  await req.send("ping");',
    "  const got: Uint8Array = await rep.recv();",
    "  try { await req.close(); } catch (e) { if (e instanceof SPError) return -1; }",
    "  return got.length;",
    "}",
    "",
  ].join("\n");

  /** Writes `source` and a tsconfig with `options`, runs the repository's tsc on it. */
  async function tsc(name: string, source: string, options: Record<string, unknown>) {
    writeFileSync(join(app, `${name}.mts`), source);
    const config = {
      compilerOptions: {
        module: "nodenext",
        target: "es2022",
        strict: true,
        noEmit: true,
        ...options,
      },
      files: [`${name}.mts`],
    };
    writeFileSync(join(app, `tsconfig.${name}.json`), JSON.stringify(config));
    return run(process.execPath, [TSC, "-p", `tsconfig.${name}.json`], app);
  }

  it("its types compile with tsc --init's settings (nodenext, strict, skipLibCheck), and are not `any`", async () => {
    const ok = await tsc("consumer", consumer, { skipLibCheck: true });
    expect(ok.code, show(ok)).toBe(0);
    // A misuse must be a type error, or the declarations were not found at all.
    const bad = await tsc("misuse", `${consumer}export const wrong: string = rep0().recv();\n`, {
      skipLibCheck: true,
    });
    expect(bad.stdout, show(bad)).toMatch(/misuse\.mts.*error TS2322/);
    expect(bad.code).not.toBe(0);
  });

  it("its declarations check cleanly with skipLibCheck off and no `types` setting", async () => {
    // @types/node and @types/ws are dependencies of the package and index.d.ts
    // references the node types itself, so a consumer adds nothing.
    const r = await tsc("strictlib", consumer, { skipLibCheck: false });
    expect(r.code, show(r)).toBe(0);
  });

  it("the spcat bin: --version, --help (status 1, as nngcat), and a REP/REQ round trip", async () => {
    const bin = join(app, "node_modules/.bin/spcat");
    const version = await run(bin, ["--version"], app);
    expect(version.stdout, show(version)).toBe(`${PACKAGES[2]?.version}\n`);
    expect(version.code).toBe(0);
    const help = await run(bin, ["--help"], app);
    expect(help.stdout, show(help)).toMatch(/^Usage: spcat <proto> <addr>/);
    expect(help.code, show(help)).toBe(1);

    const port = await freePort();
    const url = `tcp://127.0.0.1:${port}`;
    const rep = run(bin, ["--rep0", "--listen", url, "--data", "pong", "--count", "1", "-Q"], app);
    // Without --async a refused dial ends spcat at once (as nngcat), so REQ
    // starts only once REP listens.
    await waitFor(() => listening(port), STEP_TIMEOUT_MS, `spcat REP listening on ${url}`);
    const req = await run(bin, ["--req0", "--dial", url, "--data", "ping", "-Q"], app);
    const repDone = await rep;
    expect(req.stdout, show(req)).toBe('"pong"\n');
    expect(req.code, show(req)).toBe(0);
    expect(repDone.stdout, show(repDone)).toBe('"ping"\n');
    expect(repDone.code, show(repDone)).toBe(0);
  });

  it("the sp-conformance bin: --list, and one case against the reference passes", async () => {
    const bin = join(app, "node_modules/.bin/sp-conformance");
    const list = await run(bin, ["--list"], app);
    expect(list.code, show(list)).toBe(0);
    expect(list.stdout).toMatch(/^reqrep\/tcp-header-sent\s/m);
    const one = await run(bin, ["--iut", "reference", "--filter", "reqrep/tcp-header-sent"], app);
    expect(one.stdout, show(one)).toMatch(/PASS\s+reqrep\/tcp-header-sent/);
    expect(one.stdout).toMatch(/^conformance: 1 passed, 0 failed, 0 warn, 0 info, 0 unsupported$/m);
    expect(one.code, show(one)).toBe(0);
    // Reports land in the working directory, never inside node_modules.
    expect(existsSync(join(app, "reports/conformance/reference/results.json"))).toBe(true);
  });

  it("sp-conformance: a usage error exits 2 and an IUT that cannot start exits 3", async () => {
    const bin = join(app, "node_modules/.bin/sp-conformance");
    const bogus = await run(bin, ["--bogus"], app);
    expect(bogus.code, show(bogus)).toBe(2);
    expect(bogus.stderr).not.toMatch(/\n\s+at /);
    const missing = await run(bin, ["--iut", "./no-such-adapter", "--filter", "pair/*"], app);
    expect(missing.code, show(missing)).toBe(3);
  });
});
