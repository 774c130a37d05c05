import { afterEach, describe, expect, it } from "vitest";
import { rep0 } from "../protocol/rep0/rep.ts";
import { req0 } from "../protocol/req0/req.ts";
import { frame, RawPeer, spHeader, waitFor, words } from "../../testkit/raw-peer.ts";
import type { SocketBase } from "./socket.ts";
import type { PipeEvent } from "./stats.ts";

const open: SocketBase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe("socket statistics and pipe events", () => {
  it("counts messages and bytes per socket and per pipe", async () => {
    const rep = rep0({ recvTimeout: 3000 });
    const req = req0({ recvTimeout: 3000 });
    open.push(rep, req);
    const { url } = await rep.listen("tcp://127.0.0.1:0");
    await req.dial(url).connected;
    for (let i = 0; i < 3; i++) {
      await req.send("12345");
      await rep.send(await rep.recv());
      await req.recv();
    }
    const s = req.stats();
    // Each request is 4 id bytes + 5 body bytes, and so is each reply.
    expect(s.socket).toMatchObject({ msgsOut: 3, msgsIn: 3, bytesOut: 27, bytesIn: 27 });
    expect(s.socket).toMatchObject({ connects: 1, disconnects: 0, pipesOpen: 1 });
    expect(s.pipes).toHaveLength(1);
    expect(s.pipes[0]).toMatchObject({ peer: 0x31, msgsIn: 3, msgsOut: 3, bytesIn: 27 });
    expect(rep.stats().pipes[0]?.peer).toBe(0x30);
    expect(rep.stats().socket).toMatchObject({ msgsIn: 3, msgsOut: 3 });
  });

  it("reports pipe add and remove with the typed error that removed the pipe", async () => {
    const rep = rep0({ recvTimeout: 3000 });
    open.push(rep);
    const { url } = await rep.listen("tcp://127.0.0.1:0");
    const events: PipeEvent[] = [];
    const reading = (async () => {
      for await (const ev of rep.pipeEvents()) events.push(ev);
    })();
    const peer = await RawPeer.connect(url);
    peer.write(spHeader(0x30));
    await waitFor(() => events.length === 1, 3000, "add event");
    expect(events[0]).toMatchObject({ type: "add", pipe: { peer: 0x30 } });
    // A request without a request id (SP-REQREP-14) closes that pipe with EPROTO.
    peer.write(frame(words(1, 2)));
    await waitFor(() => events.length === 2, 3000, "remove event");
    const removed = events[1];
    expect(removed?.type).toBe("remove");
    expect(removed?.pipe.id).toBe(events[0]?.pipe.id);
    expect(removed?.type === "remove" && removed.error?.code).toBe("EPROTO");
    expect(rep.stats().socket).toMatchObject({ protocolErrors: 1, disconnects: 1, pipesOpen: 0 });
    expect(rep.getStats().rxMalformed).toBe(1);
    peer.close();
    await rep.close();
    await reading; // the iteration ends when the socket closes
  });

  it("counts dropped messages (TTL exceeded) and keeps the pipe", async () => {
    const rep = rep0({ recvTimeout: 3000, maxTtl: 2 });
    open.push(rep);
    const { url } = await rep.listen("tcp://127.0.0.1:0");
    const peer = await RawPeer.connect(url);
    peer.write(spHeader(0x30));
    await waitFor(() => rep.stats().socket.pipesOpen === 1, 3000, "pipe");
    peer.write(frame(words(1, 2, 0x80000001)));
    await waitFor(() => rep.stats().socket.drops === 1, 3000, "drop counted");
    expect(rep.stats().socket.pipesOpen).toBe(1);
    peer.close();
  });
});
