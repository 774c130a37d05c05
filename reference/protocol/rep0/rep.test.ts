import { afterEach, describe, expect, it } from "vitest";
import { frame, must, RawPeer, spHeader, waitFor, words } from "../../../testkit/raw-peer.ts";
import { SPError } from "../../core/errors.ts";
import { splitBacktrace } from "./backtrace.ts";
import { type Rep0Socket, rep0 } from "./rep.ts";

const REQ = 0x30;
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function setupRep(opts = {}): Promise<{ rep: Rep0Socket; url: string }> {
  const rep = rep0({ recvTimeout: 2000, ...opts });
  open.push(rep);
  const { url } = await rep.listen("tcp://127.0.0.1:0");
  return { rep, url };
}

/** A raw REQ-side peer that has sent its header. */
async function reqPeer(url: string): Promise<RawPeer> {
  const p = await RawPeer.connect(url);
  open.push(p);
  p.write(spHeader(REQ));
  return p;
}

const request = (ws: number[], body: string) =>
  frame(Buffer.concat([words(...ws), Buffer.from(body)]));

async function expectCode(p: Promise<unknown>, code: string) {
  await expect(p).rejects.toSatisfy((e) => e instanceof SPError && e.code === code);
}

describe("backtrace parsing", () => {
  it("stops at the first word with the top bit", () => {
    const r = splitBacktrace(Buffer.concat([words(1, 2, 0x80000003), Buffer.from("x")]), 8);
    expect(r).toMatchObject({ kind: "ok", hops: 3 });
    if (r.kind === "ok") expect(r.body.toString()).toBe("x");
  });
  it("accepts exactly maxTtl words and refuses one more", () => {
    expect(splitBacktrace(words(1, 2, 0x80000003), 3).kind).toBe("ok");
    expect(splitBacktrace(words(1, 2, 3, 0x80000004), 3).kind).toBe("tooManyHops");
  });
  it("calls a message that ends first malformed", () => {
    expect(splitBacktrace(Buffer.from([0x80, 0, 0]), 8).kind).toBe("malformed");
    expect(splitBacktrace(words(1, 2), 8).kind).toBe("malformed");
  });
});

describe("rep0", () => {
  it("rep returns the backtrace unchanged", async () => {
    const { rep, url } = await setupRep();
    const p = await reqPeer(url);
    p.write(request([5, 7, 0x80000009], "question"));
    expect((await rep.recv()).toString()).toBe("question");
    await rep.send("answer");
    await waitFor(() => p.frames.length === 1);
    expect(p.frames[0]).toEqual(Buffer.concat([words(5, 7, 0x80000009), Buffer.from("answer")]));
  });

  it("rep drops a request over max hops and keeps the pipe", async () => {
    const { rep, url } = await setupRep({ maxTtl: 2 });
    const p = await reqPeer(url);
    p.write(request([1, 2, 0x80000003], "too far"));
    p.write(request([1, 0x80000004], "near"));
    expect((await rep.recv()).toString()).toBe("near");
    expect(rep.getStats().rxTtlExceeded).toBe(1);
    await rep.send("ok");
    await waitFor(() => p.frames.length === 1);
    expect(p.ended).toBe(false);
  });

  it("rep closes the pipe when the backtrace has no terminator", async () => {
    const { rep, url } = await setupRep();
    const bad = await reqPeer(url);
    const good = await reqPeer(url);
    bad.write(frame(Buffer.concat([words(1, 2), Buffer.from("x")])));
    await bad.waitEnded();
    expect(rep.getStats().rxMalformed).toBe(1);
    good.write(request([0x80000001], "still here"));
    expect((await rep.recv()).toString()).toBe("still here");
  });

  it("send with no request held fails with ESTATE", async () => {
    const { rep } = await setupRep();
    await expectCode(rep.send("nobody asked"), "ESTATE");
  });

  it("drops a reply silently when the request's pipe is gone", async () => {
    const { rep, url } = await setupRep();
    const p = await reqPeer(url);
    p.write(request([0x80000001], "q"));
    await rep.recv();
    p.close();
    await waitFor(() => (rep as unknown as { pipes: Set<unknown> }).pipes.size === 0);
    await rep.send("lost");
    expect(rep.getStats().txDropped).toBe(1);
    await expectCode(rep.send("again"), "ESTATE");
  });

  it("a new recv abandons the held request", async () => {
    const { rep, url } = await setupRep();
    const a = await reqPeer(url);
    const b = await reqPeer(url);
    a.write(request([0x80000001], "from a"));
    expect((await rep.recv()).toString()).toBe("from a");
    b.write(request([0x80000002], "from b"));
    expect((await rep.recv()).toString()).toBe("from b");
    await rep.send("to b");
    await waitFor(() => b.frames.length === 1);
    expect(must(b.frames[0]).readUInt32BE(0)).toBe(0x80000002);
    expect(a.frames).toHaveLength(0);
  });

  it("queues requests that arrive before recv and serves them in order", async () => {
    const { rep, url } = await setupRep();
    const p = await reqPeer(url);
    p.write(Buffer.concat([request([0x80000001], "one"), request([0x80000002], "two")]));
    expect((await rep.recv()).toString()).toBe("one");
    expect((await rep.recv()).toString()).toBe("two");
  });

  it("recv fails with ETIMEDOUT after recvTimeout", async () => {
    const { rep } = await setupRep({ recvTimeout: 50 });
    await expectCode(rep.recv(), "ETIMEDOUT");
  });

  it("close is idempotent and fails pending recv with ECLOSED", async () => {
    const { rep } = await setupRep({ recvTimeout: -1 });
    const pending = rep.recv();
    await Promise.all([rep.close(), rep.close()]);
    await expectCode(pending, "ECLOSED");
    await expectCode(rep.recv(), "ECLOSED");
  });

  it("for await yields requests and ends when the socket closes", async () => {
    const { rep, url } = await setupRep({ recvTimeout: -1 });
    const p = await reqPeer(url);
    p.write(Buffer.concat([request([0x80000001], "a"), request([0x80000002], "b")]));
    const seen: string[] = [];
    for await (const m of rep) {
      seen.push(m.toString());
      await rep.send(m);
      if (seen.length === 2) void rep.close();
    }
    expect(seen).toEqual(["a", "b"]);
  });
});
