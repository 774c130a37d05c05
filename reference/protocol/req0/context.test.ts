import { afterEach, describe, expect, it } from "vitest";
import type { SocketBase } from "../../core/socket.ts";
import { rep0 } from "../rep0/rep.ts";
import { req0 } from "./req.ts";

const open: SocketBase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function pairUp() {
  const rep = rep0({ recvTimeout: 5000 });
  const req = req0({ recvTimeout: 5000, resendTime: 0 });
  open.push(rep, req);
  const { url } = await rep.listen("tcp://127.0.0.1:0");
  await req.dial(url).connected;
  return { rep, req };
}

describe("REQ and REP contexts", () => {
  it("100 concurrent requests on 100 contexts all get their own reply", async () => {
    const { rep, req } = await pairUp();
    const n = 100;
    // REP: 100 contexts each take one request; replies then go out in reverse order.
    const workers = Array.from({ length: n }, () => rep.openContext());
    const taken = Promise.all(workers.map((w) => w.recv()));
    const ctxs = Array.from({ length: n }, () => req.openContext());
    await Promise.all(ctxs.map((c, i) => c.send(`request ${i}`)));
    const replies = Promise.all(ctxs.map((c) => c.recv()));
    const bodies = await taken;
    for (let i = n - 1; i >= 0; i--) {
      await workers[i]?.send(`reply to ${bodies[i]?.toString()}`);
    }
    const got = (await replies).map((b) => b.toString());
    expect(got).toEqual(ctxs.map((_, i) => `reply to request ${i}`));
    expect(req.stats().socket.msgsOut).toBe(n);
    expect(req.stats().socket.msgsIn).toBe(n);
  });

  it("a context's new request cancels only its own old one", async () => {
    const { rep, req } = await pairUp();
    const a = req.openContext();
    const b = req.openContext();
    await a.send("a1");
    const a1 = a.recv();
    await b.send("b1");
    const b1 = b.recv();
    await a.send("a2");
    await expect(a1).rejects.toMatchObject({ code: "ECANCELED" });
    // The REP echoes all three requests; the reply to a1 finds no context and is dropped.
    const worker = rep.openContext();
    for (let i = 0; i < 3; i++) await worker.send(await worker.recv());
    expect((await b1).toString()).toBe("b1");
    expect((await a.recv()).toString()).toBe("a2");
    expect(req.getStats().rxDropped).toBe(1);
  });

  it("closing a context fails only its pending recv; the socket's default context goes on", async () => {
    const { rep, req } = await pairUp();
    const a = req.openContext();
    await a.send("x");
    const pending = a.recv();
    a.close();
    await expect(pending).rejects.toMatchObject({ code: "ECLOSED" });
    await req.send("default");
    // The REP answers both requests; the answer to the closed context's "x" is dropped.
    for (let i = 0; i < 2; i++) await rep.send(await rep.recv());
    expect((await req.recv()).toString()).toBe("default");
    expect(req.getStats().rxDropped).toBe(1);
  });

  it("socket close fails pending recvs of every context with ECLOSED", async () => {
    const { rep, req } = await pairUp();
    const ctxs = [req.openContext(), req.openContext()];
    const pending = ctxs.map(async (c) => {
      await c.send("q");
      return c.recv();
    });
    const repCtx = rep.openContext();
    const repPending = repCtx.recv().catch((e: unknown) => e);
    await req.close();
    const settled = await Promise.allSettled(pending);
    expect(settled.map((s) => s.status === "rejected" && s.reason.code)).toEqual([
      "ECLOSED",
      "ECLOSED",
    ]);
    await rep.close();
    expect(await repPending).toMatchObject({ code: "ECLOSED" });
  });
});
