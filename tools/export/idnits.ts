/**
 * Runs idnits (`@ietf-tools/idnits`, a devDependency) on an exported XML
 * file in submission mode, offline, and sorts its findings: errors always
 * count; a warning counts unless idnits-waivers.json lists its code, for
 * that draft or for all, with the reason idnits is wrong about it;
 * comments are informational.
 *
 * @example
 * const r = await runIdnits("build/drafts/draft-sp-tcp-00.xml");
 * const v = judge(r, "draft-sp-tcp-00", await loadWaivers());
 * v.failures; // [] when the draft is clean
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { repoRoot } from "../gen/format.ts";

/** One finding of idnits. */
export interface Nit {
  readonly severity: "error" | "warning" | "comment";
  readonly code: string;
  readonly desc: string;
  readonly path?: string;
}

/** A warning idnits gets wrong for these drafts, and why. */
export interface Waiver {
  readonly code: string;
  /** The docName it applies to; absent: every draft. */
  readonly docName?: string;
  readonly reason: string;
}

/** The findings sorted: what fails the export and what was waived. */
export interface Verdict {
  readonly errors: number;
  readonly warnings: number;
  readonly waived: readonly Nit[];
  /** Errors and unwaived warnings. */
  readonly failures: readonly Nit[];
}

/** The waiver list shipped beside this file. */
export const WAIVERS_FILE = join(repoRoot, "tools/export/idnits-waivers.json");
const CLI = join(repoRoot, "node_modules/@ietf-tools/idnits/cli.js");

/** Reads and validates the waiver list (every entry needs a code and a reason). */
export async function loadWaivers(file = WAIVERS_FILE): Promise<Waiver[]> {
  const data = JSON.parse(await readFile(file, "utf8")) as { waivers?: unknown };
  if (!Array.isArray(data.waivers)) throw new Error(`${file}: expected { "waivers": [...] }`);
  return data.waivers.map((w: unknown, k: number) => {
    const o = (w ?? {}) as Record<string, unknown>;
    if (typeof o.code !== "string" || typeof o.reason !== "string" || o.reason.trim() === "") {
      throw new Error(`${file}: waiver ${k} needs a "code" and a non-empty "reason"`);
    }
    const docName = typeof o.docName === "string" ? o.docName : undefined;
    return docName
      ? { code: o.code, docName, reason: o.reason }
      : { code: o.code, reason: o.reason };
  });
}

const SEVERITY: Record<string, Nit["severity"]> = {
  ValidationError: "error",
  ValidationWarning: "warning",
  ValidationComment: "comment",
};

/** Reads idnits' `-o json` output. */
export function parseIdnitsJson(text: string): Nit[] {
  const data = JSON.parse(text) as { nits?: Record<string, unknown>[] };
  return (data.nits ?? []).map((n) => {
    const nit: Nit = {
      severity: SEVERITY[String(n.severity)] ?? "error",
      code: String(n.code ?? ""),
      desc: String(n.desc ?? ""),
    };
    return typeof n.path === "string" ? { ...nit, path: n.path } : nit;
  });
}

/** Runs idnits on one file; rejects when idnits cannot run or prints no JSON. */
export function runIdnits(xmlPath: string, cli = CLI): Promise<Nit[]> {
  return new Promise((resolve, reject) => {
    const args = [cli, "-m", "submission", "--offline", "-o", "json", xmlPath];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      err += d;
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      try {
        resolve(parseIdnitsJson(out.slice(out.indexOf("{"))));
      } catch {
        reject(new Error(`idnits exited ${code}: ${(err || out).trim().slice(0, 500)}`));
      }
    });
  });
}

/** Applies the waivers to one draft's findings. */
export function judge(nits: readonly Nit[], docName: string, waivers: readonly Waiver[]): Verdict {
  const waived: Nit[] = [];
  const failures: Nit[] = [];
  for (const n of nits) {
    if (n.severity === "comment") continue;
    const w = waivers.find((x) => x.code === n.code && (x.docName ?? docName) === docName);
    if (n.severity === "warning" && w) waived.push(n);
    else failures.push(n);
  }
  return {
    errors: nits.filter((n) => n.severity === "error").length,
    warnings: nits.filter((n) => n.severity === "warning").length,
    waived,
    failures,
  };
}
