/**
 * The refusal of an IPC path that a socket address cannot hold (SP-IPC-2).
 * Two paths: 200 ASCII bytes, and one of about 90 characters that takes about
 * 150 bytes in UTF-8 (two-byte letters), so that a limit checked on the
 * character count instead of the bytes is seen. Either must fail, and no
 * socket file with a truncated name may appear.
 */
import { readdirSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CaseContext, ConformanceCase } from "../types.ts";

/** Longest path in bytes (without the NUL) that any platform's socket address holds. */
const SUN_PATH_MAX = 107;

/** Listening on a too long IPC path fails instead of binding a truncated path. */
export const ipcLongPathRejected: ConformanceCase = {
  id: "ipc/long-path-rejected",
  title: "Listening on an IPC path longer than a socket address holds fails, without truncating",
  requirements: ["SP-IPC-2"],
  kind: "malformed",
  needs: { protocols: ["rep0"], transports: ["ipc"] },
  cat: {},
  async run(ctx: CaseContext) {
    const prefix = `spc-long-${process.pid}-${ctx.seed}-`;
    const leftovers = () => readdirSync(tmpdir()).filter((n) => n.startsWith(prefix));
    const ascii = join(tmpdir(), `${prefix}${"x".repeat(200)}.sock`);
    // U+00E9 is two bytes in UTF-8: under the limit in characters, over it in bytes.
    const wide = join(tmpdir(), `${prefix}${"\u00e9".repeat(60)}.sock`);
    if (wide.length > SUN_PATH_MAX || Buffer.byteLength(wide) <= SUN_PATH_MAX) {
      throw new Error(`case bug: ${wide.length} characters, ${Buffer.byteLength(wide)} bytes`);
    }
    try {
      for (const [label, path] of [
        ["ASCII", ascii],
        ["two-byte UTF-8", wide],
      ] as const) {
        const rep = await ctx.iut.open("rep0");
        const r = await rep.listen(`ipc://${path}`).then(
          (url) => ({ ok: true as const, url }),
          (e: unknown) => ({
            ok: false as const,
            code: (e as { code?: string }).code ?? String(e),
          }),
        );
        const size = `${path.length} characters, ${Buffer.byteLength(path)} bytes`;
        if (r.ok) ctx.fail(`listen on a ${label} path of ${size} succeeded (${r.url})`);
        else ctx.note(`${label} path (${size}): listen failed with ${r.code}`);
        const made = leftovers();
        if (made.length > 0) ctx.fail(`a truncated socket file appeared: ${made[0]}`);
        await rep.close();
      }
    } finally {
      for (const n of leftovers()) unlinkSync(join(tmpdir(), n));
    }
  },
};

export const ipcLongPathCases: readonly ConformanceCase[] = [ipcLongPathRejected];
