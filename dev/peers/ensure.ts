/**
 * `npm run peers`: makes sure the interop peers are installed.
 *
 * Needed: the `nngcat` and `nanocat` commands, the nng and nanomsg headers
 * (for the C adapters of the conformance suite) and a C compiler (`cc`).
 * All present → one short line, status 0. Something missing and running as
 * root → install the Debian packages (output shown) and check again.
 * Missing and not root → print the command to run, status 1.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";

/** The Debian packages that provide every peer. */
export const PEER_PACKAGES = [
  "libnng-dev",
  "nng-utils",
  "libnanomsg-dev",
  "nanomsg-utils",
] as const;

/** The exact command that installs them. */
export const APT_COMMAND = `apt-get update && apt-get install -y ${PEER_PACKAGES.join(" ")}`;

/** The install command for what is missing: the peer packages, plus gcc when there is no `cc`. */
export function installCommand(list: readonly Requirement[]): string {
  return list.some((r) => r.name === "cc") ? `${APT_COMMAND} gcc` : APT_COMMAND;
}

/** One thing the peers need. */
export interface Requirement {
  readonly kind: "command" | "file";
  /** A command name looked up on PATH, or an absolute path. */
  readonly name: string;
  /** Where it comes from, for messages. */
  readonly from: string;
}

/** What must be present. */
export const requirements: readonly Requirement[] = [
  { kind: "command", name: "nngcat", from: "nng-utils" },
  { kind: "command", name: "nanocat", from: "nanomsg-utils" },
  { kind: "file", name: "/usr/include/nng/nng.h", from: "libnng-dev" },
  { kind: "file", name: "/usr/include/nanomsg/nn.h", from: "libnanomsg-dev" },
  { kind: "command", name: "cc", from: "gcc" },
];

/** The outside world, injected so the decision logic can be tested. */
export interface Probe {
  /** Whether a command is on PATH. */
  hasCommand(name: string): boolean;
  /** Whether a file exists. */
  hasFile(path: string): boolean;
  /** Whether we run as root. */
  isRoot(): boolean;
  /** Runs a shell command with inherited stdio; resolves with its status. */
  run(command: string): number;
  /** Prints a line (stdout). */
  log(line: string): void;
  /** Prints a line (stderr). */
  error(line: string): void;
}

/** The requirements that are not met. */
export function missing(probe: Probe): Requirement[] {
  return requirements.filter((r) =>
    r.kind === "command" ? !probe.hasCommand(r.name) : !probe.hasFile(r.name),
  );
}

function describe(list: readonly Requirement[]): string {
  return list.map((r) => r.name).join(", ");
}

/**
 * Checks the peers and installs them when possible. Returns the exit status.
 *
 * @example
 * ```ts
 * process.exitCode = ensurePeers(systemProbe());
 * ```
 */
export function ensurePeers(probe: Probe): number {
  const before = missing(probe);
  if (before.length === 0) {
    probe.log("peers: nngcat, nanocat, nng.h, nn.h and cc are present");
    return 0;
  }
  if (!probe.isRoot()) {
    probe.error(`peers: missing ${describe(before)}. Install them with:`);
    probe.error(`  sudo sh -c '${installCommand(before)}'`);
    return 1;
  }
  const command = installCommand(before);
  probe.log(`peers: missing ${describe(before)}; running: ${command}`);
  const status = probe.run(command);
  const after = missing(probe);
  if (after.length === 0) {
    probe.log("peers: installed");
    return 0;
  }
  probe.error(`peers: still missing ${describe(after)} after the install (status ${status}).`);
  return 1;
}

/** A probe of the real system. */
export function systemProbe(): Probe {
  const dirs = (process.env.PATH ?? "").split(delimiter).filter((d) => d !== "");
  return {
    hasCommand: (name) =>
      dirs.some((d) => {
        try {
          accessSync(join(d, name), constants.X_OK);
          return true;
        } catch {
          return false;
        }
      }),
    hasFile: (path) => existsSync(path),
    isRoot: () => typeof process.getuid === "function" && process.getuid() === 0,
    run: (command) => {
      const r = spawnSync("sh", ["-c", command], {
        stdio: "inherit",
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      });
      return r.status ?? 1;
    },
    log: (line) => console.log(line),
    error: (line) => console.error(line),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = ensurePeers(systemProbe());
}
