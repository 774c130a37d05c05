/**
 * Receive flow control of every protocol that buffers what it receives
 * (framework draft, "Flow Control"): with an application that does not read,
 * each pipe's receive buffer fills up to its message or byte bound, then the
 * socket stops reading that pipe (SP-FRAMEWORK-22) — it drops nothing and
 * closes nothing — and reads it again at half (SP-FRAMEWORK-23), delivering
 * everything in order. Protocol rules: SP-PIPELINE-21, SP-PAIR-21,
 * SP-PUBSUB-17/-22, SP-REQREP-25, SP-SURVEY-27, SP-BUS-11; raw sockets follow
 * their cooked protocol.
 *
 * The pipes here are fakes that behave as a transport does: while paused they
 * hold what the peer sent, and on resume they hand it over in order, in a
 * microtask. A separate block repeats the essentials over real inproc and
 * TCP pipes.
 */
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../testkit/raw-peer.ts";
import { SPError } from "../core/errors.ts";
import type { SocketOptions } from "../core/options.ts";
import { allocatePipeId, type Pipe } from "../core/pipe.ts";
import type { SocketBase } from "../core/socket.ts";
import { device } from "../device.ts";
import { bus0 } from "./bus0/bus.ts";
import { xbus0 } from "./bus0/xbus.ts";
import { pair0 } from "./pair0/pair.ts";
import { xpair0 } from "./pair0/xpair.ts";
import { pair1 } from "./pair1/pair.ts";
import { pair1poly } from "./pair1/poly.ts";
import { xpair1 } from "./pair1/xpair.ts";
import { type Pull0Socket, pull0 } from "./pull0/pull.ts";
import { xpull0 } from "./pull0/xpull.ts";
import { push0 } from "./push0/push.ts";
import { xpush0 } from "./push0/xpush.ts";
import { type Rep0Socket, rep0 } from "./rep0/rep.ts";
import { xrep0 } from "./rep0/xrep.ts";
import { xreq0 } from "./req0/xreq.ts";
import { respondent0 } from "./respondent0/respondent.ts";
import { xrespondent0 } from "./respondent0/xrespondent.ts";
import { type Sub0Socket, sub0 } from "./sub0/sub.ts";
import { xsub0 } from "./sub0/xsub.ts";
import { xsurveyor0 } from "./surveyor0/xsurveyor.ts";

/**
 * A pipe as a transport presents it, driven by the test: `feed` is the peer
 * sending. Paused, it holds messages (as a connection's buffers would);
 * resumed, it hands them over in order, after the call returns.
 */
class FakePipe implements Pipe {
  readonly id = allocatePipeId();
  onMessage: ((msg: Buffer) => void) | null = null;
  onWritable: (() => void) | null = null;
  /** Whether the pipe's transport takes more; a closed pipe never does (Pipe contract). */
  ready = true;
  isClosed = false;
  readonly closed: Promise<SPError | undefined>;
  /** pauseReading / resumeReading calls, in order. */
  readonly calls: ("pause" | "resume")[] = [];
  /** What the peer sent that the socket has not been handed yet. */
  readonly held: Buffer[] = [];
  /** What the socket sent on this pipe. */
  readonly sent: Buffer[] = [];
  paused = false;
  private fed = 0;
  private resolveClosed!: (r: SPError | undefined) => void;

  get writable(): boolean {
    return this.ready && !this.isClosed;
  }

  constructor(
    private readonly host: SocketBase,
    readonly peer: number,
  ) {
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
  }

  /** Messages the socket has been handed so far. */
  get delivered(): number {
    return this.fed - this.held.length;
  }

  feed(...msgs: Buffer[]): void {
    this.fed += msgs.length;
    this.held.push(...msgs);
    this.pump();
  }

  send(first: Uint8Array, second?: Uint8Array): boolean {
    if (this.isClosed) return false;
    this.sent.push(Buffer.concat(second ? [first, second] : [first]));
    return true;
  }

  pauseReading(): void {
    this.calls.push("pause");
    this.paused = true;
  }

  resumeReading(): void {
    this.calls.push("resume");
    this.paused = false;
    queueMicrotask(() => this.pump());
  }

