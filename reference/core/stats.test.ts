import { afterEach, describe, expect, it } from "vitest";
import { frame, RawPeer, spHeader, waitFor, words } from "../../testkit/raw-peer.ts";
import { bus0 } from "../protocol/bus0/bus.ts";
import { rep0 } from "../protocol/rep0/rep.ts";
import { req0 } from "../protocol/req0/req.ts";
import type { SPError } from "./errors.ts";
import { allocatePipeId, type Pipe } from "./pipe.ts";
import type { SocketBase } from "./socket.ts";
import {
  DetailCounters,
  type DetailStat,
  newSocketCounters,
  type PipeEvent,
  type StatRow,
  statTable,
} from "./stats.ts";

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

describe("the stat table", () => {
  const rows = Object.entries(statTable) as [keyof typeof statTable, StatRow][];

  it("gives every statistic a class: summaries, and details that add to one summary or none", () => {
    const summaries = rows.filter(([, r]) => r.level === "summary").map(([n]) => n);
    expect(summaries).toEqual([
      "msgsIn",
      "msgsOut",
      "bytesIn",
      "bytesOut",
      "drops",
      "protocolErrors",
      "connects",
      "disconnects",
      "pipesOpen",
    ]);
    const perPipe = rows.filter(([, r]) => r.scope === "pipe").map(([n]) => n);
    expect(perPipe).toEqual(["msgsIn", "msgsOut", "bytesIn", "bytesOut"]);
    for (const [, r] of rows) if (r.level === "summary") expect(r.addsTo).toBeUndefined();
    const into = (n: DetailStat) => (statTable[n] as StatRow).addsTo;
    // PUSH's and PUB's discarded input are lost messages, as the docs say.
    expect(into("rxDiscarded")).toBe("drops");
    expect(into("rxUnexpected")).toBe("drops");
    expect(into("rxTtlExceeded")).toBe("drops");
    expect(into("rxMalformed")).toBe("protocolErrors");
    expect(into("rxOversize")).toBe("protocolErrors");
    expect(into("rxFiltered")).toBeUndefined();
    expect(into("dialFailed")).toBeUndefined();
  });

  it("adds each detail count to its summary", () => {
    const totals = newSocketCounters();
    const d = new DetailCounters(totals);
    d.count("txDropped");
    d.count("txDropped");
    d.count("rxBadHeader");
    d.count("txRequeued");
    expect(d.snapshot()).toEqual({ txDropped: 2, rxBadHeader: 1, txRequeued: 1 });
    expect(totals).toMatchObject({ drops: 2, protocolErrors: 1 });
  });
});

/** A transport pipe as simple as can be: records what it is given. */
class PlainPipe implements Pipe {
  readonly id = allocatePipeId();
  readonly peer = 0x70;
  isClosed = false;
  readonly closed = new Promise<SPError | undefined>(() => {});
  readonly writable = true;
  onMessage: ((msg: Buffer) => void) | null = null;
  onWritable: (() => void) | null = null;
  readonly sent: Buffer[] = [];
  send(first: Uint8Array, second?: Uint8Array): boolean {
    this.sent.push(Buffer.concat(second ? [first, second] : [first]));
    return true;
  }
  pauseReading(): void {}
  resumeReading(): void {}
  close(): void {
    this.isClosed = true;
  }
}

describe("per-pipe counting", () => {
  it("counts through the socket's view of the pipe and leaves the transport's pipe as it is", async () => {
    const bus = bus0({ recvTimeout: 1000 }, { transports: [] });
    open.push(bus);
    const pipe = new PlainPipe();
    const ownSend = pipe.send;
    bus.attachPipe(pipe);
    // Nothing replaced: the same send, and onMessage still a plain field.
    expect(pipe.send).toBe(ownSend);
    expect(Object.hasOwn(pipe, "send")).toBe(false);
    expect(Object.getOwnPropertyDescriptor(pipe, "onMessage")).toHaveProperty("writable", true);
    pipe.onMessage?.(Buffer.from("hello"));
    expect((await bus.recv()).toString()).toBe("hello");
    await bus.send("abc");
    expect(pipe.sent.map(String)).toEqual(["abc"]);
    const { socket, pipes } = bus.stats();
    expect(socket).toMatchObject({ msgsIn: 1, bytesIn: 5, msgsOut: 1, bytesOut: 3, pipesOpen: 1 });
    expect(pipes).toEqual([
      { id: pipe.id, peer: 0x70, url: undefined, msgsIn: 1, bytesIn: 5, msgsOut: 1, bytesOut: 3 },
    ]);
    bus.detachPipe(pipe);
    expect(pipe.onMessage).toBeNull();
    expect(bus.stats().socket).toMatchObject({ disconnects: 1, pipesOpen: 0, msgsIn: 1 });
  });
});
