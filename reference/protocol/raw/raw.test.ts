import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../../testkit/raw-peer.ts";
import type { SocketBase } from "../../core/socket.ts";
import { device } from "../../device.ts";
import { protocolFactories } from "../../protocols.ts";
import { bus0 } from "../bus0/bus.ts";
import { xbus0 } from "../bus0/xbus.ts";
import { pair1 } from "../pair1/pair.ts";
import { xpair1 } from "../pair1/xpair.ts";
import { pull0 } from "../pull0/pull.ts";
import { xpush0 } from "../push0/xpush.ts";
import { xrep0 } from "../rep0/xrep.ts";
import { req0 } from "../req0/req.ts";
import { respondent0 } from "../respondent0/respondent.ts";
import { xsurveyor0 } from "../surveyor0/xsurveyor.ts";
import { RawSocket } from "./raw-socket.ts";

const open: SocketBase[] = [];
function track<T extends SocketBase>(s: T): T {
  open.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe("raw sockets", () => {
  it("every cooked protocol has a raw x-variant registered next to it", () => {
    for (const name of Object.keys(protocolFactories)) {
      if (name.startsWith("x") || name === "pair1poly") continue;
      const raw = protocolFactories[`x${name}`]?.();
      expect(raw, `x${name}`).toBeInstanceOf(RawSocket);
      void raw?.close();
    }
  });

  it("raw REP pushes the pipe id as the first backtrace word and routes replies by it", async () => {
    const xrep = track(xrep0({ recvTimeout: 3000 }));
    const { url } = await xrep.listen("tcp://127.0.0.1:0");
    const a = track(req0({ recvTimeout: 3000 }));
    const b = track(req0({ recvTimeout: 3000 }));
    await a.dial(url).connected;
    await b.dial(url).connected;
    await a.send("from a");
    await b.send("from b");
    const m1 = await xrep.recvMsg();
    const m2 = await xrep.recvMsg();
    expect(m1.header.readUInt32BE(0)).toBe(m1.pipe);
    expect(m2.header.readUInt32BE(0)).toBe(m2.pipe);
    expect(m1.pipe).not.toBe(m2.pipe);
    // Answer in reverse order: each reply still reaches its own requester.
    await xrep.sendMsg({ header: m2.header, body: `re ${m2.body}` });
    await xrep.sendMsg({ header: m1.header, body: `re ${m1.body}` });
    expect((await a.recv()).toString()).toBe("re from a");
    expect((await b.recv()).toString()).toBe("re from b");
    // An unknown pipe id drops the message and counts it.
    await xrep.sendMsg({ header: Buffer.from([0, 0, 0, 1, 0x80, 0, 0, 1]), body: "lost" });
    expect(xrep.getStats().txNoRoute).toBe(1);
  });

  it("raw SURVEYOR sends the application's header to every respondent", async () => {
    const xs = track(xsurveyor0({ recvTimeout: 3000 }));
    const { url } = await xs.listen("tcp://127.0.0.1:0");
    const rs = [
      track(respondent0({ recvTimeout: 3000 })),
      track(respondent0({ recvTimeout: 3000 })),
    ];
    for (const r of rs) await r.dial(url).connected;
    await waitFor(() => xs.stats().socket.pipesOpen === 2, 3000, "both respondents attached");
    const id = Buffer.from([0x80, 0, 0, 7]);
    await xs.sendMsg({ header: id, body: "who?" });
    for (const r of rs) {
      expect((await r.recv()).toString()).toBe("who?");
      await r.send("me");
    }
    for (let i = 0; i < 2; i++) {
      const m = await xs.recvMsg();
      expect(m.header).toEqual(id);
      expect(m.body.toString()).toBe("me");
    }
  });

  it("raw PUSH parks messages until a puller connects, then delivers them", async () => {
    const xp = track(xpush0());
    const { url } = await xp.listen("tcp://127.0.0.1:0");
    await xp.sendMsg({ body: "early" });
    const p = track(pull0({ recvTimeout: 3000 }));
    await p.dial(url).connected;
    expect((await p.recv()).toString()).toBe("early");
    await expect((xp as RawSocket).recvMsg()).rejects.toMatchObject({ code: "ENOTSUP" });
  });

  it("a one-socket device on a raw BUS forwards between its peers without echo", async () => {
    const hub = track(xbus0());
    const { url } = await hub.listen("tcp://127.0.0.1:0");
    const [a, b, c] = [track(bus0()), track(bus0({ recvTimeout: 3000 })), track(bus0())];
    for (const s of [a, b, c]) await s.dial(url).connected;
    await waitFor(() => hub.stats().socket.pipesOpen === 3, 3000, "three bus peers attached");
    const running = device(hub);
    await a.send("hello bus");
    expect((await b.recv()).toString()).toBe("hello bus");
    const early = await Promise.race([
      a.recv().then(() => "echoed"),
      new Promise((r) => setTimeout(() => r("none"), 100)),
    ]);
    expect(early).toBe("none");
    await hub.close();
    expect((await running).bToA).toBe(1);
  });

  it("raw PAIR v1 exposes the hop count and a device adds one hop", async () => {
    const left = track(xpair1());
    const right = track(xpair1());
    const l = await left.listen("tcp://127.0.0.1:0");
    const r = await right.listen("tcp://127.0.0.1:0");
    const a = track(pair1());
    const b = track(pair1({ recvTimeout: 3000 }));
    await a.dial(l.url).connected;
    await b.dial(r.url).connected;
    const running = device(left, right);
    await a.send("over two hops");
    expect((await b.recv()).toString()).toBe("over two hops");
    await left.close();
    await running;
    // Directly: the header of a message from a cooked PAIR v1 is hop count 1.
    const probe = track(xpair1({ recvTimeout: 3000 }));
    const p = await probe.listen("tcp://127.0.0.1:0");
    const c = track(pair1());
    await c.dial(p.url).connected;
    await c.send("x");
    expect([...(await probe.recvMsg()).header]).toEqual([0, 0, 0, 1]);
  });
});