  close(reason?: SPError): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.resolveClosed(reason);
    this.host.detachPipe(this);
  }

  /** Becomes ready for sends again, as a transport's drain would tell. */
  drain(): void {
    this.ready = true;
    this.onWritable?.();
  }

  private pump(): void {
    while (!this.paused && !this.isClosed && this.held.length > 0) {
      this.onMessage?.(this.held.shift() as Buffer);
    }
  }
}

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

function track<T extends { close(): unknown }>(x: T): T {
  open.push(x);
  return x;
}

const settle = () => new Promise((r) => setImmediate(r));

/** Message `i` of the tests: its number in the first four bytes, `size` bytes in all. */
function numbered(i: number, size = 8): Buffer {
  const b = Buffer.alloc(Math.max(4, size));
  b.writeUInt32BE(i, 0);
  return b;
}

const word = (w: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(w >>> 0, 0);
  return b;
};
const withHeader = (h: Buffer) => (body: Buffer) => Buffer.concat([h, body]);
const asIs = (body: Buffer) => body;
const recvBody = (s: SocketBase) => s.recv();

type Opts = Partial<SocketOptions>;

/** One socket type under test: how to open it, who its peer is, what that peer sends. */
interface Case {
  readonly name: string;
  readonly open: (o: Opts) => SocketBase;
  /** Protocol number of the fake peer. */
  readonly peer: number;
  /** The payload the peer sends for `body`. */
  readonly wire: (body: Buffer) => Buffer;
  /** False for monogamous PAIR: a second pipe is refused. */
  readonly manyPipes: boolean;
  readonly prepare?: (s: SocketBase) => void;
}

const none = { transports: [] };
const cases: Case[] = [
  { name: "PULL", open: (o) => pull0(o, none), peer: 0x50, wire: asIs, manyPipes: true },
  { name: "PAIR v0", open: (o) => pair0(o, none), peer: 0x10, wire: asIs, manyPipes: false },
  {
    name: "PAIR v1",
    open: (o) => pair1(o, none),
    peer: 0x11,
    wire: withHeader(word(1)),
    manyPipes: false,
  },
  {
    name: "PAIR v1 polyamorous",
    open: (o) => pair1poly(o, none),
    peer: 0x11,
    wire: withHeader(word(1)),
    manyPipes: true,
  },
  { name: "BUS", open: (o) => bus0(o, none), peer: 0x70, wire: asIs, manyPipes: true },
  {
    name: "SUB",
    open: (o) => sub0(o, none),
    peer: 0x20,
    wire: asIs,
    manyPipes: true,
    prepare: (s) => (s as Sub0Socket).subscribe(""),
  },
  {
    name: "REP",
    open: (o) => rep0(o, none),
    peer: 0x30,
    wire: withHeader(word(0x80000001)),
    manyPipes: true,
  },
  {
    name: "RESPONDENT",
    open: (o) => respondent0(o, none),
    peer: 0x62,
    wire: withHeader(word(0x80000001)),
    manyPipes: true,
  },
  { name: "raw PULL", open: (o) => xpull0(o, none), peer: 0x50, wire: asIs, manyPipes: true },
  { name: "raw SUB", open: (o) => xsub0(o, none), peer: 0x20, wire: asIs, manyPipes: true },
  { name: "raw PAIR v0", open: (o) => xpair0(o, none), peer: 0x10, wire: asIs, manyPipes: false },
  {
    name: "raw PAIR v1",
    open: (o) => xpair1(o, none),
    peer: 0x11,
    wire: withHeader(word(1)),
    manyPipes: false,
  },
  { name: "raw BUS", open: (o) => xbus0(o, none), peer: 0x70, wire: asIs, manyPipes: true },
  {
    name: "raw REP",
    open: (o) => xrep0(o, none),
    peer: 0x30,
    wire: withHeader(word(0x80000001)),
    manyPipes: true,
  },
  {
    name: "raw RESPONDENT",
    open: (o) => xrespondent0(o, none),
    peer: 0x62,
    wire: withHeader(word(0x80000001)),
    manyPipes: true,
  },
  {
    name: "raw REQ",
    open: (o) => xreq0(o, none),
    peer: 0x31,
    wire: withHeader(word(0x80000001)),
    manyPipes: true,
  },
  {
    name: "raw SURVEYOR",
    open: (o) => xsurveyor0(o, none),
    peer: 0x63,
    wire: withHeader(word(0x80000001)),
    manyPipes: true,
  },
];

