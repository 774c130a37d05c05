/**
 * What a mutation run mutates and which conformance cases it runs.
 *
 * A scope is a set of protocols. For each one we mutate its cooked code under
 * reference/protocol/<p>/ (minus tests) plus the files it borrows from other
 * folders, and, unless told not to, its raw `x*` variant with the raw helper
 * that variant is built on (protocol/raw/backtrace-raw.ts, raw-pair.ts or
 * simple-raw.ts): the in-process IUT offers feature `raw`, so the raw and
 * device cases reach that code. We run every case that opens at least one
 * socket of a protocol in the scope (transport cases only with `--all` or
 * `--transport-cases`, see {@link casesFor}). reference/core/, the transports
 * and protocol/raw/raw-socket.ts (the base of every raw socket) stay out: every
 * case (every raw case) covers them, so each of their mutants would run most
 * of the suite, and they have their own unit tests and fuzzers.
 */
import type { ConformanceCase } from "../../conformance/cases/types.ts";

/** The default, bounded scope (see README.md: about 25 minutes on 2 cores). */
export const DEFAULT_PROTOCOLS: readonly string[] = ["req0", "rep0", "pair1", "push0", "sub0"];

/** Every cooked protocol the reference offers and the suite drives. */
export const ALL_PROTOCOLS: readonly string[] = [
  "req0",
  "rep0",
  "surveyor0",
  "respondent0",
  "pair0",
  "pair1",
  "pub0",
  "sub0",
  "push0",
  "pull0",
  "bus0",
];

/**
 * Source files (relative to the repository root) that hold each protocol's
 * logic. Shared helpers appear under every protocol that loads them.
 */
const FILES: Readonly<Record<string, readonly string[]>> = {
  req0: ["reference/protocol/req0/req.ts", "reference/protocol/req0/context.ts"],
  rep0: [
    "reference/protocol/rep0/rep.ts",
    "reference/protocol/rep0/context.ts",
    "reference/protocol/rep0/backtrace.ts",
    "reference/protocol/shared/answer-socket.ts",
    "reference/protocol/shared/answer-context.ts",
    "reference/protocol/shared/answer.ts",
  ],
  surveyor0: [
    "reference/protocol/surveyor0/surveyor.ts",
    "reference/protocol/surveyor0/context.ts",
  ],
  respondent0: [
    "reference/protocol/respondent0/respondent.ts",
    "reference/protocol/respondent0/context.ts",
    "reference/protocol/rep0/backtrace.ts",
    "reference/protocol/shared/answer-socket.ts",
    "reference/protocol/shared/answer-context.ts",
    "reference/protocol/shared/answer.ts",
  ],
  pair0: [
    "reference/protocol/pair0/pair.ts",
    "reference/protocol/pair0/peer-slot.ts",
    "reference/protocol/pair0/pipe-ready.ts",
  ],
  pair1: [
    "reference/protocol/pair1/pair.ts",
    "reference/protocol/pair1/header.ts",
    "reference/protocol/pair1/poly.ts",
    "reference/protocol/pair0/peer-slot.ts",
    "reference/protocol/pair0/pipe-ready.ts",
  ],
  pub0: ["reference/protocol/pub0/pub.ts"],
  sub0: ["reference/protocol/sub0/sub.ts"],
  push0: ["reference/protocol/push0/push.ts", "reference/protocol/push0/balancer.ts"],
  pull0: ["reference/protocol/pull0/pull.ts"],
  bus0: ["reference/protocol/bus0/bus.ts", "reference/protocol/pair0/pipe-ready.ts"],
};

/** The raw variant of each protocol and the raw helper it is built on. */
const RAW_FILES: Readonly<Record<string, readonly string[]>> = {
  req0: ["reference/protocol/req0/xreq.ts", "reference/protocol/raw/backtrace-raw.ts"],
  rep0: ["reference/protocol/rep0/xrep.ts", "reference/protocol/raw/backtrace-raw.ts"],
  surveyor0: [
    "reference/protocol/surveyor0/xsurveyor.ts",
    "reference/protocol/raw/backtrace-raw.ts",
  ],
  respondent0: [
    "reference/protocol/respondent0/xrespondent.ts",
    "reference/protocol/raw/backtrace-raw.ts",
  ],
  pair0: ["reference/protocol/pair0/xpair.ts", "reference/protocol/raw/raw-pair.ts"],
  pair1: ["reference/protocol/pair1/xpair.ts", "reference/protocol/raw/raw-pair.ts"],
  pub0: ["reference/protocol/pub0/xpub.ts", "reference/protocol/raw/simple-raw.ts"],
  sub0: ["reference/protocol/sub0/xsub.ts", "reference/protocol/raw/simple-raw.ts"],
  push0: ["reference/protocol/push0/xpush.ts", "reference/protocol/raw/simple-raw.ts"],
  pull0: ["reference/protocol/pull0/xpull.ts", "reference/protocol/raw/simple-raw.ts"],
  bus0: ["reference/protocol/bus0/xbus.ts", "reference/protocol/raw/simple-raw.ts"],
};

/** Protocol names a case may need that belong to a scope protocol (the polyamorous PAIR v1). */
const ALIASES: Readonly<Record<string, string>> = { pair1poly: "pair1" };

/**
 * The files to mutate for `protocols`, sorted, without duplicates; with
 * `raw` (the default) their raw variants and raw helpers too.
 */
export function filesFor(protocols: readonly string[], raw = true): string[] {
  const out = new Set<string>();
  for (const p of protocols) {
    const files = FILES[p];
    if (!files) throw new Error(`unknown protocol ${p} (known: ${ALL_PROTOCOLS.join(", ")})`);
    for (const f of files) out.add(f);
    if (raw) for (const f of RAW_FILES[p] ?? []) out.add(f);
  }
  return [...out].sort();
}

/**
 * Case families (and coverage cases) about a transport rather than a protocol: they use
 * a protocol only to carry bytes, so they rarely catch a protocol mutant the protocol
 * cases miss, yet every surviving mutant on the common send/receive path would run them.
 */
const TRANSPORT_FAMILIES = ["tls", "ws", "ipc", "inproc"];
const TRANSPORT_CASE = /^coverage\/(tcp|ws)-/;

/** True for a case about a transport (see {@link TRANSPORT_FAMILIES}). */
export function isTransportCase(c: ConformanceCase): boolean {
  return TRANSPORT_FAMILIES.includes(c.id.split("/")[0] ?? "") || TRANSPORT_CASE.test(c.id);
}

/**
 * The cases that open a socket of at least one protocol in `protocols`;
 * transport cases only with `transportCases`.
 */
export function casesFor(
  cases: readonly ConformanceCase[],
  protocols: readonly string[],
  transportCases = false,
): ConformanceCase[] {
  const wanted = new Set(protocols);
  return cases.filter(
    (c) =>
      c.needs.protocols.some((p) => wanted.has(ALIASES[p] ?? p)) &&
      (transportCases || !isTransportCase(c)),
  );
}

/**
 * Parses a scope from a comma-separated list (the `MUTATION_PROTOCOLS`
 * environment variable the mutation run hands to its vitest workers).
 * `all` means every protocol; empty or absent means the default scope.
 */
export function parseProtocols(text: string | undefined): string[] {
  const t = (text ?? "").trim();
  if (t === "") return [...DEFAULT_PROTOCOLS];
  if (t === "all") return [...ALL_PROTOCOLS];
  const list = t
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const p of list) {
    if (!ALL_PROTOCOLS.includes(p)) {
      throw new Error(`unknown protocol ${p} (known: ${ALL_PROTOCOLS.join(", ")})`);
    }
  }
  return list;
}
