/**
 * Cells of the spcat grid that fail because of a peer, with the upstream
 * issue that explains it. A listed cell that fails is reported as
 * `upstream <issue>`, never hidden; a listed cell that passes is a normal
 * pass.
 *
 * @module
 */
import type { GridCell } from "./spcat-grid-cells.ts";

/** A peer defect that makes some cells fail. */
export interface GridIssue {
  /** Upstream reference, e.g. `nng#1234`. */
  readonly issue: string;
  /** What goes wrong, in one line. */
  readonly why: string;
  /** The cells it concerns. */
  readonly applies: (cell: GridCell) => boolean;
}

/**
 * Every known peer defect that still fails cells. Empty while every cell
 * passes.
 *
 * Worked around in the plans rather than listed (the grid never hits them):
 * - nngcat 1.5.2, send-and-receive loop with `--interval`: the receive
 *   timeout of each round is the interval minus the time since the round's
 *   send. A message received just before the round ends, or a PAIR send that
 *   blocked longer than one interval waiting for a peer, turns it negative and
 *   nngcat exits with "Cannot set recv timeout: Invalid argument" (seen in
 *   the grid as `pair0 · tcp · spcat pair0 dials · nngcat` and
 *   `bus · tcp · spcat bus0 dials · nngcat`, at random; no upstream issue
 *   found). spcat clamps the budget at zero instead (cli/roles.ts). The grid
 *   gives nngcat a 5 s interval in PAIR and BUS cells, which end long before.
 * - nanocat cannot listen on a ws:// URL with a path (EINVAL; it serves every
 *   path), so it listens on `ws://host:port` while every other listener gets
 *   `/sp`.
 * - nngcat 1.5.2 as a listening SURVEYOR with `--interval 1` (cell
 *   `surveyor/respondent · tcp · spcat respondent0 dials · nngcat`): about
 *   once in 300 cells on a loaded machine, spcat's connection was accepted
 *   and both 8-byte headers were exchanged, but nngcat then sent no survey on
 *   it for the cell's 20 s (`ss` counters: 8 bytes each way; no stderr).
 *   spcat's side had read everything it was sent, so the surveys were never
 *   written. In that cell spcat always attaches while nngcat's first survey,
 *   sent to no pipe, is still running; whether that is the trigger is not
 *   known, and no upstream issue was found. nngcat now waits one second
 *   (`--delay 1`) before its first survey, by which time spcat is attached.
 */
export const gridIssues: readonly GridIssue[] = [];

/** The known issue that explains a failure of `cell`, if any. */
export function knownGridIssue(cell: GridCell): GridIssue | undefined {
  return gridIssues.find((i) => i.applies(cell));
}

/** Peer quirks the plans work around, printed under the table. */
export const gridNotes: readonly string[] = [
  "nngcat 1.5.2 dies with 'Cannot set recv timeout: Invalid argument' when a send-and-receive round overruns its --interval; PAIR/BUS cells give nngcat --interval 5",
  "nanocat cannot listen on a ws:// URL with a path; it listens on ws://host:port",
];
