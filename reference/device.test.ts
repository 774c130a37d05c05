import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../testkit/raw-peer.ts";
import type { SocketBase } from "./core/socket.ts";
import { device } from "./device.ts";
import { pub0 } from "./protocol/pub0/pub.ts";
import { xpub0 } from "./protocol/pub0/xpub.ts";
import { pull0 } from "./protocol/pull0/pull.ts";
import { xpull0 } from "./protocol/pull0/xpull.ts";
import { push0 } from "./protocol/push0/push.ts";
import { xpush0 } from "./protocol/push0/xpush.ts";
import { rep0 } from "./protocol/rep0/rep.ts";
import { xrep0 } from "./protocol/rep0/xrep.ts";
import { req0 } from "./protocol/req0/req.ts";
import { xreq0 } from "./protocol/req0/xreq.ts";
import { sub0 } from "./protocol/sub0/sub.ts";
import { xsub0 } from "./protocol/sub0/xsub.ts";

const open: SocketBase[] = [];
function track<T extends SocketBase>(s: T): T {
  open.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe("device", () => {
  it("a device between a raw REP and a raw REQ forwards a request and its reply through two hops with the backtrace growing by one word", async () => {
    // Direct: REQ → raw REP server sees [pipe id][request id] = 2 words.
    const direct = track(xrep0({ recvTimeout: 3000 }));
    const d = await direct.listen("tcp://127.0.0.1:0");
    const client0 = track(req0({ recvTimeout: 3000 }));
    await client0.dial(d.url).connected;
    await client0.send("direct");
    const m0 = await direct.recvMsg();
    expect(m0.header.length).toBe(8);

    // Through a device: REQ → xrep front → device → xreq back → raw REP server.
    const server = track(xrep0({ recvTimeout: 3000 }));
    const s = await server.listen("tcp://127.0.0.1:0");
    const front = track(xrep0());
    const f = await front.listen("tcp://127.0.0.1:0");
    const back = track(xreq0());
    await back.dial(s.url).connected;
    const running = device(front, back);
    const client = track(req0({ recvTimeout: 3000 }));
    await client.dial(f.url).connected;
    await client.send("via device");
    const m = await server.recvMsg();
    expect(m.body.toString()).toBe("via device");
    expect(m.header.length).toBe(m0.header.length + 4);
    // The bottom word is the client's request id (top bit set); the others are pipe ids.
    expect(m.header.readUInt32BE(8) & 0x80000000).not.toBe(0);
    expect(m.header.readUInt32BE(4) & 0x80000000).toBe(0);
    await server.sendMsg({ header: m.header, body: "reply" });
    expect((await client.recv()).toString()).toBe("reply");

    await front.close();
    const counts = await running;
    expect(counts).toEqual({ aToB: 1, bToA: 1 });
  });

  it("forwards one way for pub/sub and cooked peers on both ends interoperate", async () => {
    const xsub = track(xsub0());
    const xpub = track(xpub0());
    const publisher = track(pub0());
    const subscriber = track(sub0({ recvTimeout: 3000 }));
    const inUrl = (await xsub.listen("tcp://127.0.0.1:0")).url;
    const outUrl = (await xpub.listen("tcp://127.0.0.1:0")).url;
    await publisher.dial(inUrl).connected;
    subscriber.subscribe("news");
    await subscriber.dial(outUrl).connected;
    const running = device(xsub, xpub);
    await new Promise((r) => setTimeout(r, 50));
    await publisher.send("sports: no");
    await publisher.send("news: yes");
    expect((await subscriber.recv()).toString()).toBe("news: yes");
    await xpub.close();
    expect((await running).aToB).toBe(2);
  });

  it("carries backpressure from a worker that does not read back to the pusher, buffering nothing without bound", async () => {
    // push -> xpull | device | xpush -> pull, all inproc; the pull's application is away.
    const worker = track(pull0({ recvBuffer: 4, recvTimeout: 5000 }));
    const xpull = track(xpull0({ recvBuffer: 4 }));
    const xpush = track(xpush0({ sendBuffer: 2 }));
    const tag = Math.random();
    await xpull.listen(`inproc://device-in-${tag}`);
    await worker.listen(`inproc://device-out-${tag}`);
    await xpush.dial(`inproc://device-out-${tag}`).connected;
    const pusher = track(push0({ sendTimeout: 10000 }));
    await pusher.dial(`inproc://device-in-${tag}`).connected;
    const running = device(xpull, xpush);
    const n = 3000;
    const body = (i: number) => {
      const b = Buffer.alloc(1024);
      b.writeUInt32BE(i, 0);
      return b;
    };
    const sends = Array.from({ length: n }, (_, i) => pusher.send(body(i)));
    await waitFor(() => worker.queued === 4, 5000, "the worker's buffer filled");
    await new Promise((r) => setTimeout(r, 100));
    // The device stopped taking: the source read only its bound plus what was in flight.
    const taken = xpull.stats().socket.msgsIn;
    expect(taken).toBeLessThan(n / 4);
    await new Promise((r) => setTimeout(r, 50));
    expect(xpull.stats().socket.msgsIn).toBe(taken);
    // The worker reads again: everything arrives, once, in order.
    const got: number[] = [];
    for (let i = 0; i < n; i++) got.push((await worker.recv()).readUInt32BE(0));
    expect(got).toEqual(Array.from({ length: n }, (_, i) => i));
    await Promise.all(sends);
    await xpull.close();
    expect((await running).aToB).toBe(n);
  });

  it("rejects cooked sockets and protocols that are not peers with EINVAL", async () => {
    const r = track(rep0());
    const xq = track(xreq0());
    const xp = track(xpub0());
    await expect(device(r as never, xq)).rejects.toMatchObject({ code: "EINVAL" });
    await expect(device(xp, xq)).rejects.toMatchObject({ code: "EINVAL" });
  });
});
