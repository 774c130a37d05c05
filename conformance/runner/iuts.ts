/**
 * Resolves `--iut` into an adapter command: `reference` (the TypeScript
 * reference adapter), `nng` / `nanomsg` (the C adapters over libnng and
 * libnanomsg, built on demand), or
 * any other string, run as a shell command line.
 */
import { join } from "node:path";
import { buildNanomsgAdapter, buildNngAdapter, projectRoot } from "../adapters/build.ts";
import type { AdapterCommand } from "../adapters/client.ts";
import { bundled, distDir } from "../paths.ts";

/** A resolved IUT: the command to start and a name for reports (before `hello`). */
export interface ResolvedIut {
  /** Short name: `reference`, `nng`, or null for a custom command (taken from `hello`). */
  name: string | null;
  command: AdapterCommand;
}

/**
 * Command line of the reference adapter: the bundled adapter of the npm
 * package, or the sources with the tsx loader in the repository.
 */
export function referenceAdapterCommand(): AdapterCommand {
  if (bundled) return { argv: [process.execPath, join(distDir, "reference-adapter.js")] };
  return {
    argv: [
      process.execPath,
      "--import",
      "tsx",
      join(projectRoot, "conformance", "adapters", "reference", "main.ts"),
    ],
  };
}

export async function resolveIut(iut: string): Promise<ResolvedIut> {
  if (iut === "reference") return { name: "reference", command: referenceAdapterCommand() };
  if (iut === "nng") return { name: "nng", command: { argv: [await buildNngAdapter()] } };
  if (iut === "nanomsg") {
    return { name: "nanomsg", command: { argv: [await buildNanomsgAdapter()] } };
  }
  if (iut === "browser" && !bundled) {
    // The reference bundled for the browser, running in Chromium (dev/browser/adapter.ts).
    const argv = [
      process.execPath,
      "--import",
      "tsx",
      join(projectRoot, "dev", "browser", "adapter.ts"),
    ];
    return { name: "browser", command: { argv } };
  }
  return { name: null, command: { shell: iut } };
}