function setup(c: Case, o: Opts): { sock: SocketBase; pipe: FakePipe } {
  const sock = track(c.open(o));
  c.prepare?.(sock);
  const pipe = new FakePipe(sock, c.peer);
  sock.attachPipe(pipe);
  return { sock, pipe };
}

function feed(c: Case, pipe: FakePipe, from: number, to: number, size = 8): void {
  for (let i = from; i < to; i++) pipe.feed(c.wire(numbered(i, size)));
}

async function readNumbers(sock: SocketBase, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await recvBody(sock)).readUInt32BE(0));
  return out;
}

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i);

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toSatisfy((e) => e instanceof SPError && e.code === code);
}

describe.each(cases)("$name receive flow control (fake pipes)", (c) => {
  it("stops reading the pipe exactly at the message bound, drops nothing, resumes at half, keeps order", async () => {
    const { sock, pipe } = setup(c, { recvBuffer: 4 });
    feed(c, pipe, 0, 10);
    expect(pipe.calls).toEqual(["pause"]);
    expect(pipe.delivered).toBe(4);
    expect(await readNumbers(sock, 1)).toEqual([0]);
    await settle();
    expect(pipe.calls).toEqual(["pause"]); // 3 left: more than half of 4
    expect(await readNumbers(sock, 1)).toEqual([1]);
    await settle();
    // At half the pipe read again: the held messages came in, in order, up to the bound.
    expect(pipe.calls).toEqual(["pause", "resume", "pause"]);
    expect(pipe.delivered).toBe(6);
    expect(await readNumbers(sock, 8)).toEqual(upTo(10).slice(2));
    await settle();
    expect(pipe.held).toEqual([]);
    expect(pipe.calls.at(-1)).toBe("resume");
    expect(pipe.isClosed).toBe(false);
    expect(sock.stats().socket.drops).toBe(0);
  });

  it("stops reading at the byte bound, counted apart from the message bound", async () => {
    const { sock, pipe } = setup(c, { recvBufferBytes: 100 });
    feed(c, pipe, 0, 6, 40);
    // Two 40-byte bodies stay under 100 bytes, with any header; the third reaches it.
    expect(pipe.calls).toEqual(["pause"]);
    expect(pipe.delivered).toBe(3);
    expect(await readNumbers(sock, 1)).toEqual([0]);
    await settle();
    expect(pipe.calls).toEqual(["pause"]);
    expect(await readNumbers(sock, 1)).toEqual([1]);
    await settle();
    // Under half of 100 bytes with one message left: read again, up to the bound.
    expect(pipe.calls).toEqual(["pause", "resume", "pause"]);
    expect(pipe.delivered).toBe(5);
    expect(await readNumbers(sock, 4)).toEqual([2, 3, 4, 5]);
    expect(sock.stats().socket.drops).toBe(0);
  });

  it("takes one oversized message into an empty buffer, then stops until it is read", async () => {
    const { sock, pipe } = setup(c, { recvBufferBytes: 100 });
    feed(c, pipe, 0, 2, 500);
    expect(pipe.calls).toEqual(["pause"]);
    expect(pipe.delivered).toBe(1);
    expect(await readNumbers(sock, 1)).toEqual([0]);
    await settle();
    expect(pipe.calls).toEqual(["pause", "resume", "pause"]);
    expect(pipe.delivered).toBe(2);
    expect(await readNumbers(sock, 1)).toEqual([1]);
    await settle();
    expect(pipe.calls).toEqual(["pause", "resume", "pause", "resume"]);
  });

  it("a message that finds a waiting recv never counts against the bound", async () => {
    const { sock, pipe } = setup(c, { recvBuffer: 1 });
    for (let i = 0; i < 5; i++) {
      const r = readNumbers(sock, 1);
      feed(c, pipe, i, i + 1);
      expect(await r).toEqual([i]);
    }
    expect(pipe.calls).toEqual([]);
  });

  it("what a pipe delivered before it went away is still received", async () => {
    const { sock, pipe } = setup(c, { recvBuffer: 4 });
    feed(c, pipe, 0, 6);
    pipe.close();
    expect(await readNumbers(sock, 4)).toEqual([0, 1, 2, 3]);
    expect(pipe.calls).toEqual(["pause"]); // a pipe that left is not resumed
  });

  it("close fails a pending recv with ECLOSED", async () => {
    const { sock } = setup(c, {});
    const r = expectCode(recvBody(sock), "ECLOSED");
    await sock.close();
    await r;
  });

  it.runIf(c.manyPipes)(
    "bounds each pipe apart and serves the pipes in turn: a quiet pipe is not held back by a full one",
    async () => {
      const { sock, pipe: busy } = setup(c, { recvBuffer: 4 });
      const quiet = new FakePipe(sock, c.peer);
      sock.attachPipe(quiet);
      feed(c, busy, 0, 10);
      feed(c, quiet, 100, 101);
      expect(busy.calls).toEqual(["pause"]);
      expect(quiet.calls).toEqual([]);
      expect(await readNumbers(sock, 3)).toEqual([0, 100, 1]);
      expect(await readNumbers(sock, 8)).toEqual(upTo(10).slice(2));
    },
  );
});

