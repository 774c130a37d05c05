/**
 * `Symbol.asyncDispose` on sockets and contexts: `await using` closes them
 * when the block ends, also when it ends by an exception.
 */
import { describe, expect, it } from "vitest";
import { rep0 } from "../protocol/rep0/rep.ts";
import { req0 } from "../protocol/req0/req.ts";
import { surveyor0 } from "../protocol/surveyor0/surveyor.ts";
import { isSPError } from "./errors.ts";
import type { SocketBase } from "./socket.ts";

describe("await using", () => {
  it("closes a socket at the end of its block", async () => {
    let kept: SocketBase | undefined;
    {
      await using s = req0();
      kept = s;
      expect(s.isClosed).toBe(false);
    }
    expect(kept?.isClosed).toBe(true);
  });

  it("closes a socket when its block throws, and its listener with it", async () => {
    let kept: SocketBase | undefined;
    let url = "";
    await expect(
      (async () => {
        await using s = rep0();
        kept = s;
        url = (await s.listen("tcp://127.0.0.1:0")).url;
        throw new Error("boom");
      })(),
    ).rejects.toThrow("boom");
    expect(kept?.isClosed).toBe(true);
    // The port is free again: another socket can bind it.
    await using again = rep0();
    await again.listen(url);
  });

  it("a pending recv fails with ECLOSED when the block ends", async () => {
    let pending: Promise<unknown> | undefined;
    {
      await using s = rep0();
      pending = s.recv().catch((e) => e);
    }
    expect(isSPError(await pending, "ECLOSED")).toBe(true);
  });

  it("closes REQ, REP and SURVEYOR contexts (using and await using), not their socket", async () => {
    await using req = req0();
    await using rep = rep0();
    await using surveyor = surveyor0();
    const seen: boolean[] = [];
    let outside: { readonly isClosed: boolean }[] = [];
    {
      await using a = req.openContext();
      using b = rep.openContext();
      await using c = surveyor.openContext();
      seen.push(a.isClosed, b.isClosed, c.isClosed);
      outside = [a, b, c];
    }
    expect(seen).toEqual([false, false, false]);
    expect(outside.map((c) => c.isClosed)).toEqual([true, true, true]);
    expect([req.isClosed, rep.isClosed, surveyor.isClosed]).toEqual([false, false, false]);
  });

  it("disposing twice, or after close, is harmless", async () => {
    const s = req0();
    await s[Symbol.asyncDispose]();
    await s[Symbol.asyncDispose]();
    await s.close();
    await using rep = rep0();
    const ctx = rep.openContext();
    ctx.close();
    await ctx[Symbol.asyncDispose]();
    ctx[Symbol.dispose]();
  });
});
