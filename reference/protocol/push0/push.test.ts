import { afterEach, describe, expect, it } from "vitest";
import { frame, RawPeer, spHeader, waitFor } from "../../../testkit/raw-peer.ts";
import { SPError } from "../../core/errors.ts";
import type { Pipe } from "../../core/pipe.ts";
import type { SocketBase } from "../../core/socket.ts";
import { type Pull0Socket, pull0 } from "../pull0/pull.ts";
import { Balancer } from "./balancer.ts";
import { push0 } from "./push.ts";

const PULL = 0x51;
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

function track<T extends { close(): unknown }>(x: T): T {
  open.push(x);
  return x;
}

async function pullListening(): Promise<{ pull: Pull0Socket; url: string }> {
  const pull = track(pull0({ recvTimeout: 2000 }));
  const { url } = await pull.listen("tcp://127.0.0.1:0");
  return { pull, url };
}

async function expectCode(p: Promise<unknown>, code: string) {
  await expect(p).rejects.toSatisfy((e) => e instanceof SPError && e.code === code);
}

async function drain(pull: Pull0Socket, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await pull.recv()).toString());
  return out;
}

describe("push0", () => {
  it("push round-robins over three pulls", async () => {
    const push = track(push0());
    const pulls = [await pullListening(), await pullListening(), await pullListening()];
    for (const p of pulls) await push.dial(p.url).connected;
    for (let i = 0; i < 9; i++) await push.send(`m${i}`);
    const got = await Promise.all(pulls.map((p) => drain(p.pull, 3)));
    // Each pull got exactly every third message, in order.
    const all = got.flat().sort();
    expect(all).toEqual([...Array(9).keys()].map((i) => `m${i}`).sort());
    for (const g of got) {
      const idx = g.map((m) => Number(m.slice(1)));
      expect(idx.slice(1).map((v, i) => v - (idx[i] as number))).toEqual([3, 3]);
    }
  });

  it("push blocks until a pull connects", async () => {
    const push = track(push0());
    const { url } = await push.listen("tcp://127.0.0.1:0");
    let done = false;
    const sent = push.send("waiting for a worker").then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toBe(false);
    const pull = track(pull0({ recvTimeout: 2000 }));
    pull.dial(url);
    await sent;
    expect((await pull.recv()).toString()).toBe("waiting for a worker");
  });

  it("push send times out with ETIMEDOUT", async () => {
    const push = track(push0({ sendTimeout: 100 }));
    const t0 = performance.now();
    await expectCode(push.send("nobody"), "ETIMEDOUT");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(95);
    expect(push.getStats().txTimedOut).toBe(1);
    // Later sends still work once a peer is there.
    const { pull, url } = await pullListening();
    await push.dial(url).connected;
    push.setOption("sendTimeout", 2000);
    await push.send("now");
    expect((await pull.recv()).toString()).toBe("now");
  });

  it("waiting sends keep their order and each keeps its own deadline", async () => {
    const push = track(push0({ sendTimeout: 150 }));
    const first = push.send("first");
    push.setOption("sendTimeout", 5000);
    const second = push.send("second");
    await expectCode(first, "ETIMEDOUT");
    const { pull, url } = await pullListening();
    push.dial(url);
    await second;
    expect((await pull.recv()).toString()).toBe("second");
  });

  it("close fails a waiting send with ECLOSED", async () => {
    const push = track(push0());
    const r = expectCode(push.send("x"), "ECLOSED");
    await push.close();
    await r;
  });

  it("push recv fails with ENOTSUP and data sent into a push is discarded", async () => {
    const push = track(push0());
    await expectCode((push as SocketBase).recv(), "ENOTSUP");
    const { url } = await push.listen("tcp://127.0.0.1:0");
    const raw = track(await RawPeer.connect(url));
    raw.write(spHeader(PULL));
    raw.write(frame(Buffer.from("talking back")));
    await waitFor(() => push.getStats().rxDiscarded === 1);
    // A discarded message is a lost one: it adds to the socket's drops.
    expect(push.stats().socket.drops).toBe(1);
    await push.send("still fine");
    await waitFor(() => raw.frames.length === 1);
    expect(raw.frames[0]?.toString()).toBe("still fine");
    expect(raw.ended).toBe(false);
  });

  it("push sends only to the best send priority while it is available", async () => {
    const push = track(push0());
    const hi = await pullListening();
    const lo = await pullListening();
    await push.dial(lo.url).connected;
    await push.dial(hi.url, { sendPriority: 1 }).connected;
    for (let i = 0; i < 4; i++) await push.send(`p${i}`);
    expect(await drain(hi.pull, 4)).toEqual(["p0", "p1", "p2", "p3"]);
    expect(lo.pull.queued).toBe(0);
    // When the preferred worker goes away the rest take over.
    await hi.pull.close();
    await waitFor(() => push.peerCount === 1, 3000, "the push to drop the closed pipe");
    await push.send("fallback");
    expect((await lo.pull.recv()).toString()).toBe("fallback");
  });

  it("the sendPriority option applies to the endpoints created after it is set (NN_SNDPRIO)", async () => {
    const push = track(push0());
    const hi = await pullListening();
    const lo = await pullListening();
    push.setOption("send-priority", 1);
    await push.dial(hi.url).connected;
    push.setOption("sendPriority", 8);
    await push.dial(lo.url).connected;
    for (let i = 0; i < 3; i++) await push.send(`q${i}`);
    expect(await drain(hi.pull, 3)).toEqual(["q0", "q1", "q2"]);
    expect(lo.pull.queued).toBe(0);
  });

  it("a stalled high-priority pipe is skipped in favour of a lower priority", async () => {
    const push = track(push0());
    push.setOption("recvMaxSize", 0);
    const { url } = await push.listen("tcp://127.0.0.1:0", { sendPriority: 1 });
    const stalled = track(await RawPeer.connect(url));
    stalled.write(spHeader(PULL));
    stalled.socket.pause();
    const lo = await pullListening();
    lo.pull.setOption("recvMaxSize", 0);
    await push.dial(lo.url, { sendPriority: 16 }).connected;
    await waitFor(() => push.peerCount === 2);
    const big = Buffer.alloc(256 * 1024, 1);
    let sent = 0;
    while (lo.pull.queued === 0 && sent < 400) {
      await push.send(big);
      sent++;
      await new Promise((r) => setImmediate(r));
    }
    await waitFor(() => lo.pull.queued > 0, 3000, "the low-priority pull to get work");
    expect(sent).toBeLessThan(400);
  }, 20000);

  it("push waits while its only pull is stalled and resumes when the pipe drains", async () => {
    const push = track(push0());
    const { url } = await push.listen("tcp://127.0.0.1:0");
    const raw = track(await RawPeer.connect(url));
    raw.write(spHeader(PULL));
    raw.socket.pause();
    await waitFor(() => push.peerCount === 1);
    const big = Buffer.alloc(256 * 1024, 2);
    let blocked: Promise<void> | null = null;
    for (let i = 0; i < 400 && !blocked; i++) {
      const p = push.send(big);
      const settled = await Promise.race([
        p.then(() => true),
        new Promise((r) => setTimeout(() => r(false), 20)),
      ]);
      if (!settled) blocked = p;
    }
    expect(blocked).not.toBeNull();
    raw.socket.resume(); // the peer reads again: 'drain' -> onWritable -> ready
    await blocked;
  }, 20000);

  it("rejects a send priority outside 1..16", () => {
    const push = track(push0());
    expect(() => push.dial("tcp://127.0.0.1:1", { sendPriority: 0 })).toThrow(SPError);
    expect(() => push.dial("tcp://127.0.0.1:1", { sendPriority: 17 })).toThrow(SPError);
  });
});

