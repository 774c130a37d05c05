/**
 * The type contract between the drafts and the reference: a machine table that
 * gains an action (or an event) fails the type check of the reference's
 * binding until the reference provides it (or says what the event carries).
 *
 * The test regenerates the drafts into three scratch trees: from the drafts as
 * they are, from a copy of the REQ/REP draft whose resend row runs one more
 * action, and from one whose `req` table has one more event. Each tree links
 * `reference/` to the repository's (with `preserveSymlinks`, the reference's
 * `../../../spec/...` imports then land on the scratch `spec/`) and runs the
 * repository's tsc on a probe that imports every module of the reference that
 * binds a machine. The unmodified regeneration compiles without a diagnostic;
 * each modified one fails in the REQ binding with an error naming what is new.
 *
 * It also checks the rule that makes this hold for every machine: the
 * reference binds each generated machine through `create<Name>Logic` (the
 * compiled form it runs), never through xstate's `provide` (whose keys are all
 * optional) or the untyped runtime `compiledLogic`.
 */
import { spawnSync } from "node:child_process";
import {
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "./format.ts";
import { generate, readDrafts } from "./generate.ts";
import { pascalCase } from "./names.ts";

/** The source files of `reference/` (no tests, no build output), relative to the repository. */
async function referenceSources(dir = join(repoRoot, "reference")): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "dist" && e.name !== "node_modules") out.push(...(await referenceSources(p)));
    } else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) {
      out.push(relative(repoRoot, p));
    }
  }
  return out.sort();
}

/** Source without its comment lines (doc examples may show any call). */
const code = async (file: string) =>
  (await readFile(join(repoRoot, file), "utf8")).replace(/^\s*(\*|\/\/).*$/gm, "");

/** Machine ids of the drafts, and the files of the reference that bind each (call `create<Name>Logic`). */
async function findBindings(): Promise<Map<string, string[]>> {
  const drafts = await readDrafts(join(repoRoot, "rfc"));
  const ids = drafts.flatMap((d) => d.machines.map((m) => m.id));
  const sources = await Promise.all(
    (await referenceSources()).map(async (f) => ({ f, text: await code(f) })),
  );
  return new Map(
    ids.map((id) => {
      const call = new RegExp(`\\bcreate${pascalCase(id)}Logic\\b(<[^>]*>)?\\(`);
      return [id, sources.filter((s) => call.test(s.text)).map((s) => s.f)];
    }),
  );
}

let bindings: Map<string, string[]>;
const bindingFiles = () => [...new Set([...bindings.values()].flat())].sort();

const RESEND_ROW = "| waiting | after:resendTime | | transmit | waiting | SP-REQREP-8 |";
const EXTRA_ACTION = "countResend";
const RESEND_ROW_PLUS = `| waiting | after:resendTime | | transmit, ${EXTRA_ACTION} | waiting | SP-REQREP-8 |`;
const CLOSE_ROW = "| idle | close | | | closed | SP-REQREP-20 |";
const EXTRA_EVENT = "ping";
const EVENT_ROW = `| idle | ${EXTRA_EVENT} | | dropReply | | SP-REQREP-6 |`;

let scratch: string;

/**
 * Regenerates `drafts` into `<tree>/spec`, links `<tree>/reference` to the
 * repository's and writes the probe and its tsconfig.
 */
async function prepareTree(tree: string, drafts: string): Promise<void> {
  await mkdir(tree, { recursive: true });
  await generate({ draftsDir: drafts, outDir: join(tree, "spec"), write: true, format: false });
  await symlink(join(repoRoot, "reference"), join(tree, "reference"), "dir");
  const imports = bindingFiles().map((m) => `import "./${m}";`);
  await writeFile(join(tree, "probe.ts"), `${imports.join("\n")}\n`);
  const base = JSON.parse(await readFile(join(repoRoot, "tsconfig.json"), "utf8")) as {
    compilerOptions: Record<string, unknown>;
  };
  const tsconfig = {
    compilerOptions: { ...base.compilerOptions, noEmit: true, preserveSymlinks: true },
    files: ["probe.ts"],
  };
  await writeFile(join(tree, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
}

interface Diagnostic {
  /** Relative to the tree (`reference/...`, `spec/...`). */
  readonly file: string;
  readonly text: string;
}

/** Runs the repository's tsc on the probe of `tree`; returns its exit code and diagnostics. */
function typeCheck(tree: string): { status: number | null; diagnostics: Diagnostic[] } {
  const tsc = join(repoRoot, "node_modules/typescript/bin/tsc");
  const run = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json", "--pretty", "false"], {
    cwd: tree,
    encoding: "utf8",
  });
  // One diagnostic per line that starts with `path(line,col): error`; continuation lines follow.
  const diagnostics: Diagnostic[] = [];
  for (const line of `${run.stdout}${run.stderr}`.split("\n")) {
    const m = /^(.+?)\(\d+,\d+\): error /.exec(line);
    if (m?.[1]) diagnostics.push({ file: relative(tree, join(tree, m[1])), text: line });
    else if (line.trim() !== "" && diagnostics.length > 0) {
      const last = diagnostics.pop() as Diagnostic;
      diagnostics.push({ file: last.file, text: `${last.text}\n${line}` });
    }
  }
  return { status: run.status, diagnostics };
}

