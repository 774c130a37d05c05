/**
 * Every bad-input class on a live socket: the offending connection alone is
 * closed (or its message dropped), the reason is a typed error in the pipe's
 * remove event and/or a counted statistic, and the socket keeps serving a
 * well-behaved peer right after.
 */
import { afterEach, describe, expect, test } from "vitest";
import { WebSocket } from "ws";
import type { SocketBase } from "../../reference/core/socket.ts";
import type { DetailStat } from "../../reference/core/stats.ts";
import { pair1, pub0, sub0 } from "../../reference/index.ts";
import { frame, RawPeer, spHeader, words } from "../../testkit/raw-peer.ts";
import { waitFor } from "../../testkit/wait.ts";
import { capturePipeEvents, echoRep, goodRoundTrip, ipcUrl, removeErrors } from "./wire.ts";

const REQ = 0x30;
const open: SocketBase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** A listening echo REP with captured pipe events. */
async function repAt(url: string) {
  const { rep } = echoRep({ recvMaxSize: 1024, reconnectMin: 20 });
  open.push(rep);
  const events = capturePipeEvents(rep);
  const l = await rep.listen(url);
  return { rep, events, url: l.url };
}

interface Attack {
  name: string;
  /** Bytes the attacker sends (after connecting). */
  bytes: Buffer;
  /** Statistic that must count it. */
  stat: DetailStat;
  /** Code in the pipe's remove event; undefined when the pipe never attached. */
  code?: string;
  ipc?: boolean;
}

const good = spHeader(REQ);
const attacks: Attack[] = [
  { name: "bad magic", bytes: spHeader(REQ, 0, [0x00, 0x53, 0x51, 0x00]), stat: "rxBadHeader" },
  {
    name: "bad version byte",
    bytes: spHeader(REQ, 0, [0x00, 0x53, 0x50, 0x01]),
    stat: "rxBadHeader",
  },
  { name: "non-zero reserved bytes", bytes: spHeader(REQ, 0x0100), stat: "rxBadHeader" },
  { name: "wrong peer protocol (SUB)", bytes: spHeader(0x21), stat: "rxBadHeader" },
  {
    name: "oversize frame",
    bytes: Buffer.concat([good, frame(Buffer.alloc(1025))]),
    stat: "rxOversize",
    code: "EMSGSIZE",
  },
  {
    name: "oversize length only (2^63), no payload",
    bytes: Buffer.concat([good, Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0])]),
    stat: "rxOversize",
    code: "EMSGSIZE",
  },
  {
    name: "backtrace without terminator",
    bytes: Buffer.concat([good, frame(Buffer.concat([words(1, 2), Buffer.from("x")]))]),
    stat: "rxMalformed",
    code: "EPROTO",
  },
  {
    name: "IPC type byte other than 1",
    bytes: Buffer.concat([good, Buffer.from([0x02]), frame(words(0x80000001))]),
    stat: "rxBadFrameType",
    code: "EPROTO",
    ipc: true,
  },
];

