import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../../testkit/raw-peer.ts";
import { SPError } from "../../core/errors.ts";
import { resolveOptions } from "../../core/options.ts";
import type { Pipe } from "../../core/pipe.ts";
import type { PipeHost } from "../../core/transport.ts";
import { parseUrl } from "../../core/url.ts";
import { rep0 } from "../../protocol/rep0/rep.ts";
import { req0 } from "../../protocol/req0/req.ts";
import { InprocDialer } from "./dialer.ts";
import { InprocListener } from "./listener.ts";

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});
function track<T extends { close(): unknown }>(o: T): T {
  open.push(o);
  return o;
}

let serial = 0;
const uniqueName = (tag: string) => `${tag}-${++serial}`;

/** A bare PipeHost that records its pipes (for pipe-level tests). */
function fakeHost(self: number, peer: number, recvMaxSize = 0) {
  const pipes: Pipe[] = [];
  const stats: Record<string, number> = {};
  const host: PipeHost = {
    identity: { self, peer, name: "a", peerName: "b" },
    options: resolveOptions({ recvMaxSize, reconnectMin: 10 }),
    isPeerCompatible: (p) => p === peer,
    attachPipe: (p) => pipes.push(p),
    detachPipe: (p) => pipes.splice(pipes.indexOf(p), 1),
    count: (s) => {
      stats[s] = (stats[s] ?? 0) + 1;
    },
  };
  return { host, pipes, stats };
}

async function roundTrip(req: ReturnType<typeof req0>, rep: ReturnType<typeof rep0>, text: string) {
  await req.send(text);
  expect((await rep.recv()).toString()).toBe(text);
  await rep.send(`re: ${text}`);
  expect((await req.recv()).toString()).toBe(`re: ${text}`);
}

