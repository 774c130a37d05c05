/**
 * expectErrorName: a misnamed failure warns (SP-FRAMEWORK-20), a code that
 * shows another behaviour fails.
 */
import { describe, expect, it } from "vitest";
import { type CaseContext, CaseFailure } from "../types.ts";
import { expectErrorName } from "./error-name.ts";

function fakeCtx(): { ctx: CaseContext; warnings: string[] } {
  const warnings: string[] = [];
  const ctx = {
    fail(message: string): never {
      throw new CaseFailure(message);
    },
    warn(message: string) {
      warnings.push(message);
    },
  } as unknown as CaseContext;
  return { ctx, warnings };
}

describe("expectErrorName", () => {
  it("accepts the recommended name, or one of several", () => {
    const { ctx, warnings } = fakeCtx();
    expectErrorName(ctx, "ECLOSED", "ECLOSED", "the pending recv");
    expectErrorName(ctx, "EINVAL", ["ENOENT", "EINVAL"], "the unsubscribe");
    expect(warnings).toEqual([]);
  });

  it("warns on another name, citing SP-FRAMEWORK-20 and both codes", () => {
    const { ctx, warnings } = fakeCtx();
    expectErrorName(ctx, "EBADF", "ECLOSED", "the pending recv");
    expect(warnings).toEqual([
      "the pending recv failed as required, but with EBADF, not ECLOSED (SP-FRAMEWORK-20 recommends the name)",
    ]);
  });

  it("fails on ETIMEDOUT where another failure was due, and on codes named distinct", () => {
    const { ctx, warnings } = fakeCtx();
    expect(() => expectErrorName(ctx, "ETIMEDOUT", "ECLOSED", "the pending recv")).toThrow(
      /waited until its own timeout/,
    );
    expect(() =>
      expectErrorName(ctx, "ESTATE", "ETIMEDOUT", "the recv", { ESTATE: "no survey" }),
    ).toThrow(/no survey/);
    expect(warnings).toEqual([]);
  });
});