describe("PULL with several pushers", () => {
  it("serves two pipes in turn while both have messages", async () => {
    const pull = track(pull0({ recvBuffer: 8 }, none));
    const a = new FakePipe(pull, 0x50);
    const b = new FakePipe(pull, 0x50);
    pull.attachPipe(a);
    pull.attachPipe(b);
    for (let i = 0; i < 3; i++) a.feed(numbered(i));
    for (let i = 10; i < 13; i++) b.feed(numbered(i));
    expect((pull as Pull0Socket).queued).toBe(6);
    expect(await readNumbers(pull, 6)).toEqual([0, 10, 1, 11, 2, 12]);
  });
});

describe("SUB filters before a message takes room (SP-PUBSUB-22)", () => {
  it("unmatched messages never stop reading; matched ones do, at the bound", async () => {
    const { sock, pipe } = setup(cases[5] as Case, { recvBuffer: 2 });
    const sub = sock as Sub0Socket;
    sub.unsubscribe("");
    sub.subscribe("a");
    for (let i = 0; i < 50; i++) pipe.feed(Buffer.from(`b${i}`));
    expect(pipe.calls).toEqual([]);
    expect(sub.getStats().rxFiltered).toBe(50);
    pipe.feed(Buffer.from("a0"), Buffer.from("b-late"), Buffer.from("a1"), Buffer.from("a2"));
    expect(pipe.calls).toEqual(["pause"]);
    expect(pipe.held.map(String)).toEqual(["a2"]);
    expect(String(await sub.recv())).toBe("a0");
    await settle();
    expect(pipe.calls).toEqual(["pause", "resume", "pause"]);
    expect(String(await sub.recv())).toBe("a1");
    expect(String(await sub.recv())).toBe("a2");
  });

  it("unsubscribe purges the queued messages that no longer match and resumes the pipe", async () => {
    const { sock, pipe } = setup(cases[5] as Case, { recvBuffer: 4, recvTimeout: 100 });
    const sub = sock as Sub0Socket;
    sub.unsubscribe("");
    sub.subscribe("a");
    sub.subscribe("b");
    pipe.feed(...["a1", "b1", "a2", "b2", "b3"].map((m) => Buffer.from(m)));
    expect(pipe.calls).toEqual(["pause"]);
    sub.unsubscribe("a");
    expect(pipe.calls).toEqual(["pause", "resume"]);
    await settle();
    expect(String(await sub.recv())).toBe("b1");
    expect(String(await sub.recv())).toBe("b2");
    expect(String(await sub.recv())).toBe("b3");
    await expectCode(sub.recv(), "ETIMEDOUT");
  });
});

