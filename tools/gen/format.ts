/**
 * Formats generated TypeScript with the repository's biome configuration, so
 * that `npx biome check spec` accepts the output unchanged.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Root of the repository (two levels above tools/gen). */
export const repoRoot = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");

/**
 * Runs `biome check --write` on `source` through stdin and returns the result.
 * `stdinPath` decides which configuration applies; it must be a path biome
 * does not ignore (the file itself need not exist).
 */
export function biomeFormat(source: string, stdinPath = "spec/machines/__generated__.ts") {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(
      `${repoRoot}/node_modules/.bin/biome`,
      ["check", "--write", "--colors=off", `--stdin-file-path=${stdinPath}`],
      { cwd: repoRoot, stdio: ["pipe", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      err += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0 && out !== "") resolve(out);
      else reject(new Error(`biome failed (exit ${code}) on generated ${stdinPath}:\n${err}`));
    });
    child.stdin.end(source);
  });
}
