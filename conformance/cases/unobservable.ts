/**
 * Machine transitions that no conformance case walks, each with the reason.
 * Data for the report and README: the coordinator surfaces this list next to
 * transition coverage. `kind` tells whether the transition cannot be seen
 * from outside the IUT at all (`unobservable`) or could be with machinery the
 * harness lacks today (`not-driven`).
 *
 * The path generator (cases/paths.ts) lists the transitions its models have no
 * stimulus for in {@link pathSkipped}.
 */
import { pathUnobservable } from "./paths.ts";

/** One transition the suite does not walk, and why. */
export interface UnwalkedTransition {
  transition: string;
  kind: "unobservable" | "not-driven";
  reason: string;
}

/** Transitions outside the path models that no case walks. */
export const unobservable: readonly UnwalkedTransition[] = [];

/**
 * Transitions the path generator found no stimulus for (skipped at generation
 * time), with the reason; some are walked by hand-written cases instead, as
 * the reason says.
 */
export const pathSkipped: readonly { transition: string; reason: string }[] = pathUnobservable;

/**
 * A MUST that no case checks, and why: `unobservable` (the behaviour leaves no
 * trace on the wire or in the adapter contract), `not-driven` (it could be
 * checked with machinery the harness or the adapter contract lacks today), or
 * `not-testable` (a rule for registries, documents or authors, not for a
 * running implementation). These MUSTs are *not* covered; the report lists
 * them apart, with the reason.
 */
export interface UncheckableRequirement {
  requirement: string;
  kind: "unobservable" | "not-driven" | "not-testable";
  reason: string;
}

const REGISTRY =
  "a rule for the protocol-number registry and for draft authors, not for a running implementation; nothing on the wire can show it";

/** MUSTs (spec/requirements.json) that no conformance case checks, each with the reason. */
export const uncheckableRequirements: readonly UncheckableRequirement[] = [
  { requirement: "SP-FRAMEWORK-10", kind: "not-testable", reason: REGISTRY },
  { requirement: "SP-FRAMEWORK-11", kind: "not-testable", reason: REGISTRY },
  { requirement: "SP-FRAMEWORK-12", kind: "not-testable", reason: REGISTRY },
  {
    requirement: "SP-FRAMEWORK-13",
    kind: "not-testable",
    reason:
      "a rule across implementations and versions (one wire format per protocol number); a single IUT's wire format is checked per protocol by the family cases, but the rule itself is about what gets published under a number",
  },
  { requirement: "SP-FRAMEWORK-14", kind: "not-testable", reason: REGISTRY },
  {
    requirement: "SP-INPROC-7",
    kind: "unobservable",
    reason:
      "the MUST binds the sending application (it must not touch a buffer it handed over); the adapter builds a fresh message for every send, so the suite cannot play an application that keeps or breaks the rule, and what the receiver gets is checked under SP-INPROC-3 (inproc/bytes-in-order)",
  },
  {
    requirement: "SP-PIPELINE-18",
    kind: "not-driven",
    reason:
      "needs messages queued on a pipe but not yet written to the connection when that pipe fails; the harness cannot hold an IUT pipe in that state reliably (kernel socket buffers absorb the queue first)",
  },
  {
    requirement: "SP-PIPELINE-19",
    kind: "not-driven",
    reason:
      "telling a message written to the kernel from one still queued needs the same controlled pipe failure as SP-PIPELINE-18, which the harness lacks",
  },
  {
    requirement: "SP-TLS-19",
    kind: "not-driven",
    reason:
      "checking it needs a TLS 1.3 peer that offers or sends early data (0-RTT) with a resumed session; node's TLS (the harness) exposes no early-data API, so the suite can neither offer 0-RTT to an IUT listener nor tell whether an IUT dialer used it",
  },
  {
    requirement: "SP-PUBSUB-27",
    kind: "not-testable",
    reason:
      "the MUST is to document the duplicate-subscription behaviour; either behaviour is allowed on the wire",
  },
];
