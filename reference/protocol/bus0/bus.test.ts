import { describe, expect, it } from "vitest";
import { frame, type RawPeer, spHeader, waitFor } from "../../../testkit/raw-peer.ts";
import { socketFixture } from "../../../testkit/socket-fixture.ts";
import { SPError } from "../../core/errors.ts";
import { bus0 } from "./bus.ts";

const BUS = 0x70;
const { track, listen, rawPeer } = socketFixture(BUS);
const listening = (opts = {}) => listen(bus0({ recvTimeout: 2000, ...opts }));

describe("bus0", () => {
  it("bus delivers to every peer", async () => {
    const { sock, url } = await listening();
    const peers = [await rawPeer(url), await rawPeer(url), await rawPeer(url)];
    expect(peers[0]?.header).toEqual(spHeader(BUS));
    // The IUT attaches a pipe once it has our header; wait until all three are in.
    await waitFor(() => {
      void sock.send("probe");
      return peers.every((p) => p.frames.length > 0);
    });
    await sock.send("all");
    const alls = (p: RawPeer) => p.frames.filter((f) => f.toString() === "all").length;
    await waitFor(() => peers.every((p) => alls(p) === 1));
    await new Promise((r) => setTimeout(r, 30));
    for (const p of peers) expect(alls(p)).toBe(1);
  });

  it("bus delivers to every peer but the sender", async () => {
    const { sock: hub, url } = await listening();
    const a = track(bus0({ recvTimeout: 300 }));
    const b = track(bus0({ recvTimeout: 2000 }));
    const c = track(bus0({ recvTimeout: 2000 }));
    await Promise.all([a.dial(url).connected, b.dial(url).connected, c.dial(url).connected]);
    // b speaks: only the hub (its one direct peer) hears it; nothing is forwarded to a or c,
    // and b does not hear itself.
    await b.send("from b");
    expect((await hub.recv()).toString()).toBe("from b");
    const timedOut = (e: unknown) => e instanceof SPError && e.code === "ETIMEDOUT";
    await expect(a.recv()).rejects.toSatisfy(timedOut);
    b.setOption("recvTimeout", 100);
    await expect(b.recv()).rejects.toSatisfy(timedOut);
    b.setOption("recvTimeout", 2000);
    // The hub speaks: everyone directly connected hears it once.
    await hub.send("from hub");
    expect((await b.recv()).toString()).toBe("from hub");
    expect((await c.recv()).toString()).toBe("from hub");
    expect((await a.recv()).toString()).toBe("from hub");
  });

  it("bus drops messages for a peer that does not read and still serves the others", async () => {
    const { sock, url } = await listening();
    const stuck = await rawPeer(url);
    const fine = await rawPeer(url);
    stuck.socket.pause();
    await waitFor(() => {
      void sock.send("probe");
      return fine.frames.length > 0;
    });
    const big = Buffer.alloc(512 * 1024, 7);
    for (let i = 0; i < 80 && sock.getStats().txDropped === undefined; i++) {
      await sock.send(big);
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(sock.getStats().txDropped).toBeGreaterThan(0);
    await sock.send("after");
    await waitFor(() => fine.frames.some((f) => f.toString() === "after"), 5000);
  });

  it("bus send without peers completes at once", async () => {
    const { sock } = await listening();
    await sock.send("nobody");
  });

  it("bus receives from any peer and accepts empty messages", async () => {
    const { sock, url } = await listening();
    const a = await rawPeer(url);
    const b = await rawPeer(url);
    a.write(frame(Buffer.from("a")));
    expect((await sock.recv()).toString()).toBe("a");
    b.write(frame(Buffer.alloc(0)));
    expect((await sock.recv()).length).toBe(0);
  });

  it("bus rejects a peer of another protocol", async () => {
    const { url } = await listening();
    const p = await rawPeer(url, 0x10);
    await p.waitEnded();
  });

  it("close fails a pending recv with ECLOSED", async () => {
    const sock = track(bus0());
    const r = sock.recv();
    await sock.close();
    await expect(r).rejects.toSatisfy((e) => e instanceof SPError && e.code === "ECLOSED");
  });
});
