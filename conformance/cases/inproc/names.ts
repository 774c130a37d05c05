/**
 * SP-INPROC-1: two inproc addresses are the same listener only when their
 * names are equal byte for byte. Names that differ only in the case of one
 * letter are two addresses: each can be bound by its own socket, and a
 * dialer of one reaches that listener and never the other. An implementation
 * that folds case (as for host names) refuses the second bind or joins the
 * dialers to one listener.
 */
import { expectBytes, inprocName, openCooked, recvNothing, T } from "../raw/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

const namesByteForByte: ConformanceCase = {
  id: "inproc/names-byte-for-byte",
  title: "inproc names that differ only in letter case are two distinct addresses",
  requirements: ["SP-INPROC-1", "SP-INPROC-2"],
  kind: "example",
  needs: { protocols: ["push0", "pull0"], transports: ["inproc"] },
  covers: ["inproc-pipe:joining:connect"],
  async run(ctx: CaseContext) {
    const upper = inprocName(ctx, "Jobs");
    const lower = upper.replace("/Jobs/", "/jobs/");
    if (lower === upper) throw new Error("case bug: the two names are equal");
    const pulls = [];
    for (const name of [upper, lower]) {
      const pull = await openCooked(ctx, "pull0");
      try {
        await pull.listen(name);
      } catch (e) {
        return ctx.fail(
          `binding ${name} failed (${(e as Error).message}) while only ${name === lower ? upper : lower} was bound; the names differ in case`,
        );
      }
      pulls.push(pull);
    }
    const [pullUpper, pullLower] = pulls as [(typeof pulls)[0], (typeof pulls)[0]];
    for (const [name, pull, other, label] of [
      [upper, pullUpper, pullLower, "upper"],
      [lower, pullLower, pullUpper, "lower"],
    ] as const) {
      const push = await openCooked(ctx, "push0");
      await push.dial(name);
      const body = `to the ${label}-case name`;
      const sent = await push.trySend(new TextEncoder().encode(body), { timeoutMs: T.prompt });
      if (!sent.ok) {
        ctx.fail(`a PUSH dialing ${name} could not send (${sent.code})`);
        continue;
      }
      const got = await pull.tryRecv({ timeoutMs: T.prompt });
      if (!got.ok) ctx.fail(`the listener of ${name} did not receive the message for it`);
      else expectBytes(ctx, got.value, body, `the message at the listener of ${name}`);
      await recvNothing(ctx, other, `a message for ${name} reached the listener of another name`);
      await push.close();
    }
  },
};

/** Cases of this file, in run order. */
export const inprocNameCases: readonly ConformanceCase[] = [namesByteForByte];
