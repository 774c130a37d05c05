import { describe, expect, it } from "vitest";
import { frame, spHeader, waitFor, words } from "../../../testkit/raw-peer.ts";
import { socketFixture } from "../../../testkit/socket-fixture.ts";
import { pair0 } from "../pair0/pair.ts";
import { parsePair1 } from "./header.ts";
import { pair1 } from "./pair.ts";

const PAIR1 = 0x11;
const { track, listen, rawPeer } = socketFixture(PAIR1);
const listening = (opts = {}) => listen(pair1({ recvTimeout: 2000, ...opts }));

const msg = (word: number, body: string) => frame(Buffer.concat([words(word), Buffer.from(body)]));

describe("pair1 header", () => {
  it("delivers exactly hop counts 1..maxHops with zero reserved bits", () => {
    for (let hop = 0; hop <= 255; hop++) {
      const r = parsePair1(Buffer.concat([words(hop), Buffer.from("x")]), 8);
      expect(r.kind === "ok", `hop ${hop}`).toBe(hop >= 1 && hop <= 8);
    }
    expect(parsePair1(words(0x101), 8).kind).toBe("malformed");
    expect(parsePair1(Buffer.from([0, 0, 1]), 8).kind).toBe("malformed");
    expect(parsePair1(words(0), 8).kind).toBe("hopZero");
    expect(parsePair1(words(9), 8).kind).toBe("tooManyHops");
  });
});

describe("pair1", () => {
  it("pair1 sends hop count 1 and strips the header on receipt", async () => {
    const { sock, url } = await listening();
    const p = await rawPeer(url);
    expect(p.header).toEqual(spHeader(PAIR1));
    await sock.send("out");
    await waitFor(() => p.frames.length === 1);
    expect(p.frames[0]).toEqual(Buffer.concat([words(1), Buffer.from("out")]));
    p.write(msg(3, "in"));
    expect((await sock.recv()).toString()).toBe("in");
  });

  it("pair1 drops a message over the hop limit and keeps the pipe", async () => {
    const { sock, url } = await listening({ maxTtl: 4 });
    const p = await rawPeer(url);
    p.write(msg(5, "too far"));
    p.write(msg(4, "just right"));
    expect((await sock.recv()).toString()).toBe("just right");
    expect(sock.getStats().rxTtlExceeded).toBe(1);
    expect(p.ended).toBe(false);
  });

  it("pair1 drops hop count 0", async () => {
    const { sock, url } = await listening();
    const p = await rawPeer(url);
    p.write(msg(0, "wrapped"));
    p.write(msg(1, "fine"));
    expect((await sock.recv()).toString()).toBe("fine");
    expect(sock.getStats().rxHopZero).toBe(1);
    expect(p.ended).toBe(false);
  });

  it("pair1 closes the pipe on a malformed header and takes a new peer", async () => {
    const { sock, url } = await listening();
    const bad = await rawPeer(url);
    bad.write(msg(0x0100_0001, "reserved bits"));
    await bad.waitEnded();
    const short = await rawPeer(url);
    short.write(frame(Buffer.from([0, 1])));
    await short.waitEnded();
    expect(sock.getStats().rxMalformed).toBe(2);
    const good = await rawPeer(url);
    good.write(msg(1, "ok"));
    expect((await sock.recv()).toString()).toBe("ok");
  });

  it("pair1 rejects a second peer and keeps the first", async () => {
    const { sock, url } = await listening();
    const first = await rawPeer(url);
    await waitFor(() => sock.peerPipeId !== undefined);
    const second = await rawPeer(url);
    await second.waitEnded();
    first.write(msg(1, "first"));
    expect((await sock.recv()).toString()).toBe("first");
  });

  it("pair1 and pair0 do not connect", async () => {
    const { url } = await listening();
    const v0 = await rawPeer(url, 0x10);
    await v0.waitEnded();
    const a = track(pair0({ sendTimeout: 100 }));
    a.dial(url, undefined);
    await expect(a.send("x")).rejects.toMatchObject({ code: "ETIMEDOUT" });
  });

  it("ttl-max is settable by its nng name within 1..255 (nanomsg's NN_MAXTTL range)", async () => {
    const { sock } = await listening();
    sock.setOption("ttl-max", 15);
    expect(sock.getOption("maxTtl")).toBe(15);
    sock.setOption("ttl-max", 255);
    expect(sock.getOption("maxTtl")).toBe(255);
    expect(() => sock.setOption("ttl-max", 256)).toThrow();
    expect(() => sock.setOption("ttl-max", 0)).toThrow();
  });

  it("two pair1 sockets talk over TCP", async () => {
    const { sock: a, url } = await listening();
    const b = track(pair1({ recvTimeout: 2000 }));
    b.dial(url);
    await b.send("ping");
    expect((await a.recv()).toString()).toBe("ping");
    await a.send("pong");
    expect((await b.recv()).toString()).toBe("pong");
  });
});
