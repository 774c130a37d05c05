/**
 * Entry point of `spcat` (`npm run spcat -- …` from the sources; the installed
 * `spcat` bin is this file bundled by build.ts). Wires {@link main} to the process and exits with its status.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { type CliEnv, type CliSocket, main } from "./main.ts";

/** Set by the bundler (spcat/build.ts); absent when run from the sources. */
declare const __SPCAT_VERSION__: string | undefined;

function packageVersion(): string {
  if (typeof __SPCAT_VERSION__ === "string") return __SPCAT_VERSION__;
  try {
    const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
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
  // The library is loaded only when a socket is opened, so `--help` and
  // `--version` start as fast as Node itself.
  open: async (protocol) => {
    const { openSocket } = await import("../reference/protocols.ts");
    return openSocket(protocol) as CliSocket | undefined;
  },
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
