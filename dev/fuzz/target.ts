import type fc from "fast-check";
import { SPError } from "../../reference/core/errors.ts";
import type { Rng } from "./rng.ts";

/**
 * One fuzz target: a decoder or parser, how to make its inputs, and the
 * invariants one input must satisfy.
 *
 * Inputs come from two generators over the same input class: a fast-check
 * arbitrary (shrinks a failure to a small case) and a seeded PRNG (fast:
 * most of the inputs of a long run). Both mix structured valid inputs,
 * mutated valid inputs and random bytes.
 */
export interface FuzzTarget<T> {
  readonly name: string;
  /** What is decoded and what is checked, one line. */
  readonly about: string;
  /** Relative share of a run's inputs (slow targets get fewer). */
  readonly weight: number;
  readonly arbitrary: fc.Arbitrary<T>;
  /** True when `check` returns a promise. */
  readonly async?: boolean;
  generate(rng: Rng): T;
  /** Checks one input; throws {@link InvariantError} (or anything else) on failure. */
  check(input: T): void | Promise<void>;
}

/** A broken invariant, as opposed to an exception escaping the decoder. */
export class InvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvariantError";
  }
}

/** Throws an {@link InvariantError} unless `cond` holds. */
export function invariant(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new InvariantError(typeof message === "string" ? message : message());
}

/**
 * Runs `fn` and lets only a typed {@link SPError} (with one of `codes`, when
 * given) escape as a value; anything else thrown is a failure.
 */
export function typedOnly<R>(fn: () => R, codes?: readonly string[]): R | SPError {
  try {
    return fn();
  } catch (e) {
    invariant(e instanceof SPError, () => `threw a non-SPError: ${String(e)}`);
    invariant(
      codes === undefined || codes.includes(e.code),
      () => `threw SPError ${e.code}, expected one of ${codes?.join(",")}`,
    );
    return e;
  }
}

/** Deep byte equality of two lists of buffers, with a readable failure. */
export function sameFrames(got: readonly Buffer[], want: readonly Buffer[], what: string): void {
  invariant(
    got.length === want.length,
    () => `${what}: ${got.length} frames, expected ${want.length}`,
  );
  for (let i = 0; i < want.length; i++) {
    invariant(
      (got[i] as Buffer).equals(want[i] as Buffer),
      () => `${what}: frame ${i} differs (${got[i]?.length} vs ${want[i]?.length} bytes)`,
    );
  }
}

/** Type-erased target list entry. */
// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of targets
export type AnyTarget = FuzzTarget<any>;
