import { afterEach, describe, expect, it } from "vitest";
import { reqCompiled } from "../../../spec/machines/req.ts";
import { frame, must, RawServer, spHeader, waitFor, words } from "../../../testkit/raw-peer.ts";
import { SPError } from "../../core/errors.ts";
import { nextRequestId, type ReqMachine, req0 } from "./req.ts";

const REP = 0x31;
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

/** A REQ socket connected to a raw server that plays REP by hand. */
async function setupReq(opts = {}, internals = {}) {
  const srv = await RawServer.start();
  open.push(srv);
  const req = req0({ reconnectMin: 20, ...opts }, internals);
  open.push(req);
  const dialer = req.dial(srv.url);
  await waitFor(() => srv.peers.length === 1);
  const peer = must(srv.peers[0]);
  peer.write(spHeader(REP));
  await dialer.connected;
  return { req, srv, peer };
}

const idOf = (f: Buffer) => f.readUInt32BE(0);
const reply = (id: number, body: string) => frame(Buffer.concat([words(id), Buffer.from(body)]));

async function expectCode(p: Promise<unknown>, code: string) {
  await expect(p).rejects.toSatisfy((e) => e instanceof SPError && e.code === code);
}

describe("req0", () => {
  it("sends exactly [id] body with the top bit set and counts ids up by one", async () => {
    const { req, peer } = await setupReq();
    await req.send("a");
    await waitFor(() => peer.frames.length === 1);
    const first = must(peer.frames[0]);
    expect(idOf(first) & 0x80000000).not.toBe(0);
    expect(first.subarray(4).toString()).toBe("a");
    peer.write(reply(idOf(first), "A"));
    expect((await req.recv()).toString()).toBe("A");
    await req.send("b");
    await waitFor(() => peer.frames.length === 2);
    expect(idOf(must(peer.frames[1]))).toBe(nextRequestId(idOf(first)));
  });

  it("wraps request ids within the top-bit range", () => {
    expect(nextRequestId(0xffffffff)).toBe(0x80000000);
    expect(nextRequestId(0x80000000)).toBe(0x80000001);
  });

  it("req resends after resend time", async () => {
    const { req, peer } = await setupReq({ resendTime: 100 });
    await req.send("again");
    await waitFor(() => peer.frames.length >= 3, 3000, "two resends");
    expect(peer.frames[1]).toEqual(peer.frames[0]);
    expect(peer.frames[2]).toEqual(peer.frames[0]);
  });

  it("a request sent with no peer waits and goes out when one connects", async () => {
    const srv = await RawServer.start();
    open.push(srv);
    const req = req0({ reconnectMin: 20 });
    open.push(req);
    await req.send("early");
    req.dial(srv.url);
    await waitFor(() => srv.peers.length === 1);
    must(srv.peers[0]).write(spHeader(REP));
    await waitFor(() => must(srv.peers[0]).frames.length === 1);
    expect(must(must(srv.peers[0]).frames[0]).subarray(4).toString()).toBe("early");
  });

  it("resends at once on another pipe when the carrying pipe goes away", async () => {
    const a = await RawServer.start();
    const b = await RawServer.start();
    open.push(a, b);
    const req = req0({ reconnectMin: 5000 });
    open.push(req);
    const dialers = [req.dial(a.url), req.dial(b.url)];
    await waitFor(() => a.peers.length === 1 && b.peers.length === 1);
    must(a.peers[0]).write(spHeader(REP));
    must(b.peers[0]).write(spHeader(REP));
    await Promise.all(dialers.map((d) => d.connected));
    await req.send("hop");
    await waitFor(() => must(a.peers[0]).frames.length + must(b.peers[0]).frames.length === 1);
    const [carrier, other] = must(a.peers[0]).frames.length === 1 ? [a, b] : [b, a];
    const sent = must(must(carrier.peers[0]).frames[0]);
    must(carrier.peers[0]).close();
    await waitFor(() => must(other.peers[0]).frames.length === 1, 2000, "resend on the other pipe");
    expect(must(other.peers[0]).frames[0]).toEqual(sent);
    must(other.peers[0]).write(reply(idOf(sent), "done"));
    expect((await req.recv()).toString()).toBe("done");
  });

  it("new request cancels the old one and drops its late reply", async () => {
    const { req, peer } = await setupReq();
    await req.send("old");
    const pending = req.recv();
    await req.send("new");
    await expectCode(pending, "ECANCELED");
    await waitFor(() => peer.frames.length === 2);
    const [oldF, newF] = peer.frames as [Buffer, Buffer];
    const got = req.recv();
    peer.write(reply(idOf(oldF), "late"));
    peer.write(reply(idOf(newF), "fresh"));
    expect((await got).toString()).toBe("fresh");
    await waitFor(() => (req.getStats().rxDropped ?? 0) >= 1);
  });

  it("ignores short replies and replies without the top bit", async () => {
    const { req, peer } = await setupReq();
    await req.send("q");
    await waitFor(() => peer.frames.length === 1);
    const id = idOf(must(peer.frames[0]));
    const got = req.recv();
    peer.write(frame(Buffer.from([0x80, 0])));
    peer.write(reply(id & 0x7fffffff, "no top bit"));
    peer.write(reply(id, "right"));
    expect((await got).toString()).toBe("right");
    expect(req.getStats().rxDropped).toBe(2);
  });

  it("keeps a reply that arrives before recv for the next recv", async () => {
    const { req, peer } = await setupReq();
    await req.send("q");
    await waitFor(() => peer.frames.length === 1);
    peer.write(reply(idOf(must(peer.frames[0])), "kept"));
    await waitFor(() => (req as unknown as { kept: unknown }).kept !== null);
    expect((await req.recv()).toString()).toBe("kept");
    await expectCode(req.recv(), "ESTATE");
  });

  it("recv with nothing outstanding fails with ESTATE", async () => {
    const req = req0();
    open.push(req);
    await expectCode(req.recv(), "ESTATE");
  });

  it("recv fails with ETIMEDOUT after recvTimeout", async () => {
    const { req } = await setupReq({ recvTimeout: 100 });
    await req.send("q");
    const t0 = Date.now();
    await expectCode(req.recv(), "ETIMEDOUT");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
  });

  it("balances requests round robin over its pipes", async () => {
    const a = await RawServer.start();
    const b = await RawServer.start();
    open.push(a, b);
    const req = req0();
    open.push(req);
    const dialers = [req.dial(a.url), req.dial(b.url)];
    await waitFor(() => a.peers.length === 1 && b.peers.length === 1);
    for (const s of [a, b]) must(s.peers[0]).write(spHeader(REP));
    await Promise.all(dialers.map((d) => d.connected));
    const pa = must(a.peers[0]);
    const pb = must(b.peers[0]);
    for (let i = 0; i < 4; i++) {
      await req.send(`m${i}`);
      await waitFor(() => pa.frames.length + pb.frames.length === i + 1);
      // Answer on whichever pipe carried it, so the next request may go out.
      const target = pa.frames.some((f) => f.subarray(4).toString() === `m${i}`) ? pa : pb;
      target.write(reply(idOf(must(target.frames.at(-1))), "r"));
      await req.recv();
    }
    expect(must(a.peers[0]).frames.length).toBe(2);
    expect(must(b.peers[0]).frames.length).toBe(2);
  });

  it("holds a request while its only pipe is backed up and drops a reply to it until it goes out", async () => {
    const { req, peer } = await setupReq();
    await req.send("zero");
    await waitFor(() => peer.frames.length === 1);
    const id0 = idOf(must(peer.frames[0]));
    peer.write(reply(id0, "ok"));
    expect((await req.recv()).toString()).toBe("ok");
    peer.socket.pause();
    // Far more than loopback buffers plus the pipe's high-water mark: the pipe backs up.
    await req.send(Buffer.alloc(16 * 1024 * 1024, 1));
    await req.send("second");
    const id2 = nextRequestId(nextRequestId(id0));
    // SP-REQREP-12: the second request waits for a pipe that can take it, so a reply
    // carrying its id cannot answer it yet and is dropped (SP-REQREP-6).
    const dropped = req.getStats().rxDropped ?? 0;
    peer.write(reply(id2, "forged"));
    await waitFor(() => (req.getStats().rxDropped ?? 0) > dropped, 5000, "the early reply dropped");
    peer.socket.resume();
    await waitFor(() => peer.frames.length === 3, 10000, "both requests");
    const second = must(peer.frames[2]);
    expect(second.subarray(4).toString()).toBe("second");
    expect(idOf(second)).toBe(id2);
    peer.write(reply(id2, "real"));
    expect((await req.recv()).toString()).toBe("real");
  });

  it("close is idempotent and fails pending recv with ECLOSED", async () => {
    const { req } = await setupReq();
    await req.send("q");
    const pending = req.recv();
    const c1 = req.close();
    const c2 = req.close();
    expect(c1).toBe(c2);
    await c1;
    await expectCode(pending, "ECLOSED");
    await expectCode(req.send("x"), "ECLOSED");
    await expectCode(req.recv(), "ECLOSED");
  });

  it("an injected draft whose resend row has no transmit stops resending", async () => {
    // Same compiled table, but the waiting/after:resendTime row keeps its target and drops `transmit`.
    const modified: ReqMachine = {
      ...reqCompiled,
      rows: reqCompiled.rows.map((r) =>
        r.id === "req:waiting:after:resendTime" ? { ...r, actions: [] } : r,
      ),
    };
    const { req, peer } = await setupReq({ resendTime: 50 }, { reqCompiled: modified });
    await req.send("once");
    await waitFor(() => peer.frames.length === 1);
    // Several resend periods pass; reaching them is observed through the actor's timer firing.
    const t0 = Date.now();
    await waitFor(() => Date.now() - t0 > 300, 1000);
    expect(peer.frames.length).toBe(1);
    const id = idOf(must(peer.frames[0]));
    peer.write(reply(id, "ok"));
    expect((await req.recv()).toString()).toBe("ok");
  });
});
