/**
 * Shared judgement of the recv-timeout cases (reqrep/req-recv-timeout-keeps-request,
 * survey/surveyor-recv-timeout-keeps-survey). The drafts do not say what a
 * receive that times out does to the request or survey it waited for: the
 * reference keeps it, nng ends it (verdict info). The cases fail only when
 * the answer is lost some other way.
 */
import type { Outcome } from "../../adapters/iut.ts";
import { hex } from "../../harness/sp.ts";
import { expectBytes } from "../reqrep/common.ts";
import type { CaseContext } from "../types.ts";
import { expectErrorName } from "./error-name.ts";

export const T = { prompt: 2000, short: 150 } as const;

/** Checks the timed-out recv, then the recv after the answer was written. */
export function judge(
  ctx: CaseContext,
  early: Outcome<Uint8Array>,
  got: Outcome<Uint8Array>,
  m: { what: string; body: Uint8Array },
): void {
  if (early.ok) ctx.fail(`recv delivered ${hex(early.value)} before any ${m.what}`);
  expectErrorName(ctx, early.code, "ETIMEDOUT", "the first recv", {
    ESTATE: `ESTATE says that no ${m.what} was awaited any more`,
  });
  if (!got.ok && got.code === "ESTATE") {
    ctx.info(
      `the recv timeout ended what it waited for: the ${m.what} was dropped and recv failed with ESTATE`,
    );
    return;
  }
  if (!got.ok) ctx.fail(`after a recv timed out, the ${m.what} was not delivered: ${got.code}`);
  expectBytes(ctx, got.value, m.body, `${m.what} delivered after the timeout`);
}