describe("inproc transport", () => {
  it("parses inproc:// names", () => {
    expect(parseUrl("inproc://a/b?c", false).path).toBe("a/b?c");
    expect(() => parseUrl("inproc://", true)).toThrow(SPError);
  });

  it("inproc round trip req/rep, and a name can be bound only once", async () => {
    const url = `inproc://${uniqueName("rt")}`;
    const rep = track(rep0({ recvTimeout: 2000 }));
    await rep.listen(url);
    await expect(track(rep0()).listen(url)).rejects.toMatchObject({ code: "EADDRINUSE" });
    const req = track(req0({ recvTimeout: 2000 }));
    await req.dial(url).connected;
    await roundTrip(req, rep, "one");
    await roundTrip(req, rep, "two");
  });

  it("inproc connect before bind", async () => {
    const url = `inproc://${uniqueName("early")}`;
    const req = track(req0({ recvTimeout: 2000 }));
    const d = req.dial(url);
    const sent = req.send("waiting for a peer");
    await new Promise((r) => setTimeout(r, 30));
    const rep = track(rep0({ recvTimeout: 2000 }));
    await rep.listen(url);
    await d.connected;
    await sent;
    expect((await rep.recv()).toString()).toBe("waiting for a peer");
    await rep.send("here");
    expect((await req.recv()).toString()).toBe("here");
  });

  it("inproc reconnects after the listener restarts", async () => {
    const url = `inproc://${uniqueName("restart")}`;
    const req = track(req0({ recvTimeout: 2000, reconnectMin: 10 }));
    const rep1 = rep0({ recvTimeout: 2000 });
    await rep1.listen(url);
    req.dial(url);
    await roundTrip(req, rep1, "before");
    await rep1.close();
    const rep2 = track(rep0({ recvTimeout: 2000 }));
    await rep2.listen(url);
    await roundTrip(req, rep2, "after");
  });

  it("inproc hands over the same Buffer (zero copy), asynchronously and in order", async () => {
    const name = uniqueName("zc");
    const a = fakeHost(0x10, 0x10);
    const b = fakeHost(0x10, 0x10);
    const l = track(InprocListener.bind(name, b.host));
    const d = track(new InprocDialer(name, a.host));
    await d.connected;
    const [pa, pb] = [a.pipes[0] as Pipe, b.pipes[0] as Pipe];
    const got: Buffer[] = [];
    pb.onMessage = (m) => got.push(m);
    const msg = Buffer.from("payload");
    const view = new Uint8Array(msg.buffer, msg.byteOffset, 3);
    expect(pa.send(msg)).toBe(true);
    expect(pa.send(new Uint8Array(0), view)).toBe(true);
    expect(got).toEqual([]); // SP-INPROC-8: not within the sender's call
    await waitFor(() => got.length === 2);
    expect(got[0]).toBe(msg);
    expect(got[1]?.buffer).toBe(msg.buffer); // a view of the same memory, not a copy
    expect(got[1]?.toString()).toBe("pay");
    expect(pa.writable).toBe(true);
    void l;
  });

  it("refuses to join incompatible protocols and keeps waiting", async () => {
    const url = `inproc://${uniqueName("peer")}`;
    const req = track(req0({ recvTimeout: 2000, reconnectMin: 10 }));
    const wrong = track(req0());
    await wrong.listen(url);
    req.dial(url);
    await waitFor(() => (wrong.getStats().rxBadPeer ?? 0) >= 1, 2000, "refused join");
    await wrong.close();
    const rep = track(rep0({ recvTimeout: 2000 }));
    await rep.listen(url);
    await roundTrip(req, rep, "finally");
  });

  it("oversize closes only that pipe", async () => {
    const url = `inproc://${uniqueName("big")}`;
    const rep = track(rep0({ recvTimeout: 2000, recvMaxSize: 64 }));
    await rep.listen(url);
    const small = track(req0({ recvTimeout: 2000 }));
    const big = track(req0({ recvTimeout: 2000, reconnectMin: 10 }));
    await small.dial(url).connected;
    await big.dial(url).connected;
    await big.send(Buffer.alloc(100, 1));
    await waitFor(() => (rep.getStats().rxOversize ?? 0) === 1, 2000, "oversize");
    await roundTrip(small, rep, "still fine");
  });

  it("closing one end closes the other", async () => {
    const name = uniqueName("close");
    const a = fakeHost(0x10, 0x10);
    const b = fakeHost(0x10, 0x10);
    const l = track(InprocListener.bind(name, b.host));
    const d = new InprocDialer(name, a.host);
    await d.connected;
    const pb = b.pipes[0] as Pipe;
    await d.close();
    expect(await pb.closed).toBeUndefined();
    expect(b.pipes).toEqual([]);
    void l;
  });
  it("a dial closed while it waits for a listener never joins one that binds later", async () => {
    const name = uniqueName("early-close");
    const a = fakeHost(0x10, 0x10);
    const b = fakeHost(0x10, 0x10);
    const d = new InprocDialer(name, a.host);
    await new Promise((r) => setTimeout(r, 20));
    await d.close();
    await expect(d.connected).rejects.toMatchObject({ code: "ECLOSED" });
    track(InprocListener.bind(name, b.host));
    await new Promise((r) => setTimeout(r, 50));
    expect(a.pipes).toEqual([]);
    expect(b.pipes).toEqual([]);
    // Control: a live dialer does join the same listener.
    const live = track(new InprocDialer(name, a.host));
    await live.connected;
    expect(b.pipes).toHaveLength(1);
  });

  it("a refused dialing end closes while still joining, and the dialer counts the failure", async () => {
    const name = uniqueName("refused");
    const a = fakeHost(0x10, 0x10);
    const b = fakeHost(0x30, 0x31);
    track(InprocListener.bind(name, b.host));
    track(new InprocDialer(name, a.host));
    await waitFor(() => (a.stats.dialFailed ?? 0) >= 1, 2000, "refused dial");
    expect(a.pipes).toEqual([]);
    expect(b.pipes).toEqual([]);
  });
  it("an inproc dialer made with start: false joins only once started", async () => {
    const url = `inproc://${uniqueName("later")}`;
    const rep = track(rep0({ recvTimeout: 2000 }));
    await rep.listen(url);
    const req = track(req0({ recvTimeout: 2000 }));
    const d = req.dial(url, { start: false });
    await new Promise((r) => setTimeout(r, 30));
    expect(rep.stats().socket.pipesOpen).toBe(0);
    d.start?.();
    await d.connected;
    await roundTrip(req, rep, "started");
    expect(() => d.start?.()).toThrow(expect.objectContaining({ code: "ESTATE" }));
  });
});

describe("inproc dial failures", () => {
  it("with failFast, nothing bound is ECONNREFUSED at once; without, the dialer waits", async () => {
    const req = track(req0());
    const d = req.dial("inproc://fail-fast-nobody", { failFast: true });
    const events: string[] = [];
    d.on("error", (e) => events.push(e.code));
    await expect(d.connected).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(events).toEqual(["ECONNREFUSED"]);
    const waiting = req.dial("inproc://fail-fast-later");
    const rep = track(rep0());
    await rep.listen("inproc://fail-fast-later");
    await waiting.connected;
  });

  it("with failFast, a bound listener connects, and a wrong protocol is EPROTO", async () => {
    const rep = track(rep0());
    await rep.listen("inproc://fail-fast-rep");
    await track(req0()).dial("inproc://fail-fast-rep", { failFast: true }).connected;
    const wrong = track(rep0());
    await expect(
      wrong.dial("inproc://fail-fast-rep", { failFast: true }).connected,
    ).rejects.toMatchObject({ code: "EPROTO" });
  });

  it("dialer and listener close with await using", async () => {
    const rep = track(rep0());
    const req = track(req0());
    {
      await using l = await rep.listen("inproc://disposed");
      await using d = req.dial(l.url) as InprocDialer;
      await d.connected;
    }
    // The name is free again.
    const again = track(rep0());
    await again.listen("inproc://disposed");
  });
});
