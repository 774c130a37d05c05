/**
 * For the runner's own tests: starts the runner the way a CI job does (tsx on
 * main.ts, from another working directory, no colour) and collects its exit
 * status and output.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "../adapters/build.ts";

export interface RunnerOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function spawnRunner(args: string[], cwd: string): Promise<RunnerOutcome> {
  const tsx = join(projectRoot, "node_modules", ".bin", "tsx");
  const main = join(projectRoot, "conformance", "runner", "main.ts");
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [main, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
