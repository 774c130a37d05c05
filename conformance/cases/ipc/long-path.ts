/**
 * The refusal of an IPC path that a socket address cannot hold (SP-IPC-2).
 */
import { readdirSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CaseContext, ConformanceCase } from "../types.ts";

/** Listening on a 200-byte IPC path fails instead of binding a truncated path. */
export const ipcLongPathRejected: ConformanceCase = {
  id: "ipc/long-path-rejected",
  title: "Listening on an IPC path longer than a socket address holds fails, without truncating",
  requirements: ["SP-IPC-2"],
  kind: "malformed",
  needs: { protocols: ["rep0"], transports: ["ipc"] },
  cat: {},
  async run(ctx: CaseContext) {
    const prefix = `spc-long-${process.pid}-${ctx.seed}-`;
    const path = join(tmpdir(), `${prefix}${"x".repeat(200)}.sock`);
    const leftovers = () => readdirSync(tmpdir()).filter((n) => n.startsWith(prefix));
    const rep = await ctx.iut.open("rep0");
    try {
      const r = await rep.listen(`ipc://${path}`).then(
        (url) => ({ ok: true as const, url }),
        (e: unknown) => ({ ok: false as const, code: (e as { code?: string }).code ?? String(e) }),
      );
      if (r.ok) ctx.fail(`listen on a ${path.length}-byte path succeeded (${r.url.length} bytes)`);
      else ctx.note(`listen failed with ${r.code}`);
      const made = leftovers();
      if (made.length > 0) ctx.fail(`a truncated socket file appeared: ${made[0]}`);
    } finally {
      for (const n of leftovers()) unlinkSync(join(tmpdir(), n));
    }
  },
};

export const ipcLongPathCases: readonly ConformanceCase[] = [ipcLongPathRejected];
