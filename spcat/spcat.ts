/**
 * Entry point of `spcat` (`npm run spcat -- …`, or the `spcat` bin through
 * `spcat-bin.js`). Wires {@link main} to the process and exits with its status.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { openSocket } from "../reference/protocols.ts";
import { type CliEnv, type CliSocket, main } from "./main.ts";

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}

const env: CliEnv = {
  write: (bytes) => {
    process.stdout.write(bytes);
  },
  error: (line) => {
    process.stderr.write(`${line}\n`);
  },
  readFile: (path) => readFileSync(path === "-" ? 0 : path),
  sleep: (ms) => sleep(ms),
  now: () => performance.now(),
  open: (protocol) => openSocket(protocol) as CliSocket | undefined,
  version: packageVersion(),
};

/** Exits once stdout and stderr have flushed (they are asynchronous when piped). */
function exitAfterFlush(status: number): void {
  process.exitCode = status;
  process.stdout.write("", () => {
    process.stderr.write("", () => process.exit(status));
  });
}

main(process.argv.slice(2), env).then(exitAfterFlush, (e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  exitAfterFlush(2);
});