describe("REP contexts with a paused pipe", () => {
  it("contexts take requests from paused pipes, which then read again; replies go back", async () => {
    const rep = track(rep0({ recvBuffer: 2 }, none)) as Rep0Socket;
    const pipe = new FakePipe(rep, 0x30);
    rep.attachPipe(pipe);
    for (let i = 0; i < 6; i++) pipe.feed(Buffer.concat([word(0x80000000 + i), numbered(i)]));
    expect(pipe.calls).toEqual(["pause"]);
    const ctxs = [rep.openContext(), rep.openContext(), rep.openContext()];
    const got = await Promise.all(ctxs.map((c) => c.recv()));
    expect(got.map((b) => b.readUInt32BE(0))).toEqual([0, 1, 2]);
    expect(pipe.calls).toEqual(["pause", "resume", "pause"]);
    await Promise.all(ctxs.map((c, i) => c.send(`re ${i}`)));
    expect(pipe.sent.map((m) => [m.readUInt32BE(0) - 0x80000000, String(m.subarray(4))])).toEqual([
      [0, "re 0"],
      [1, "re 1"],
      [2, "re 2"],
    ]);
    expect(await readNumbers(rep, 3)).toEqual([3, 4, 5]);
  });

  it("a request whose pipe went away is still handed out; its reply is dropped", async () => {
    const rep = track(rep0({ recvBuffer: 2 }, none));
    const pipe = new FakePipe(rep, 0x30);
    rep.attachPipe(pipe);
    pipe.feed(Buffer.concat([word(0x80000007), Buffer.from("orphan")]));
    pipe.close();
    expect(String(await rep.recv())).toBe("orphan");
    await rep.send("nobody hears this");
    expect(rep.getStats().txDropped).toBe(1);
    expect(pipe.sent).toEqual([]);
  });

  it("a reply to a pipe that is not ready is dropped, not queued (SP-REQREP-18, SP-FRAMEWORK-27)", async () => {
    const rep = track(rep0({}, none));
    const pipe = new FakePipe(rep, 0x30);
    rep.attachPipe(pipe);
    pipe.ready = false; // the REQ peer stopped reading
    pipe.feed(Buffer.concat([word(0x80000001), Buffer.from("q1")]));
    expect(String(await rep.recv())).toBe("q1");
    await rep.send("a1");
    expect(pipe.sent).toEqual([]);
    expect(rep.getStats().txDropped).toBe(1);
    pipe.ready = true;
    pipe.feed(Buffer.concat([word(0x80000002), Buffer.from("q2")]));
    expect(String(await rep.recv())).toBe("q2");
    await rep.send("a2");
    expect(pipe.sent.map((m) => String(m.subarray(4)))).toEqual(["a2"]);
  });
});

