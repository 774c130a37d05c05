/**
 * The drafts require the failure of an operation (a MUST) and recommend the
 * name it reports with (SP-FRAMEWORK-20, a SHOULD: error names never cross
 * the wire). A case that saw an operation fail as required, but under another
 * name than the drafts give, warns and goes on as if the name were right.
 *
 * Some codes are not another name for the same failure but show another
 * behaviour the drafts order: ETIMEDOUT says that the operation ran until its
 * own timeout (ADAPTER.md §2), where it had to fail for another reason (a
 * close, the socket's state, an operation the protocol lacks). Such a code
 * still fails the case; a caller names further ones in `distinct`.
 */
import type { CaseContext } from "../types.ts";

/**
 * Checks the code `got` of an operation that failed as required against the
 * name(s) `want` the drafts give for it. `what` names the operation ("the
 * pending recv"). `distinct` maps codes that show another behaviour at this
 * point to what they show; they fail the case, as ETIMEDOUT does when it is
 * not wanted.
 */
export function expectErrorName(
  ctx: CaseContext,
  got: string,
  want: string | readonly string[],
  what: string,
  distinct: Readonly<Record<string, string>> = {},
): void {
  const wants: readonly string[] = typeof want === "string" ? [want] : want;
  if (wants.includes(got)) return;
  const names = wants.join(" or ");
  const shows =
    distinct[got] ?? (got === "ETIMEDOUT" ? "it waited until its own timeout" : undefined);
  if (shows !== undefined) ctx.fail(`${what} failed with ${got}, not ${names}: ${shows}`);
  ctx.warn(
    `${what} failed as required, but with ${got}, not ${names} (SP-FRAMEWORK-20 recommends the name)`,
  );
}
