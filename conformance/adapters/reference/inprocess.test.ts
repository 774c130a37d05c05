/**
 * The in-process reference IUT answers as the reference adapter does: the
 * same capabilities and features as its `hello`, nng-style error codes for
 * reference errors, the optional features working, and a few real
 * conformance cases pass through it.
 */
import { afterAll, describe, expect, test } from "vitest";
import { allCases } from "../../cases/index.ts";
import { executeCase } from "../../runner/execute.ts";
import { IutError, IutUnsupportedError } from "../iut.ts";
import { hello } from "./handler.ts";
import { InProcessReferenceIut } from "./inprocess.ts";

const iut = new InProcessReferenceIut();
afterAll(() => iut.shutdown());

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "no error";
  } catch (e) {
    return e instanceof IutError ? e.code : `not an IutError: ${String(e)}`;
  }
}

describe("InProcessReferenceIut", () => {
  test("declares exactly what the reference adapter declares in hello", () => {
    const caps = iut.info.capabilities;
    expect(iut.info.name).toBe("reference");
    expect(caps).toEqual(hello().capabilities);
    expect(caps.protocols).toEqual(expect.arrayContaining(["req0", "rep0", "pair1", "sub0"]));
    expect(caps.transports).toContain("tcp");
    expect(caps.options).toEqual(expect.arrayContaining(["req:resend-time", "send-priority"]));
    expect(caps.features).toEqual(
      expect.arrayContaining(["raw", "device", "contexts", "pipes", "stats"]),
    );
  });

  test("a request and its reply travel over TCP between two in-process sockets", async () => {
    const rep = await iut.open("rep0");
    const req = await iut.open("req0");
    const url = await rep.listen("tcp://127.0.0.1:0");
    expect(url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    await req.dial(url);
    await req.send(new Uint8Array([1, 2, 3]));
    expect([...(await rep.recv({ timeoutMs: 5000 }))]).toEqual([1, 2, 3]);
    await rep.send(new Uint8Array([4]));
    expect((await req.recvMessage({ timeoutMs: 5000 })).data).toEqual(new Uint8Array([4]));
    await req.close();
    await rep.close();
  });

  test("reference errors become IutError with their code", async () => {
    // SP-REQREP-11: REQ recv with no request outstanding is ESTATE.
    const req = await iut.open("req0");
    expect(await code(req.recv({ timeoutMs: 100 }))).toBe("ESTATE");
    const rep = await iut.open("rep0");
    expect(await code(rep.recv({ timeoutMs: 50 }))).toBe("ETIMEDOUT");
    expect(await code(req.setopt("no-such-option", 1))).toBe("EINVAL");
    expect(await code(iut.open("nonsense0"))).toBe("ENOTSUP");
    const failed = await req.tryRecv({ timeoutMs: 50 });
    expect(failed.ok ? "ok" : failed.code).toBe("ESTATE");
    await req.close();
    expect(await code(req.close())).toBe("ECLOSED");
    expect(await code(req.send(new Uint8Array([1])))).toBe("ECLOSED");
    await rep.close();
  });

  test("optional features work as through the adapter process", async () => {
    // Raw REP: the header is the pipe's backtrace word then the request id (SP-REQREP-5).
    const rep = await iut.open("rep0", { raw: true });
    const req = await iut.open("req0");
    await req.dial(await rep.listen("tcp://127.0.0.1:0"));
    await req.send(new Uint8Array([7]));
    const m = await rep.recvMessage({ timeoutMs: 5000 });
    expect(m.data).toEqual(new Uint8Array([7]));
    expect(m.header?.length).toBe(8);
    expect(m.pipe).toBeGreaterThan(0);
    await rep.send(new Uint8Array([8]), { header: m.header });
    expect(await req.recv({ timeoutMs: 5000 })).toEqual(new Uint8Array([8]));
    // Contexts and stats on a cooked socket; a context closes alone.
    const ctx = await req.openContext();
    expect(await code(ctx.recv({ timeoutMs: 50 }))).toBe("ESTATE");
    await ctx.close();
    expect((await iut.stats(req))["bad-input"]).toBe(0);
    // Refusals keep the adapter's codes: a device needs raw sockets, a pipe needs pair1 poly.
    expect(await code(iut.device(req))).toBe("EINVAL");
    expect(await code(req.send(new Uint8Array([1]), { pipe: 1 }))).toBe("ENOTSUP");
    // No contexts on pair1: unsupported, as the client says it.
    const pair = await iut.open("pair1");
    await expect(pair.openContext()).rejects.toBeInstanceOf(IutUnsupportedError);
    await pair.close();
    await req.close();
    await rep.close();
  });

  test("the observer sees each operation as a request and an answer", async () => {
    const seen: string[] = [];
    iut.setObserver((event, text) => seen.push(`${event} ${text}`));
    const s = await iut.open("pair1");
    await s.close();
    iut.setObserver(undefined);
    expect(seen[0]).toMatch(/^request .*"op":"open".*"protocol":"pair1"/);
    expect(seen[1]).toMatch(/^answer .*"ok":true/);
    expect(seen.length).toBe(4);
  });

  // A few real cases, one per protocol family the mutation run uses by default.
  const sample = [
    "reqrep/req-exact-frame", // SP-REQREP-5, SP-REQREP-7
    "reqrep/rep-backtrace-unchanged", // SP-REQREP-13
    "pair/pair1-order", // SP-PAIR-6
    "pubsub/sub-unsubscribe", // SP-PUBSUB-14
    "pipeline/push-round-robin", // SP-PIPELINE-3
  ];
  for (const id of sample) {
    test(`case ${id} passes in-process`, async () => {
      const c = allCases.find((x) => x.id === id);
      if (!c) throw new Error(`no case ${id}`);
      const o = await executeCase(c, iut, { seed: 1 });
      expect(o.verdict, `${o.reason ?? ""}\n${o.transcript ?? ""}`).toBe("pass");
    });
  }
});
