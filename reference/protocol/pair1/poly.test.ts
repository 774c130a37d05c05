import { describe, expect, it } from "vitest";
import { frame, waitFor, words } from "../../../testkit/raw-peer.ts";
import { socketFixture } from "../../../testkit/socket-fixture.ts";
import { pair1 } from "./pair.ts";
import { pair1poly } from "./poly.ts";

const PAIR1 = 0x11;
const { track, listen, rawPeer } = socketFixture(PAIR1);
const hub = (opts = {}) => listen(pair1poly({ recvTimeout: 2000, ...opts }));

const msg = (hop: number, body: string) => frame(Buffer.concat([words(hop), Buffer.from(body)]));

describe("pair1poly", () => {
  it("pair1 poly accepts many peers and tells them apart", async () => {
    const { sock, url } = await hub();
    const a = await rawPeer(url);
    const b = await rawPeer(url);
    await waitFor(() => sock.pipeIds().length === 2);
    a.write(msg(1, "from a"));
    const ma = await sock.recvMsg();
    b.write(msg(1, "from b"));
    const mb = await sock.recvMsg();
    expect([ma.body.toString(), mb.body.toString()]).toEqual(["from a", "from b"]);
    expect(ma.pipe).not.toBe(mb.pipe);
    expect(a.ended || b.ended).toBe(false);
  });

  it("pair1 poly replies to the sender", async () => {
    const { sock, url } = await hub();
    const a = await rawPeer(url);
    const b = await rawPeer(url);
    await waitFor(() => sock.pipeIds().length === 2);
    b.write(msg(1, "question"));
    const { pipe } = await sock.recvMsg();
    expect(await sock.sendTo(pipe, "answer")).toBe(true);
    await waitFor(() => b.frames.length === 1);
    expect(b.frames[0]).toEqual(Buffer.concat([words(1), Buffer.from("answer")]));
    await new Promise((r) => setTimeout(r, 50));
    expect(a.frames.length).toBe(0);
  });

  it("pair1 poly discards a message for a pipe that is gone", async () => {
    const { sock, url } = await hub();
    const a = await rawPeer(url);
    a.write(msg(1, "bye"));
    const { pipe } = await sock.recvMsg();
    a.close();
    await waitFor(() => sock.pipeIds().length === 0);
    expect(await sock.sendTo(pipe, "too late")).toBe(false);
    expect(sock.getStats().txDropped).toBe(1);
  });

  it("pair1 poly send without peers is discarded, not blocked", async () => {
    const { sock } = await hub();
    await sock.send("into the void");
    expect(sock.getStats().txDropped).toBe(1);
  });

  it("pair1 poly applies the hop limit per message", async () => {
    const { sock, url } = await hub({ maxTtl: 2 });
    const a = await rawPeer(url);
    a.write(msg(3, "far"));
    a.write(msg(0, "zero"));
    a.write(msg(2, "near"));
    expect((await sock.recv()).toString()).toBe("near");
    expect(sock.getStats()).toMatchObject({ rxTtlExceeded: 1, rxHopZero: 1 });
  });

  it("a monogamous pair1 talks to a polyamorous one", async () => {
    const { sock, url } = await hub();
    const mono = track(pair1({ recvTimeout: 2000 }));
    mono.dial(url);
    await mono.send("hi hub");
    const m = await sock.recvMsg();
    await sock.sendTo(m.pipe, "hi mono");
    expect((await mono.recv()).toString()).toBe("hi mono");
  });
});
