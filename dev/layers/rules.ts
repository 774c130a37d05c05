/**
 * The rooms of the repository and which rooms each may import from. The
 * pipeline reads top to bottom: tools/ turns rfc/ into spec/; the library
 * (reference/) runs spec/; the suite (conformance/) and the CLI (spcat/) sit
 * on the library; dev/ and tests/ may use everything. testkit/ (shared test
 * helpers) depends on nothing of ours.
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
  testkit: [],
  reference: ["spec"],
  conformance: ["spec", "reference", "testkit"],
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

/** Inside conformance/, only the reference adapter may import the library. */
export const referenceImportersInConformance = "conformance/adapters/reference/";

export function roomOf(path: string): Room | null {
  const top = path.split("/")[0] ?? "";
  if (!path.includes("/")) return "root";
  const rooms: readonly string[] = Object.keys(allowed);
  return rooms.includes(top) ? (top as Room) : null;
}

export const isTestFile = (path: string) => /\.test\.[cm]?[jt]s$/.test(path);
