/**
 * The shape of a seeded fault: one plausible bug in the reference, written as
 * exact search/replace edits on its sources, with the requirement ids it
 * breaks and the case families worth running against it.
 */

/** One exact edit: `search` must occur exactly once in `file` (after the fault's earlier edits). */
export interface Edit {
  /** Repository-relative path under reference/ or spec/machines/ (the machines the reference runs). */
  file: string;
  search: string;
  replace: string;
}

/**
 * One variant of the reference: a plausible bug (the suite must catch it), or
 * with `conforming: true` a different choice the drafts allow (the suite must
 * not fail it: a case that does assumes more than the drafts say).
 */
export interface Fault {
  /** Stable id, `<family>/<slug>`. */
  id: string;
  /** A legal variant (a MAY taken the other way), not a bug. */
  conforming?: boolean;
  /** Requirement ids (spec/requirements.json) the bug breaks (a conforming variant: leaves open). */
  requirements: string[];
  /** The plausible bug, as an implementer would make it. */
  description: string;
  /**
   * Case families (the part of a case id before `/`) to run against the fault;
   * cases of other families are not run, to keep the whole run short.
   */
  families: string[];
  /** What a case would have to observe on the wire to catch it (for the report). */
  observe: string;
  patch: Edit[];
}

/** Directories a patch may touch, relative to the repository root. */
export const PATCHABLE_ROOTS: readonly string[] = ["reference/", "spec/machines/"];
