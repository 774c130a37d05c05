import { afterEach, describe, expect, it } from "vitest";
import { frame, RawPeer, spHeader, waitFor, words } from "../../../testkit/raw-peer.ts";
import { type Rep0Socket, rep0 } from "../../protocol/rep0/rep.ts";

const REQ = 0x30;
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function repWithListener(opts = {}): Promise<{ rep: Rep0Socket; url: string }> {
  const rep = rep0({ recvTimeout: 2000, ...opts });
  open.push(rep);
  const { url } = await rep.listen("tcp://127.0.0.1:0");
  return { rep, url };
}

async function peer(url: string): Promise<RawPeer> {
  const p = await RawPeer.connect(url);
  open.push(p);
  return p;
}

describe("tcp pipe", () => {
  it("sends its SP header at once and passes messages after a valid peer header", async () => {
    const { rep, url } = await repWithListener();
    const p = await peer(url);
    await waitFor(() => p.header !== null);
    expect(p.header).toEqual(Buffer.from([0, 0x53, 0x50, 0, 0, 0x31, 0, 0]));
    p.write(
      Buffer.concat([spHeader(REQ), frame(Buffer.concat([words(0x80000001), Buffer.from("hi")]))]),
    );
    expect((await rep.recv()).toString()).toBe("hi");
  });

  it.each([
    ["bad magic", spHeader(REQ, 0, [0, 0x53, 0x50, 1])],
    ["non-zero reserved bytes", spHeader(REQ, 1)],
    ["an incompatible peer protocol", spHeader(0x10)],
    ["a peer of the same protocol", spHeader(0x31)],
  ])("closes the connection on %s", async (_what, header) => {
    const { rep, url } = await repWithListener();
    const p = await peer(url);
    p.write(header);
    await p.waitEnded();
    expect(rep.getStats().rxBadHeader).toBe(1);
  });

  it("closes a connection that sends no header within the handshake timeout", async () => {
    const { url } = await repWithListener({ handshakeTimeout: 100 });
    const p = await peer(url);
    const t0 = Date.now();
    await p.waitEnded(2000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(80);
  });

  it("oversize frame closes the pipe and the socket keeps serving", async () => {
    const { rep, url } = await repWithListener({ recvMaxSize: 16 });
    const bad = await peer(url);
    const good = await peer(url);
    // Only the 8-byte length header of a 17-byte frame: the close must not wait for the payload.
    bad.write(Buffer.concat([spHeader(REQ), frame(Buffer.alloc(17)).subarray(0, 8)]));
    await bad.waitEnded();
    expect(rep.getStats().rxOversize).toBe(1);
    good.write(
      Buffer.concat([spHeader(REQ), frame(Buffer.concat([words(0x80000002), Buffer.from("ok")]))]),
    );
    expect((await rep.recv()).toString()).toBe("ok");
    await rep.send("fine");
    await waitFor(() => good.frames.length === 1);
    expect(good.frames[0]).toEqual(Buffer.concat([words(0x80000002), Buffer.from("fine")]));
    expect(good.ended).toBe(false);
  });

  it("accepts a frame exactly at the limit and applies a changed limit at once", async () => {
    const { rep, url } = await repWithListener({ recvMaxSize: 16 });
    const p = await peer(url);
    p.write(
      Buffer.concat([spHeader(REQ), frame(Buffer.concat([words(0x80000003), Buffer.alloc(12)]))]),
    );
    expect((await rep.recv()).length).toBe(12);
    rep.setOption("recv-size-max", 8);
    p.write(frame(Buffer.concat([words(0x80000004), Buffer.alloc(12)])));
    await p.waitEnded();
  });
});
