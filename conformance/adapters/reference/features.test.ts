/**
 * Drives the real reference adapter process through the client for each
 * optional feature of ADAPTER.md §3.2: raw sockets and headers, the device,
 * contexts, pipes (PAIR v1 polyamorous), send-priority, stats, dialers and inproc.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ConformanceCase } from "../../cases/types.ts";
import { executeCase } from "../../runner/execute.ts";
import { referenceAdapterCommand } from "../../runner/iuts.ts";
import { projectRoot } from "../build.ts";
import { AdapterClient } from "../client.ts";
import { IutError, type IutSocket, IutUnsupportedError } from "../iut.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const T = { timeoutMs: 3000 };

let client: AdapterClient;
let opened: IutSocket[] = [];

async function open(protocol: string, raw = false): Promise<IutSocket> {
  const s = await client.open(protocol, raw ? { raw: true } : undefined);
  opened.push(s);
  return s;
}

async function closeAll(): Promise<void> {
  await Promise.allSettled(opened.map((s) => s.close()));
  opened = [];
}

describe("reference adapter: optional features", () => {
  beforeAll(async () => {
    client = await AdapterClient.start(referenceAdapterCommand(), { cwd: projectRoot });
  }, 30000);
  afterAll(async () => {
    await client?.shutdown();
  });

  test("hello declares the features and the extra options", async () => {
    const caps = client.info.capabilities;
    expect(caps.features).toEqual(
      expect.arrayContaining(["raw", "device", "contexts", "pipes", "stats", "dialers"]),
    );
    expect(caps.options).toEqual(expect.arrayContaining(["send-priority", "pair1:polyamorous"]));
    expect(caps.transports).toContain("inproc");
  });

  test("the runner honours needs.features", async () => {
    const probe = (features: string[]): ConformanceCase => ({
      id: "features/probe",
      title: "probe",
      requirements: [],
      kind: "example",
      needs: { protocols: ["rep0"], transports: ["tcp"], features },
      async run(ctx) {
        await ctx.iut.open("rep0", { raw: true });
      },
    });
    const declared = await executeCase(probe(["raw"]), client, { seed: 1 });
    expect(declared.verdict).toBe("pass");
    const missing = await executeCase(probe(["raw", "teleport"]), client, { seed: 1 });
    expect(missing.verdict).toBe("unsupported");
    expect(missing.reason).toContain("feature teleport");
  });

  test("raw REP hands out the header and routes the reply by it", async () => {
    const xrep = await open("rep0", true);
    const url = await xrep.listen("tcp://127.0.0.1:0");
    const req = await open("req0");
    await req.dial(url);
    await req.send(enc("hi"), T);
    const m = await xrep.recvMessage(T);
    expect(dec(m.data)).toBe("hi");
    // [pipe id word][request id word with the top bit set] (SP-REQREP-4, SP-REQREP-13)
    expect(m.header?.length).toBe(8);
    const h = m.header ?? new Uint8Array();
    expect((h[4] ?? 0) & 0x80).toBe(0x80);
    expect(m.pipe).toBeGreaterThan(0);
    await xrep.send(enc("ho"), { ...T, header: h });
    expect(dec(await req.recv(T))).toBe("ho");
    await closeAll();
  });

  test("a device between raw REP and raw REQ carries requests and replies", async () => {
    const server = await open("rep0");
    const backUrl = await server.listen("tcp://127.0.0.1:0");
    const front = await open("rep0", true);
    const frontUrl = await front.listen("tcp://127.0.0.1:0");
    const back = await open("req0", true);
    await back.dial(backUrl);
    await client.device(front, back);
    const req = await open("req0");
    await req.dial(frontUrl);
    await req.send(enc("ping"), T);
    expect(dec(await server.recv(T))).toBe("ping");
    await server.send(enc("pong"), T);
    expect(dec(await req.recv(T))).toBe("pong");
    await closeAll();
  });

  test("device refuses cooked sockets with EINVAL", async () => {
    const a = await open("rep0");
    const b = await open("req0");
    await expect(client.device(a, b)).rejects.toMatchObject({ code: "EINVAL" });
    await closeAll();
  });

  test("two REQ contexts keep two requests outstanding", async () => {
    const rep = await open("rep0");
    const url = await rep.listen("inproc://features-contexts");
    const req = await open("req0");
    await req.dial(url);
    const c1 = await req.openContext();
    const c2 = await req.openContext();
    await c1.send(enc("one"), T);
    await c2.send(enc("two"), T);
    // REP contexts, too: each holds the request it received.
    const r1 = await rep.openContext();
    const r2 = await rep.openContext();
    const got = [dec(await r1.recv(T)), dec(await r2.recv(T))];
    expect(got.sort()).toEqual(["one", "two"]);
    // Answer in reverse order; each reply reaches the context that asked.
    await r2.send(enc(`re:${got[1]}`), T);
    await r1.send(enc(`re:${got[0]}`), T);
    const answers = [dec(await c1.recv(T)), dec(await c2.recv(T))];
    expect(answers).toEqual(["re:one", "re:two"]);
    await c1.close();
    // A closed context is gone; the socket and the other context stay usable.
    await expect(c1.recv(T)).rejects.toMatchObject({ code: "ECLOSED" });
    await closeAll();
  });

  test("calls on a closed socket or context reach the library; a second close forgets the handle", async () => {
    const rep = await open("rep0");
    const ctx = await rep.openContext();
    await ctx.close();
    // The library's own refusal (SP-FRAMEWORK-33), not the adapter's "no open socket".
    const onContext = await ctx.tryRecv({ timeoutMs: 5000 });
    expect(onContext).toMatchObject({ ok: false, code: "ECLOSED" });
    expect(onContext.ok ? "" : onContext.message).not.toMatch(/no open socket/);
    await rep.close();
    const onSocket = await rep.trySend(enc("late"), { timeoutMs: 5000 });
    expect(onSocket).toMatchObject({ ok: false, code: "ECLOSED" });
    expect(onSocket.ok ? "" : onSocket.message).not.toMatch(/no open socket/);
    await expect(rep.close()).rejects.toMatchObject({ code: "ECLOSED" });
    const forgotten = await rep.tryRecv({ timeoutMs: 5000 });
    expect(forgotten.ok ? "" : forgotten.message).toMatch(/no open socket/);
    opened = [];
  });

  test("a context on a protocol without contexts is unsupported", async () => {
    const s = await open("push0");
    await expect(s.openContext()).rejects.toBeInstanceOf(IutUnsupportedError);
    await closeAll();
  });

  test("pair1 polyamorous: distinct pipe ids, send to one pipe", async () => {
    const hub = await open("pair1");
    await hub.setopt("pair1:polyamorous", 1);
    const url = await hub.listen("tcp://127.0.0.1:0");
    // SP-PAIR-17: the mode is fixed once an endpoint exists.
    await expect(hub.setopt("pair1:polyamorous", 0)).rejects.toMatchObject({ code: "ESTATE" });
    const a = await open("pair1");
    const b = await open("pair1");
    await a.dial(url);
    await b.dial(url);
    await a.send(enc("from-a"), T);
    await b.send(enc("from-b"), T);
    const m1 = await hub.recvMessage(T);
    const m2 = await hub.recvMessage(T);
    const byBody = new Map([
      [dec(m1.data), m1.pipe],
      [dec(m2.data), m2.pipe],
    ]);
    const pa = byBody.get("from-a");
    const pb = byBody.get("from-b");
    expect(pa).toBeGreaterThan(0);
    expect(pb).toBeGreaterThan(0);
    expect(pa).not.toBe(pb);
    // SP-PAIR-18: the message goes to exactly that pipe.
    await hub.send(enc("to-b"), { ...T, pipe: pb });
    expect(dec(await b.recv(T))).toBe("to-b");
    const none = await a.tryRecv({ timeoutMs: 200 });
    expect(none).toMatchObject({ ok: false, code: "ETIMEDOUT" });
    // SP-PAIR-19: a pipe that does not exist: discarded, not an error.
    await hub.send(enc("nowhere"), { ...T, pipe: 0x7ffffff0 });
    await closeAll();
  });

  test("send-priority is accepted on push0 and validated", async () => {
    const push = await open("push0");
    await push.setopt("send-priority", 1);
    await expect(push.setopt("send-priority", 17)).rejects.toMatchObject({ code: "EINVAL" });
    const hi = await open("pull0");
    const lo = await open("pull0");
    const hiUrl = await hi.listen("inproc://features-prio-hi");
    const loUrl = await lo.listen("inproc://features-prio-lo");
    await push.setopt("send-priority", 2);
    await push.dial(loUrl);
    await push.setopt("send-priority", 1);
    await push.dial(hiUrl);
    // Wait for both pipes (inproc connects at once, but give it a generous margin).
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 3; i++) await push.send(enc(`m${i}`), T);
    // SP-PIPELINE-7: the higher priority pipe takes every message while it can.
    for (let i = 0; i < 3; i++) expect(dec(await hi.recv(T))).toBe(`m${i}`);
    expect(await lo.tryRecv({ timeoutMs: 200 })).toMatchObject({ ok: false, code: "ETIMEDOUT" });
    const req = await open("req0");
    await expect(req.setopt("send-priority", 1)).rejects.toBeInstanceOf(IutError);
    await closeAll();
  });

  test("stats count a connection closed for a bad SP header as bad-input", async () => {
    const rep = await open("rep0");
    const url = await rep.listen("tcp://127.0.0.1:0");
    expect((await rep.stats())["bad-input"]).toBe(0);
    const port = Number(/:(\d+)$/.exec(url)?.[1]);
    // SP-TCP-3: a header without the SP magic is refused and the connection closed.
    await new Promise<void>((resolve, reject) => {
      const c = connect(port, "127.0.0.1", () => c.write(Buffer.from("NOTSPHDR")));
      c.on("error", reject);
      c.on("close", () => resolve());
      c.resume();
    });
    let bad = 0;
    for (let i = 0; i < 30 && bad === 0; i++) {
      bad = (await client.stats(rep))["bad-input"] ?? 0;
      if (bad === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(bad).toBe(1);
    await closeAll();
  });

  test("dialers: created unstarted, started, closed; closed handles answer ECLOSED", async () => {
    const rep = await open("rep0");
    const url = await rep.listen("tcp://127.0.0.1:0");
    const req = await open("req0");
    await req.setopt("reconnect-time-min", 20);
    const d = await req.dialer(url);
    expect(d.handle).toBeGreaterThan(0);
    // Unstarted: a request queues, nothing reaches the REP.
    await req.send(enc("queued"), T);
    await expect(rep.recv({ timeoutMs: 200 })).rejects.toMatchObject({ code: "ETIMEDOUT" });
    await d.start();
    expect(dec(await rep.recv(T))).toBe("queued");
    await expect(d.start()).rejects.toMatchObject({ code: "ESTATE" });
    await d.close();
    await expect(d.close()).rejects.toMatchObject({ code: "ECLOSED" });
    await expect(d.start()).rejects.toBeInstanceOf(IutError);
    const e = await req.dialer(url);
    await req.close();
    opened = opened.filter((s) => s !== req);
    await expect(e.start()).rejects.toMatchObject({ code: "ECLOSED" });
    await closeAll();
  });

  test("inproc carries messages between two sockets of the adapter", async () => {
    const rep = await open("rep0");
    const url = await rep.listen("inproc://features-inproc");
    expect(url).toBe("inproc://features-inproc");
    const req = await open("req0");
    await req.dial(url);
    await req.send(enc("local"), T);
    expect(dec(await rep.recv(T))).toBe("local");
    await rep.send(enc("reply"), T);
    expect(dec(await req.recv(T))).toBe("reply");
    await closeAll();
  });
});
