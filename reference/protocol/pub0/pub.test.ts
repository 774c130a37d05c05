import { afterEach, describe, expect, it } from "vitest";
import { frame, RawPeer, spHeader, waitFor } from "../../../testkit/raw-peer.ts";
import { SPError } from "../../core/errors.ts";
import type { SocketBase } from "../../core/socket.ts";
import { type Sub0Socket, sub0 } from "../sub0/sub.ts";
import { type Pub0Socket, pub0 } from "./pub.ts";

const SUB = 0x21;
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function setupPub(): Promise<{ pub: Pub0Socket; url: string }> {
  const pub = pub0();
  open.push(pub);
  const { url } = await pub.listen("tcp://127.0.0.1:0");
  return { pub, url };
}

async function subscriber(url: string, topic = ""): Promise<Sub0Socket> {
  const sub = sub0({ recvTimeout: 3000 });
  open.push(sub);
  sub.subscribe(topic);
  await sub.dial(url).connected;
  return sub;
}

async function rawSub(url: string): Promise<RawPeer> {
  const p = await RawPeer.connect(url);
  open.push(p);
  p.write(spHeader(SUB));
  return p;
}

describe("pub0", () => {
  it("pub sends every message to every subscriber, with no header", async () => {
    const { pub, url } = await setupPub();
    const a = await subscriber(url);
    const b = await subscriber(url);
    const raw = await rawSub(url);
    await waitFor(() => pub.subscriberCount === 3);
    await pub.send("hello");
    expect((await a.recv()).toString()).toBe("hello");
    expect((await b.recv()).toString()).toBe("hello");
    await waitFor(() => raw.frames.length === 1);
    expect(raw.header?.readUInt16BE(4)).toBe(0x20);
    expect(raw.frames[0]?.toString()).toBe("hello");
  });

  it("pub send succeeds with no subscriber at all", async () => {
    const { pub } = await setupPub();
    await expect(pub.send("into the void")).resolves.toBeUndefined();
  });

  it("pub skips a subscriber whose backlog is full and keeps serving the others", async () => {
    const { pub, url } = await setupPub();
    const good = await subscriber(url);
    good.setOption("recvMaxSize", 0);
    const stalled = await rawSub(url);
    stalled.socket.pause(); // never reads: the kernel buffers fill, then the pipe's backlog
    await waitFor(() => pub.subscriberCount === 2);
    const big = Buffer.alloc(256 * 1024, 7);
    let sent = 0;
    // Paced by the good subscriber, so only the stalled one falls behind.
    while ((pub.getStats().txDropped ?? 0) === 0 && sent < 400) {
      await pub.send(big);
      sent++;
      expect((await good.recv()).length).toBe(big.length);
    }
    expect(pub.getStats().txDropped).toBeGreaterThan(0);
    // The good subscriber still gets everything that follows.
    for (let i = 0; i < 5; i++) {
      await pub.send(`after ${i}`);
      expect((await good.recv()).toString()).toBe(`after ${i}`);
    }
  }, 20000);

  it("a publishing loop that never yields still refreshes a pipe that was full once (SP-PUBSUB-23)", async () => {
    // A pipe like a TCP pipe in Node: full after 10 queued messages, and it learns that the
    // kernel took them only when the event loop gets a turn (a write-completion callback).
    const pub = pub0();
    open.push(pub);
    const got: number[] = [];
    let queued = 0;
    let draining = false;
    const pipe = {
      id: 7,
      peer: 0x21,
      isClosed: false,
      closed: new Promise<undefined>(() => {}),
      copyLimit: 65536,
      onMessage: null,
      onWritable: null,
      get writable() {
        if (queued < 10) return true;
        if (!draining) {
          draining = true;
          setImmediate(() => {
            queued = 0;
            draining = false;
          });
        }
        return false;
      },
      send(first: Uint8Array) {
        queued++;
        got.push(first[0] as number);
        return true;
      },
      pauseReading() {},
      resumeReading() {},
      close() {},
    };
    pub.attachPipe(pipe);
    for (let i = 0; i < 250; i++) await pub.send(new Uint8Array([i]));
    // Without a turn of the event loop now and then, only the first 10 would have gone out.
    expect(got.length).toBeGreaterThan(30);
    expect(got.at(-1)).toBeGreaterThan(200);
    expect(got).toEqual([...got].sort((a, b) => a - b));
  });

  it("data sent into a pub closes that pipe only", async () => {
    const { pub, url } = await setupPub();
    const good = await subscriber(url);
    const bad = await rawSub(url);
    await waitFor(() => pub.subscriberCount === 2);
    bad.write(frame(Buffer.from("I am not supposed to talk")));
    await bad.waitEnded();
    await waitFor(() => pub.subscriberCount === 1);
    expect(pub.getStats().rxUnexpected).toBe(1);
    expect(pub.stats().socket.drops).toBe(1);
    await pub.send("still here");
    expect((await good.recv()).toString()).toBe("still here");
  });

  it("pub recv fails with ENOTSUP", async () => {
    const { pub } = await setupPub();
    await expect((pub as SocketBase).recv()).rejects.toSatisfy(
      (e) => e instanceof SPError && e.code === "ENOTSUP",
    );
  });

  it("pub refuses a peer that is not SUB", async () => {
    const { pub, url } = await setupPub();
    const p = await RawPeer.connect(url);
    open.push(p);
    p.write(spHeader(0x20)); // another PUB
    await p.waitEnded();
    expect(pub.subscriberCount).toBe(0);
  });
});