describe("bad input on a live socket closes only the offending connection", () => {
  for (const a of attacks) {
    test(`REP: ${a.name}`, async () => {
      const { rep, events, url } = await repAt(a.ipc ? ipcUrl("bad") : "tcp://127.0.0.1:0");
      const bad = await RawPeer.connect(url);
      bad.write(a.bytes);
      await bad.waitEnded();
      await waitFor(() => (rep.getStats()[a.stat] ?? 0) === 1, 2000, a.stat);
      if (a.code) {
        await waitFor(() => removeErrors(events).length === 1, 2000, "the remove event");
        expect(removeErrors(events)[0]?.code).toBe(a.code);
      }
      expect(rep.stats().socket.protocolErrors).toBe(1);
      // The socket lives on: a good peer is served right after.
      expect(await goodRoundTrip(url)).toBeLessThan(2000);
      expect(rep.isClosed).toBe(false);
    });
  }

  test("REP: a truncated frame then close is a plain disconnect", async () => {
    const { rep, events, url } = await repAt("tcp://127.0.0.1:0");
    const bad = await RawPeer.connect(url);
    bad.write(Buffer.concat([good, frame(Buffer.alloc(100)).subarray(0, 20)]));
    await waitFor(() => events.some((e) => e.type === "add"), 2000, "attach");
    bad.socket.end();
    await waitFor(() => events.some((e) => e.type === "remove"), 2000, "detach");
    expect(removeErrors(events)).toEqual([]);
    expect(rep.stats().socket.protocolErrors).toBe(0);
    expect(await goodRoundTrip(url)).toBeLessThan(2000);
  });

  test("PAIR v1: hop 0 and too many hops are dropped and counted; reserved bits close", async () => {
    const pair = pair1({ maxTtl: 8 });
    open.push(pair);
    const events = capturePipeEvents(pair);
    const { url } = await pair.listen("tcp://127.0.0.1:0");
    const peer = await RawPeer.connect(url);
    peer.write(spHeader(0x11));
    peer.write(frame(Buffer.concat([words(0), Buffer.from("hop0")])));
    peer.write(frame(Buffer.concat([words(9), Buffer.from("ttl")])));
    peer.write(frame(Buffer.concat([words(1), Buffer.from("fine")])));
    expect((await pair.recv()).toString()).toBe("fine");
    expect(pair.getStats().rxHopZero).toBe(1);
    expect(pair.getStats().rxTtlExceeded).toBe(1);
    expect(peer.ended).toBe(false);
    peer.write(frame(Buffer.concat([words(0x0100_0001), Buffer.from("bad")])));
    await peer.waitEnded();
    await waitFor(() => removeErrors(events).length === 1, 2000, "the remove event");
    expect(removeErrors(events)[0]?.code).toBe("EPROTO");
    expect(pair.getStats().rxMalformed).toBe(1);
    // The peer slot is free again: a well-behaved PAIR v1 peer gets through.
    const next = await RawPeer.connect(url);
    next.write(spHeader(0x11));
    next.write(frame(Buffer.concat([words(1), Buffer.from("again")])));
    expect((await pair.recv()).toString()).toBe("again");
    next.socket.destroy();
  });

  test("PUB: data from a subscriber closes that subscriber only", async () => {
    const pub = pub0();
    open.push(pub);
    const events = capturePipeEvents(pub);
    const { url } = await pub.listen("tcp://127.0.0.1:0");
    const sub = sub0({ reconnectMin: 20 });
    open.push(sub);
    sub.subscribe("");
    await sub.dial(url).connected;
    const bad = await RawPeer.connect(url);
    bad.write(spHeader(0x21));
    bad.write(frame(Buffer.from("not allowed")));
    await bad.waitEnded();
    await waitFor(() => removeErrors(events).length === 1, 2000, "the remove event");
    expect(removeErrors(events)[0]?.code).toBe("EPROTO");
    expect(pub.getStats().rxUnexpected).toBe(1);
    await waitFor(() => pub.stats().socket.pipesOpen === 1, 2000, "good subscriber attached");
    await pub.send("still here");
    expect((await sub.recv()).toString()).toBe("still here");
  });

  test("ws: a TEXT frame closes that connection with 1003, EPROTO, counted", async () => {
    const { rep, events, url } = await repAt("ws://127.0.0.1:0/hard");
    const ws = new WebSocket(url, ["rep.sp.nanomsg.org"]);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    ws.send("text is not allowed");
    expect(await closed).toBe(1003);
    await waitFor(() => removeErrors(events).length === 1, 2000, "the remove event");
    expect(removeErrors(events)[0]?.code).toBe("EPROTO");
    expect(rep.getStats().rxText).toBe(1);
    expect(await goodRoundTrip(url)).toBeLessThan(2000);
  });
});
