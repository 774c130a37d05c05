/**
 * The rooms of the repository and which rooms each may import from. The
 * pipeline reads top to bottom: tools/ turns rfc/ into spec/; the library
 * (reference/) runs spec/; the suite (conformance/) and the CLI (spcat/) sit
 * on the library; dev/ and tests/ may use everything. testkit/ (shared test
 * helpers) stands on the suite's harness only: the raw wire peer, the
 * certificate maker and the time helpers live there, because the published
 * suite needs them at run time and may not reach into testkit/ or tests/.
 */
export type Room =
  | "rfc"
  | "tools"
  | "spec"
  | "reference"
  | "conformance"
  | "spcat"
  | "dev"
  | "tests"
  | "testkit"
  | "root";

/** Rooms a source file may import from (its own room is always allowed). */
export const allowed: Readonly<Record<Room, readonly Room[]>> = {
  rfc: [],
  spec: [],
  testkit: ["conformance"],
  reference: ["spec"],
  conformance: ["spec", "reference"],
  spcat: ["spec", "reference"],
  tools: ["spec", "reference", "conformance"],
  dev: ["tools", "spec", "reference", "conformance", "spcat", "testkit", "tests"],
  tests: ["tools", "spec", "reference", "conformance", "spcat", "testkit", "dev"],
  root: ["tools", "spec", "reference", "conformance", "spcat", "testkit", "dev", "tests"],
};

/**
 * Test files beside the sources may also use the shared test helpers and the
 * generator (a test regenerates a draft to show the machines decide).
 */
export const allowedInTests: readonly Room[] = ["testkit", "tools"];

/**
 * Rooms whose test files get no such exception for testkit/: testkit/ stands
 * on conformance/harness/, so the suite's own tests use the harness directly.
 */
export const noTestkitInTests: readonly Room[] = ["conformance"];

/** Inside conformance/, only the reference adapter may import the library. */
export const referenceImportersInConformance = "conformance/adapters/reference/";

/** The one part of conformance/ that testkit/ may import: the suite's harness. */
export const conformanceForTestkit = "conformance/harness/";

export function roomOf(path: string): Room | null {
  const top = path.split("/")[0] ?? "";
  if (!path.includes("/")) return "root";
  const rooms: readonly string[] = Object.keys(allowed);
  return rooms.includes(top) ? (top as Room) : null;
}

export const isTestFile = (path: string) => /\.test\.[cm]?[jt]s$/.test(path);
