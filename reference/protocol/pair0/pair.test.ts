import { describe, expect, it } from "vitest";
import { frame, spHeader, waitFor } from "../../../testkit/raw-peer.ts";
import { socketFixture } from "../../../testkit/socket-fixture.ts";
import { SPError } from "../../core/errors.ts";
import { pair0 } from "./pair.ts";

const PAIR0 = 0x10;
const { track, listen, rawPeer } = socketFixture(PAIR0);
const listening = (opts = {}) => listen(pair0({ recvTimeout: 2000, ...opts }));

async function expectCode(p: Promise<unknown>, code: string) {
  await expect(p).rejects.toSatisfy((e) => e instanceof SPError && e.code === code);
}

describe("pair0", () => {
  it("pair0 sends and receives bodies without a header", async () => {
    const { sock, url } = await listening();
    const p = await rawPeer(url);
    expect(p.header).toEqual(spHeader(PAIR0));
    p.write(frame(Buffer.from("abc")));
    expect((await sock.recv()).toString()).toBe("abc");
    await sock.send("xyz");
    await waitFor(() => p.frames.length === 1);
    expect(p.frames[0]?.toString()).toBe("xyz");
  });

  it("pair0 rejects a second peer and keeps the first", async () => {
    const { sock, url } = await listening();
    const first = await rawPeer(url);
    await waitFor(() => sock.peerPipeId !== undefined);
    const second = await rawPeer(url);
    await second.waitEnded();
    expect(sock.getStats().rejectAlreadyPaired).toBe(1);
    first.write(frame(Buffer.from("still here")));
    expect((await sock.recv()).toString()).toBe("still here");
    await sock.send("yes");
    await waitFor(() => first.frames.length === 1);
    expect(first.ended).toBe(false);
  });

  it("pair0 takes a new peer after the first one left", async () => {
    const { sock, url } = await listening();
    const first = await rawPeer(url);
    await waitFor(() => sock.peerPipeId !== undefined);
    const firstId = sock.peerPipeId;
    first.close();
    await waitFor(() => sock.peerPipeId === undefined);
    const next = await rawPeer(url);
    await waitFor(() => sock.peerPipeId !== undefined && sock.peerPipeId !== firstId);
    next.write(frame(Buffer.from("new")));
    expect((await sock.recv()).toString()).toBe("new");
  });

  it("send blocks until a pair peer connects", async () => {
    const { sock, url } = await listening();
    let done = false;
    const sending = sock.send("early").then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    const p = await rawPeer(url);
    await sending;
    await waitFor(() => p.frames.length === 1);
    expect(p.frames[0]?.toString()).toBe("early");
  });

  it("parked sends go out in order once the peer arrives", async () => {
    const { sock, url } = await listening();
    const sends = ["1", "2", "3"].map((m) => sock.send(m));
    const p = await rawPeer(url);
    await Promise.all(sends);
    await sock.send("4");
    await waitFor(() => p.frames.length === 4);
    expect(p.frames.map((f) => f.toString())).toEqual(["1", "2", "3", "4"]);
  });

  it("send blocks while the peer does not read, then resumes in order", async () => {
    const { sock, url } = await listening();
    const p = await rawPeer(url);
    await waitFor(() => sock.peerPipeId !== undefined);
    p.socket.pause();
    const big = Buffer.alloc(512 * 1024, 1);
    let blocked: Promise<void> | undefined;
    for (let i = 0; i < 80 && !blocked; i++) {
      const s = sock.send(big);
      const quick = await Promise.race([s.then(() => true), new Promise((r) => setTimeout(r, 20))]);
      if (quick !== true) blocked = s;
    }
    expect(blocked, "a send should wait for the non-reading peer").toBeDefined();
    const last = sock.send("last");
    p.socket.resume();
    await blocked;
    await last;
    await waitFor(() => p.frames.at(-1)?.toString() === "last", 5000);
    expect(p.frames.slice(0, -1).every((f) => f.length === big.length)).toBe(true);
  });

  it("send without a peer fails with ETIMEDOUT after the send timeout", async () => {
    const { sock } = await listening({ sendTimeout: 50 });
    const t0 = performance.now();
    await expectCode(sock.send("nobody"), "ETIMEDOUT");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(40);
  });

  it("pair0 rejects a peer of another protocol", async () => {
    const { url } = await listening();
    const p = await rawPeer(url, 0x11);
    await p.waitEnded();
  });

  it("close fails pending send and recv with ECLOSED", async () => {
    const sock = track(pair0());
    const s = sock.send("x");
    const r = sock.recv();
    await sock.close();
    await expectCode(s, "ECLOSED");
    await expectCode(r, "ECLOSED");
  });

  it("two pair0 sockets talk over TCP", async () => {
    const { sock: a, url } = await listening();
    const b = track(pair0({ recvTimeout: 2000 }));
    b.dial(url);
    await b.send("ping");
    expect((await a.recv()).toString()).toBe("ping");
    await a.send("pong");
    expect((await b.recv()).toString()).toBe("pong");
  });
});
