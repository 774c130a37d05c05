import { afterEach, describe, expect, it } from "vitest";
import { frame, RawPeer, spHeader, waitFor } from "../../../testkit/raw-peer.ts";
import { SPError } from "../../core/errors.ts";
import type { SocketBase } from "../../core/socket.ts";
import { type Sub0Socket, sub0 } from "./sub.ts";

const PUB = 0x20;
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

/** A SUB listening, with a raw PUB peer connected to it. */
async function setup(
  internals: Parameters<typeof sub0>[1] = {},
): Promise<{ sub: Sub0Socket; pub: RawPeer }> {
  const sub = sub0({ recvTimeout: 2000 }, internals);
  open.push(sub);
  const { url } = await sub.listen("tcp://127.0.0.1:0");
  const pub = await RawPeer.connect(url);
  open.push(pub);
  pub.write(spHeader(PUB));
  await waitFor(() => pub.header !== null);
  return { sub, pub };
}

const publish = (pub: RawPeer, ...msgs: string[]) => {
  for (const m of msgs) pub.write(frame(Buffer.from(m)));
};

async function expectCode(p: Promise<unknown>, code: string) {
  await expect(p).rejects.toSatisfy((e) => e instanceof SPError && e.code === code);
}

describe("sub0", () => {
  it("sub drops messages that match no subscription", async () => {
    const { sub, pub } = await setup();
    sub.subscribe("weather.");
    publish(pub, "news: nothing", "weathe", "weather.paris 21C");
    expect((await sub.recv()).toString()).toBe("weather.paris 21C");
    expect(sub.getStats().rxFiltered).toBe(2);
  });

  it("empty topic matches everything", async () => {
    const { sub, pub } = await setup();
    sub.subscribe("");
    publish(pub, "a", "", "zzz");
    expect((await sub.recv()).toString()).toBe("a");
    expect((await sub.recv()).length).toBe(0);
    expect((await sub.recv()).toString()).toBe("zzz");
  });

  it("sub with no subscription delivers nothing", async () => {
    const { sub, pub } = await setup();
    sub.setOption("recvTimeout", 200);
    publish(pub, "x", "");
    await expectCode(sub.recv(), "ETIMEDOUT");
    await waitFor(() => sub.getStats().rxFiltered === 2);
  });

  it("unsubscribe stops delivery, and an unknown topic fails with EINVAL", async () => {
    const { sub, pub } = await setup();
    sub.subscribe("a");
    sub.subscribe("b");
    sub.unsubscribe("a");
    expect(() => sub.unsubscribe("a")).toThrow(SPError);
    expect(() => sub.unsubscribe("never")).toThrow(/not subscribed/);
    publish(pub, "a1", "b1");
    expect((await sub.recv()).toString()).toBe("b1");
    sub.unsubscribe("b");
    sub.setOption("recvTimeout", 200);
    publish(pub, "b2");
    await expectCode(sub.recv(), "ETIMEDOUT");
  });

  it("duplicate subscribe is idempotent: one unsubscribe removes it", async () => {
    const { sub } = await setup();
    sub.subscribe("t");
    sub.subscribe("t");
    sub.unsubscribe("t");
    expect(sub.topics.length).toBe(0);
    expect(() => sub.unsubscribe("t")).toThrow(SPError);
  });

  it("refcount mode needs as many unsubscribes as subscribes", async () => {
    const { sub } = await setup({ subscriptionMode: "refcount" });
    sub.subscribe("t");
    sub.subscribe("t");
    sub.unsubscribe("t");
    expect(sub.topics.length).toBe(1);
    sub.unsubscribe("t");
    expect(sub.topics.length).toBe(0);
  });

  it("setOption sub:subscribe and sub:unsubscribe take topic bytes", async () => {
    const { sub, pub } = await setup();
    sub.setOption("sub:subscribe", new Uint8Array([0, 1]));
    pub.write(frame(Buffer.from([0, 1, 2])));
    pub.write(frame(Buffer.from([0, 2])));
    expect([...(await sub.recv())]).toEqual([0, 1, 2]);
    sub.setOption("sub:unsubscribe", new Uint8Array([0, 1]));
    expect(sub.topics.length).toBe(0);
    // @ts-expect-error recvTimeout takes a number
    expect(() => sub.setOption("recvTimeout", Buffer.from("x"))).toThrow(SPError);
    sub.setOption("subscribe", "abc");
    expect(sub.topics.map((t) => Buffer.from(t).toString())).toEqual(["abc"]);
    // Bytes for a numeric option, a number for a topic: EINVAL at run time.
    expect(() => sub.setOptionDynamic("recv-timeout", Buffer.from("x"))).toThrow(
      expect.objectContaining({ code: "EINVAL" }),
    );
    expect(() => sub.setOptionDynamic("sub:subscribe", 5)).toThrow(
      expect.objectContaining({ code: "EINVAL" }),
    );
    // A topic has no value to read back.
    expect(() => sub.getOptionDynamic("sub:subscribe")).toThrow(
      expect.objectContaining({ code: "ENOTSUP" }),
    );
  });

  it("a full receive buffer stops reading the pipe, keeps it open and loses nothing (SP-PUBSUB-17)", async () => {
    const { sub, pub } = await setup({ recvQueueSize: 2 });
    sub.subscribe("");
    publish(pub, "1", "2", "3", "4");
    // Two messages fill the buffer; the pipe then hands the socket nothing more.
    await waitFor(() => sub.stats().socket.msgsIn === 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(sub.stats().socket.msgsIn).toBe(2);
    const got: string[] = [];
    for (let i = 0; i < 4; i++) got.push((await sub.recv()).toString());
    expect(got).toEqual(["1", "2", "3", "4"]);
    expect(sub.stats().socket.drops).toBe(0);
    expect(pub.ended).toBe(false);
  });

  it("unsubscribing purges queued messages that no longer match", async () => {
    const { sub, pub } = await setup();
    sub.subscribe("a");
    sub.subscribe("b");
    publish(pub, "a1", "b1");
    await new Promise((r) => setTimeout(r, 100));
    sub.unsubscribe("a");
    expect((await sub.recv()).toString()).toBe("b1");
  });

  it("sub never writes to its pipes and send fails with ENOTSUP", async () => {
    const { sub, pub } = await setup();
    sub.subscribe("");
    await expectCode((sub as SocketBase).send("x"), "ENOTSUP");
    publish(pub, "x");
    await sub.recv();
    expect(pub.frames.length).toBe(0);
  });

  it("close fails a pending recv with ECLOSED", async () => {
    const { sub } = await setup();
    sub.subscribe("");
    const r = expectCode(sub.recv(), "ECLOSED");
    await sub.close();
    await r;
  });
});