describe("raw round-robin sends and devices carry backpressure", () => {
  it("raw PUSH skips a pipe that is not ready, parks up to sendBuffer, then makes sendMsg wait", async () => {
    const xp = track(xpush0({ sendBuffer: 2 }, none));
    const slow = new FakePipe(xp, 0x51);
    const fast = new FakePipe(xp, 0x51);
    xp.attachPipe(slow);
    xp.attachPipe(fast);
    slow.ready = false;
    await xp.sendMsg({ body: "1" });
    await xp.sendMsg({ body: "2" });
    expect([slow.sent.length, fast.sent.length]).toEqual([0, 2]);
    fast.ready = false;
    await xp.sendMsg({ body: "3" });
    await xp.sendMsg({ body: "4" });
    let fifth = false;
    const waiting = xp.sendMsg({ body: "5" }).then(() => {
      fifth = true;
    });
    await settle();
    expect(fifth).toBe(false);
    slow.drain();
    await waiting;
    // Parked ones went out in order once a pipe was ready, the waiting one after them.
    expect(slow.sent.map(String)).toEqual(["3", "4", "5"]);
  });

  it("a waiting raw send fails with ETIMEDOUT after sendTimeout and with ECLOSED on close", async () => {
    const xp = track(xpush0({ sendBuffer: 1, sendTimeout: 20 }, none));
    await xp.sendMsg({ body: "parked" });
    await expectCode(xp.sendMsg({ body: "late" }), "ETIMEDOUT");
    xp.setOption("sendTimeout", -1);
    const pending = expectCode(xp.sendMsg({ body: "closing" }), "ECLOSED");
    await xp.close();
    await pending;
  });

  it("a PULL-to-PUSH device whose destination is slow stops reading the source's pipe, then forwards all in order", async () => {
    const src = track(xpull0({ recvBuffer: 4 }, none));
    const dst = track(xpush0({ sendBuffer: 2 }, none));
    const inbound = new FakePipe(src, 0x50);
    const outbound = new FakePipe(dst, 0x51);
    src.attachPipe(inbound);
    dst.attachPipe(outbound);
    outbound.ready = false;
    const running = device(src, dst);
    for (let i = 0; i < 300; i++) inbound.feed(numbered(i));
    await settle();
    // Two parked, one in the device's hand, four in the source's buffer: the rest stays
    // with the transport, and nothing was dropped.
    expect(inbound.calls).toEqual(["pause", "resume", "pause"]);
    expect(inbound.delivered).toBe(7);
    expect(outbound.sent.length).toBe(0);
    outbound.drain();
    await waitFor(() => outbound.sent.length === 300, 2000, "all forwarded");
    expect(outbound.sent.map((m) => m.readUInt32BE(0))).toEqual(upTo(300));
    expect(inbound.calls.filter((x) => x === "pause").length).toBeGreaterThan(1);
    await src.close();
    expect((await running).aToB).toBe(300);
  });

  it("a device keeps running across receive timeouts and stops when a side closes while the other has no room", async () => {
    const src = track(xpull0({ recvTimeout: 10 }, none));
    const dst = track(xpush0({ sendBuffer: 1 }, none));
    const inbound = new FakePipe(src, 0x50);
    const outbound = new FakePipe(dst, 0x51);
    src.attachPipe(inbound);
    dst.attachPipe(outbound);
    const running = device(src, dst);
    await new Promise((r) => setTimeout(r, 50)); // several receive timeouts
    inbound.feed(numbered(1));
    await waitFor(() => outbound.sent.length === 1, 2000, "forwarded after timeouts");
    outbound.ready = false;
    inbound.feed(numbered(2), numbered(3)); // 2 parks, 3 waits for room
    await settle();
    await src.close();
    expect((await running).aToB).toBe(2);
  });
});

describe("over real pipes", () => {
  for (const scheme of ["inproc", "tcp"] as const) {
    it(`${scheme}: a PULL that does not read holds at most its bound per pipe and loses nothing`, async () => {
      const pull = track(pull0({ recvBuffer: 4, recvTimeout: 5000 }));
      const url =
        scheme === "inproc"
          ? (await pull.listen(`inproc://flow-control-${Math.random()}`)).url
          : (await pull.listen("tcp://127.0.0.1:0")).url;
      const push = track(push0({ sendTimeout: 5000 }));
      await push.dial(url).connected;
      const n = 2000;
      const sends = Array.from({ length: n }, (_, i) => push.send(numbered(i, 64)));
      await waitFor(() => pull.queued >= 4, 5000, "the buffer filled");
      await new Promise((r) => setTimeout(r, 50));
      // Paused at the bound: the rest waits in the transport (and at the PUSH side).
      expect(pull.queued).toBe(4);
      expect(pull.stats().socket.msgsIn).toBe(4);
      const got = await readNumbers(pull, n);
      await Promise.all(sends);
      expect(got).toEqual(upTo(n));
      expect(pull.stats().socket.drops).toBe(0);
    });

    it(`${scheme}: a PAIR v1 that does not read stops taking messages at its bound; the peer's sends wait, none is lost`, async () => {
      const a = track(pair1({ recvBuffer: 4, recvTimeout: 5000 }));
      const url =
        scheme === "inproc"
          ? (await a.listen(`inproc://flow-control-pair-${Math.random()}`)).url
          : (await a.listen("tcp://127.0.0.1:0")).url;
      const b = track(pair1({ sendTimeout: 5000 }));
      await b.dial(url).connected;
      const n = 1000;
      const sends = Array.from({ length: n }, (_, i) => b.send(numbered(i, 64)));
      await waitFor(() => a.stats().socket.msgsIn >= 4, 5000, "the buffer filled");
      await new Promise((r) => setTimeout(r, 50));
      // The pipe hands the socket nothing past the bound while the application is away.
      expect(a.stats().socket.msgsIn).toBe(4);
      expect(await readNumbers(a, n)).toEqual(upTo(n));
      await Promise.all(sends);
      expect(a.stats().socket.drops).toBe(0);
    });
  }
});
