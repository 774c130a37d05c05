/** Shared checks of the context cases (reqrep/req-contexts, survey/surveyor-contexts). */
import type { IutSocket } from "../../adapters/iut.ts";
import { word32 } from "../../harness/sp.ts";
import { expectBytes, T, wordsOf } from "../raw/common.ts";
import type { CaseContext } from "../types.ts";

/** Reads `n` frames and maps each body (as text) to its first word. */
export async function idsByBody(
  ctx: CaseContext,
  read: () => Promise<Uint8Array>,
  n: number,
  who: string,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const f = await read();
    if (f.length < 4) ctx.fail(`${who} ${i + 1} is ${f.length} bytes, without an id`);
    const id = wordsOf(f.subarray(0, 4))[0] as number;
    // SP-REQREP-3 / SP-SURVEY-3: ids carry the top bit.
    if ((id & 0x80000000) === 0) ctx.fail(`${who} id ${word32(id)} lacks the top bit`);
    out.set(new TextDecoder().decode(f.subarray(4)), id);
  }
  return out;
}

/** Receives on both contexts at once and checks each got its own answer. */
export async function bothGetTheirOwn(
  ctx: CaseContext,
  pairs: [IutSocket, string][],
  what: string,
): Promise<void> {
  const got = await Promise.all(pairs.map(([c]) => c.tryRecv({ timeoutMs: T.prompt })));
  got.forEach((r, i) => {
    const want = (pairs[i] as [IutSocket, string])[1];
    if (!r.ok) ctx.fail(`context ${i + 1} did not receive its ${what}: ${r.code}`);
    expectBytes(ctx, r.value, want, `the ${what} delivered to context ${i + 1}`);
  });
}