describe("Balancer", () => {
  const fake = (name: string, writable = true) =>
    ({
      name,
      writable,
      onWritable: null,
      pauseReading() {},
      resumeReading() {},
    }) as unknown as Pipe & { name: string; writable: boolean };

  it("round-robins within a priority and skips pipes that are not writable", () => {
    const lb = new Balancer();
    const [a, b, c] = [fake("a"), fake("b"), fake("c")];
    lb.add(a);
    lb.add(b);
    lb.add(c);
    const order = () => (lb.pick() as unknown as { name: string }).name;
    expect([order(), order(), order(), order()]).toEqual(["a", "b", "c", "a"]);
    b.writable = false;
    expect([order(), order(), order()]).toEqual(["c", "a", "c"]);
    a.writable = false;
    c.writable = false;
    expect(lb.pick()).toBeUndefined();
  });

  it("prefers the lowest priority value that has a writable pipe", () => {
    const lb = new Balancer();
    const [hi1, hi2, lo] = [fake("hi1"), fake("hi2"), fake("lo")];
    lb.add(lo, 8);
    lb.add(hi1, 2);
    lb.add(hi2, 2);
    const name = () => (lb.pick() as unknown as { name: string }).name;
    expect([name(), name(), name()]).toEqual(["hi1", "hi2", "hi1"]);
    hi1.writable = false;
    hi2.writable = false;
    expect(name()).toBe("lo");
    lb.remove(lo);
    expect(lb.pick()).toBeUndefined();
    expect(lb.size).toBe(2);
  });
});