/** Diagnostics in a binding module or in `spec/`. */
const bindingDiagnostics = (all: readonly Diagnostic[]) => {
  const files = new Set(bindingFiles());
  return all.filter((d) => files.has(d.file) || d.file.startsWith("spec/"));
};

beforeAll(async () => {
  // Inside the repository, so the generated files resolve "xstate" from node_modules.
  await mkdir(join(repoRoot, ".cache"), { recursive: true });
  scratch = await mkdtemp(join(repoRoot, ".cache", "contract-"));
  bindings = await findBindings();
  /** A copy of the drafts in `<scratch>/<name>`, the REQ/REP draft passed through `edit`. */
  const copyDrafts = async (name: string, edit: (text: string) => string) => {
    const dir = join(scratch, name);
    await mkdir(dir);
    for (const file of await readdir(join(repoRoot, "rfc"))) {
      if (/^draft-.*\.md$/.test(file)) await copyFile(join(repoRoot, "rfc", file), join(dir, file));
    }
    const draft = join(dir, "draft-sp-reqrep.md");
    await writeFile(draft, edit(await readFile(draft, "utf8")));
    return dir;
  };
  const text = await readFile(join(repoRoot, "rfc/draft-sp-reqrep.md"), "utf8");
  expect(text).toContain(RESEND_ROW);
  expect(text).toContain(CLOSE_ROW);
  const original = await copyDrafts("rfc", (t) => t);
  const withAction = await copyDrafts("rfc-action", (t) => t.replace(RESEND_ROW, RESEND_ROW_PLUS));
  const withEvent = await copyDrafts("rfc-event", (t) =>
    t.replace(CLOSE_ROW, `${CLOSE_ROW}\n${EVENT_ROW}`),
  );
  await Promise.all([
    prepareTree(join(scratch, "clean"), original),
    prepareTree(join(scratch, "action"), withAction),
    prepareTree(join(scratch, "event"), withEvent),
  ]);
}, 30_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("the reference is bound to the generated implementation types", () => {
  it("binds every generated machine through create<Name>Logic, never provide() or compiledLogic()", async () => {
    const unbound = [...bindings].filter(([, files]) => files.length === 0).map(([id]) => id);
    expect(unbound, "machines no reference module binds").toEqual([]);
    const offenders: string[] = [];
    for (const f of await referenceSources()) {
      if (/\.provide\(|\bcompiledLogic\(/.test(await code(f))) offenders.push(f);
    }
    expect(offenders, "provide() and compiledLogic() leave the implementation unchecked").toEqual(
      [],
    );
  });

  it("the unmodified regeneration type-checks with the reference's bindings", () => {
    const { status, diagnostics } = typeCheck(join(scratch, "clean"));
    expect(diagnostics).toEqual([]);
    expect(status).toBe(0);
  }, 30_000);

  it(`a draft whose req row gains "${EXTRA_ACTION}" fails the type check naming it`, () => {
    const { status, diagnostics } = typeCheck(join(scratch, "action"));
    expect(status).not.toBe(0);
    // Exactly one error, in the REQ binding: its implementation lacks the new action.
    const found = bindingDiagnostics(diagnostics);
    expect(found.map((d) => d.file)).toEqual(bindings.get("req"));
    expect(found[0]?.text).toMatch(new RegExp(`Property '${EXTRA_ACTION}' is missing`));
  }, 30_000);

  it(`a draft whose req table gains the event "${EXTRA_EVENT}" fails until the payload map names it`, () => {
    const { status, diagnostics } = typeCheck(join(scratch, "event"));
    expect(status).not.toBe(0);
    const found = bindingDiagnostics(diagnostics);
    expect(found.length).toBeGreaterThan(0);
    expect(new Set(found.map((d) => d.file))).toEqual(new Set(bindings.get("req")));
    expect(found.some((d) => new RegExp(`Property '${EXTRA_EVENT}' is missing`).test(d.text))).toBe(
      true,
    );
  }, 30_000);
});
