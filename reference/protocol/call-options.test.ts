/**
 * Per-call options of `send` and `recv` (`{ signal, timeoutMs }`) on every
 * protocol that waits, and the promise that a call which gave up leaves
 * nothing behind: an aborted or timed-out send that had not reached a pipe
 * never goes out, an aborted or timed-out recv never takes a message (the
 * next recv gets it).
 */
import { afterEach, describe, expect, it } from "vitest";
import { sleep, waitFor } from "../../testkit/wait.ts";
import { SPError } from "../core/errors.ts";
import type { SocketBase } from "../core/socket.ts";
import { bus0 } from "./bus0/bus.ts";
import { pair0 } from "./pair0/pair.ts";
import { pair1 } from "./pair1/pair.ts";
import { pair1poly } from "./pair1/poly.ts";
import { pub0 } from "./pub0/pub.ts";
import { pull0 } from "./pull0/pull.ts";
import { xpull0 } from "./pull0/xpull.ts";
import { push0 } from "./push0/push.ts";
import { xpush0 } from "./push0/xpush.ts";
import { rep0 } from "./rep0/rep.ts";
import { req0 } from "./req0/req.ts";
import { respondent0 } from "./respondent0/respondent.ts";
import { sub0 } from "./sub0/sub.ts";
import { surveyor0 } from "./surveyor0/surveyor.ts";

const open: SocketBase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
function track<T extends SocketBase>(s: T): T {
  open.push(s);
  return s;
}

/** Settles to the error code, or "ok:<value as text>". */
const outcome = (p: Promise<unknown>) =>
  p.then(
    (v) => `ok:${v === undefined ? "" : String(v)}`,
    (e) => (e instanceof SPError ? e.code : String(e)),
  );

let seq = 0;
/** `server` listens on a fresh inproc address, `client` dials it; resolves once both have the pipe. */
async function connect(server: SocketBase, client: SocketBase): Promise<void> {
  const url = `inproc://call-options-${process.pid}-${seq++}`;
  await server.listen(url);
  await client.dial(url).connected;
  await waitFor(
    () => server.stats().socket.pipesOpen > 0 && client.stats().socket.pipesOpen > 0,
    2000,
    "both ends attached",
  );
}

/** An aborted signal. */
function aborted(reason?: unknown): AbortSignal {
  const ac = new AbortController();
  ac.abort(reason);
  return ac.signal;
}

/** A receiving socket, the peer that listens for it, and how the peer sends to it. */
interface ReceiverPair {
  readonly rx: SocketBase;
  readonly peer: SocketBase;
  readonly tx: (m: string) => Promise<void>;
}

/** Sockets whose recv waits in a receive queue, each with a peer that sends to it. */
const receivers: { name: string; pair: () => ReceiverPair }[] = [
  {
    name: "PULL",
    pair: () => {
      const push = track(push0());
      return { rx: track(pull0()), peer: push, tx: (m) => push.send(m) };
    },
  },
  {
    name: "SUB",
    pair: () => {
      const pub = track(pub0());
      const sub = track(sub0());
      sub.subscribe("");
      return { rx: sub, peer: pub, tx: (m) => pub.send(m) };
    },
  },
  {
    name: "BUS",
    pair: () => {
      const other = track(bus0());
      return { rx: track(bus0()), peer: other, tx: (m) => other.send(m) };
    },
  },
  {
    name: "PAIR v0",
    pair: () => {
      const other = track(pair0());
      return { rx: track(pair0()), peer: other, tx: (m) => other.send(m) };
    },
  },
  {
    name: "PAIR v1",
    pair: () => {
      const other = track(pair1());
      return { rx: track(pair1()), peer: other, tx: (m) => other.send(m) };
    },
  },
  {
    name: "PAIR v1 poly",
    pair: () => {
      const other = track(pair1());
      return { rx: track(pair1poly()), peer: other, tx: (m) => other.send(m) };
    },
  },
  {
    name: "raw PULL",
    pair: () => {
      const push = track(push0());
      return { rx: track(xpull0()), peer: push, tx: (m) => push.send(m) };
    },
  },
];

/** Opens and connects a receiver case: the peer listens, the receiver dials. */
async function receiverCase(c: (typeof receivers)[number]): Promise<ReceiverPair> {
  const pair = c.pair();
  await connect(pair.peer, pair.rx);
  return pair;
}

describe.each(receivers)("$name recv with per-call options", (c) => {
  it("an aborted recv fails with ECANCELED and takes no message: the next recv gets it", async () => {
    const { rx, tx } = await receiverCase(c);
    const ac = new AbortController();
    const gone = rx.recv({ signal: ac.signal });
    ac.abort(new Error("no longer needed"));
    const err = await gone.catch((e) => e);
    expect(err).toBeInstanceOf(SPError);
    expect(err.code).toBe("ECANCELED");
    expect(err.cause).toEqual(new Error("no longer needed"));
    await tx("m1");
    expect(await outcome(rx.recv({ timeoutMs: 2000 }))).toBe("ok:m1");
  });

  it("timeoutMs fails only that recv with ETIMEDOUT; the next message goes to the next recv", async () => {
    const { rx, tx } = await receiverCase(c);
    rx.setOption("recvTimeout", 5000);
    const t0 = performance.now();
    expect(await outcome(rx.recv({ timeoutMs: 20 }))).toBe("ETIMEDOUT");
    expect(performance.now() - t0).toBeLessThan(2000);
    await tx("m2");
    expect(await outcome(rx.recv())).toBe("ok:m2");
  });

  it("timeoutMs -1 waits past the socket's recvTimeout", async () => {
    const { rx, tx } = await receiverCase(c);
    rx.setOption("recvTimeout", 20);
    const waiting = outcome(rx.recv({ timeoutMs: -1 }));
    await sleep(80);
    await tx("late");
    expect(await waiting).toBe("ok:late");
    // The option still applies to calls without timeoutMs.
    expect(await outcome(rx.recv())).toBe("ETIMEDOUT");
  });

  it("an already aborted signal rejects at once, even with a message waiting, which stays", async () => {
    const { rx, tx } = await receiverCase(c);
    await tx("waiting");
    // Let the message arrive (inproc delivers within a few turns).
    await sleep(20);
    expect(await outcome(rx.recv({ signal: aborted() }))).toBe("ECANCELED");
    expect(await outcome(rx.recv({ timeoutMs: 2000 }))).toBe("ok:waiting");
  });
});

describe("per-call options: arguments", () => {
  it("a bad timeoutMs is EINVAL, on send and on recv", async () => {
    const pull = track(pull0());
    const push = track(push0());
    expect(await outcome(pull.recv({ timeoutMs: -5 }))).toBe("EINVAL");
    expect(await outcome(push.send("x", { timeoutMs: Number.NaN }))).toBe("EINVAL");
  });

  it("racing AbortSignal.timeout leaves no orphan recv behind", async () => {
    const push = track(push0());
    const pull = track(pull0());
    await connect(pull, push);
    const err = await pull.recv({ signal: AbortSignal.timeout(20) }).catch((e) => e);
    expect(err.code).toBe("ECANCELED");
    expect((err.cause as Error).name).toBe("TimeoutError");
    await push.send("for the next recv");
    expect(await outcome(pull.recv({ timeoutMs: 2000 }))).toBe("ok:for the next recv");
  });
});

describe("PUSH send with per-call options", () => {
  it("a send aborted while no peer can take it never goes out; the one behind it does", async () => {
    const push = track(push0());
    const ac = new AbortController();
    const dropped = outcome(push.send("aborted", { signal: ac.signal }));
    const kept = outcome(push.send("kept"));
    expect(push.waitingSends).toBe(2);
    ac.abort();
    expect(await dropped).toBe("ECANCELED");
    expect(push.waitingSends).toBe(1);
    const pull = track(pull0());
    await connect(pull, push);
    expect(await kept).toBe("ok:");
    expect(await outcome(pull.recv({ timeoutMs: 2000 }))).toBe("ok:kept");
    expect(await outcome(pull.recv({ timeoutMs: 100 }))).toBe("ETIMEDOUT");
  });

  it("after the only waiting send was aborted, the next send waits and goes out", async () => {
    const push = track(push0());
    const ac = new AbortController();
    const dropped = outcome(push.send("aborted", { signal: ac.signal }));
    ac.abort();
    expect(await dropped).toBe("ECANCELED");
    expect(push.waitingSends).toBe(0);
    const next = outcome(push.send("next", { timeoutMs: 3000 }));
    const pull = track(pull0());
    await connect(pull, push);
    expect(await next).toBe("ok:");
    expect(await outcome(pull.recv({ timeoutMs: 2000 }))).toBe("ok:next");
    expect(await outcome(pull.recv({ timeoutMs: 100 }))).toBe("ETIMEDOUT");
  });

  it("timeoutMs bounds one waiting send over sendTimeout, and the expired send never goes out", async () => {
    const push = track(push0({ sendTimeout: -1 }));
    const t0 = performance.now();
    expect(await outcome(push.send("expired", { timeoutMs: 30 }))).toBe("ETIMEDOUT");
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(push.waitingSends).toBe(0);
    const pull = track(pull0());
    await connect(pull, push);
    await push.send("after");
    expect(await outcome(pull.recv({ timeoutMs: 2000 }))).toBe("ok:after");
    expect(await outcome(pull.recv({ timeoutMs: 100 }))).toBe("ETIMEDOUT");
  });

  it("an already aborted signal rejects at once, also when a peer could take the message", async () => {
    const push = track(push0());
    const pull = track(pull0());
    await connect(pull, push);
    expect(await outcome(push.send("never", { signal: aborted() }))).toBe("ECANCELED");
    expect(await outcome(pull.recv({ timeoutMs: 100 }))).toBe("ETIMEDOUT");
  });

  it("aborting after the send resolved changes nothing", async () => {
    const push = track(push0());
    const pull = track(pull0());
    await connect(pull, push);
    const ac = new AbortController();
    await push.send("delivered", { signal: ac.signal });
    ac.abort();
    expect(await outcome(pull.recv({ timeoutMs: 2000 }))).toBe("ok:delivered");
  });
});

describe.each([
  { name: "PAIR v0", make: () => pair0() },
  { name: "PAIR v1", make: () => pair1() },
])("$name send with per-call options", ({ make }) => {
  it("a send aborted while there is no peer is never written; the one behind it is", async () => {
    const a = track(make());
    const ac = new AbortController();
    const dropped = outcome(a.send("aborted", { signal: ac.signal }));
    const kept = outcome(a.send("kept"));
    ac.abort();
    expect(await dropped).toBe("ECANCELED");
    const b = track(make());
    await connect(b, a);
    expect(await kept).toBe("ok:");
    expect(await outcome(b.recv({ timeoutMs: 2000 }))).toBe("ok:kept");
    expect(await outcome(b.recv({ timeoutMs: 100 }))).toBe("ETIMEDOUT");
  });

  it("timeoutMs fails a waiting send with ETIMEDOUT; it is never written, later sends are", async () => {
    const a = track(make());
    expect(await outcome(a.send("expired", { timeoutMs: 20 }))).toBe("ETIMEDOUT");
    const ac = new AbortController();
    const dropped = outcome(a.send("aborted too", { signal: ac.signal }));
    ac.abort();
    expect(await dropped).toBe("ECANCELED");
    const b = track(make());
    await connect(b, a);
    await a.send("fresh");
    expect(await outcome(b.recv({ timeoutMs: 2000 }))).toBe("ok:fresh");
    expect(await outcome(b.recv({ timeoutMs: 100 }))).toBe("ETIMEDOUT");
  });
});

describe("raw PUSH sendMsg with per-call options", () => {
  it("a sendMsg waiting for room is withdrawn by its signal and never sent", async () => {
    const xp = track(xpush0({ sendBuffer: 1 }));
    await xp.sendMsg({ body: "parked" }); // takes the one parking place
    const ac = new AbortController();
    const dropped = outcome(xp.sendMsg({ body: "aborted" }, { signal: ac.signal }));
    const timedOut = outcome(xp.sendMsg({ body: "timed out" }, { timeoutMs: 20 }));
    ac.abort();
    expect(await dropped).toBe("ECANCELED");
    expect(await timedOut).toBe("ETIMEDOUT");
    const later = outcome(xp.sendMsg({ body: "later" }));
    const pull = track(pull0());
    await connect(pull, xp);
    expect(await later).toBe("ok:");
    expect(await outcome(pull.recv({ timeoutMs: 2000 }))).toBe("ok:parked");
    expect(await outcome(pull.recv({ timeoutMs: 2000 }))).toBe("ok:later");
    expect(await outcome(pull.recv({ timeoutMs: 100 }))).toBe("ETIMEDOUT");
  });
});

describe("REQ with per-call options", () => {
  async function reqRep() {
    const rep = track(rep0());
    const req = track(req0({ recvTimeout: 5000 }));
    await connect(rep, req);
    return { req, rep };
  }

  it("an aborted recv ends only that recv: the request stays outstanding and the next recv gets the reply", async () => {
    const { req, rep } = await reqRep();
    await req.send("question");
    const ac = new AbortController();
    const gone = outcome(req.recv({ signal: ac.signal }));
    ac.abort();
    expect(await gone).toBe("ECANCELED");
    expect(await outcome(rep.recv({ timeoutMs: 2000 }))).toBe("ok:question");
    await rep.send("answer");
    expect(await outcome(req.recv({ timeoutMs: 2000 }))).toBe("ok:answer");
  });

  it("a recv past its timeoutMs fails with ETIMEDOUT well before recvTimeout; the reply is kept", async () => {
    const { req, rep } = await reqRep();
    await req.send("question");
    const t0 = performance.now();
    expect(await outcome(req.recv({ timeoutMs: 20 }))).toBe("ETIMEDOUT");
    expect(performance.now() - t0).toBeLessThan(2000);
    await rep.recv();
    await rep.send("answer");
    await sleep(20); // the reply arrives while nobody is in recv
    expect(await outcome(req.recv())).toBe("ok:answer");
  });

  it("a send with an aborted signal is refused and leaves the outstanding request alone", async () => {
    const { req, rep } = await reqRep();
    await req.send("first");
    expect(await outcome(rep.recv({ timeoutMs: 2000 }))).toBe("ok:first");
    expect(await outcome(req.send("second", { signal: aborted() }))).toBe("ECANCELED");
    await rep.send("to the first");
    expect(await outcome(req.recv({ timeoutMs: 2000 }))).toBe("ok:to the first");
    expect(await outcome(rep.recv({ timeoutMs: 100 }))).toBe("ETIMEDOUT");
  });

  it("contexts: an aborted recv on one context leaves its request and the others alone", async () => {
    const { req, rep } = await reqRep();
    const a = req.openContext();
    const b = req.openContext();
    await a.send("from a");
    await b.send("from b");
    const ac = new AbortController();
    const gone = outcome(a.recv({ signal: ac.signal }));
    const bReply = outcome(b.recv({ timeoutMs: 2000 }));
    ac.abort();
    expect(await gone).toBe("ECANCELED");
    for (let i = 0; i < 2; i++) {
      const body = await rep.recv({ timeoutMs: 2000 });
      await rep.send(`re: ${body}`);
    }
    expect(await bReply).toBe("ok:re: from b");
    expect(await outcome(a.recv({ timeoutMs: 2000 }))).toBe("ok:re: from a");
    expect(await outcome(a.recv({ signal: aborted() }))).toBe("ECANCELED");
  });
});

describe("REP and RESPONDENT recv with per-call options", () => {
  it("REP: an aborted recv takes no request; the next recv gets it and answers it", async () => {
    const rep = track(rep0());
    const req = track(req0({ recvTimeout: 3000 }));
    await connect(rep, req);
    const ac = new AbortController();
    const gone = outcome(rep.recv({ signal: ac.signal }));
    ac.abort();
    expect(await gone).toBe("ECANCELED");
    await req.send("q");
    expect(await outcome(rep.recv({ timeoutMs: 2000 }))).toBe("ok:q");
    await rep.send("a");
    expect(await outcome(req.recv())).toBe("ok:a");
  });

  it("REP contexts: an aborted context recv leaves the request for another context", async () => {
    const rep = track(rep0());
    const req = track(req0({ recvTimeout: 3000 }));
    await connect(rep, req);
    const first = rep.openContext();
    const second = rep.openContext();
    const ac = new AbortController();
    const gone = outcome(first.recv({ signal: ac.signal }));
    const got = second.recv({ timeoutMs: 2000 });
    ac.abort();
    expect(await gone).toBe("ECANCELED");
    await req.send("q");
    expect((await got).toString()).toBe("q");
    await second.send("a", { timeoutMs: 10 });
    expect(await outcome(req.recv())).toBe("ok:a");
    expect(await outcome(first.send("nothing held"))).toBe("ESTATE");
  });

  it("RESPONDENT: an aborted recv takes no survey; the next recv gets it", async () => {
    const surveyor = track(surveyor0({ surveyTime: 2000, recvTimeout: 3000 }));
    const resp = track(respondent0());
    await connect(surveyor, resp);
    const ac = new AbortController();
    const gone = outcome(resp.recv({ signal: ac.signal }));
    ac.abort();
    expect(await gone).toBe("ECANCELED");
    await surveyor.send("q");
    expect(await outcome(resp.recv({ timeoutMs: 2000 }))).toBe("ok:q");
    await resp.send("a");
    expect(await outcome(surveyor.recv())).toBe("ok:a");
  });
});

describe("SURVEYOR recv with per-call options", () => {
  async function survey(surveyTime = 2000) {
    const surveyor = track(surveyor0({ surveyTime, recvTimeout: 5000 }));
    const resp = track(respondent0());
    await connect(surveyor, resp);
    return { surveyor, resp };
  }

  it("an aborted recv takes no response; the next recv gets it", async () => {
    const { surveyor, resp } = await survey();
    await surveyor.send("q");
    const ac = new AbortController();
    const gone = outcome(surveyor.recv({ signal: ac.signal }));
    ac.abort();
    expect(await gone).toBe("ECANCELED");
    await resp.recv();
    await resp.send("a");
    expect(await outcome(surveyor.recv({ timeoutMs: 1500 }))).toBe("ok:a");
  });

  it("timeoutMs shorter than the deadline fails that recv only; the survey goes on", async () => {
    const { surveyor, resp } = await survey();
    await surveyor.send("q");
    expect(await outcome(surveyor.recv({ timeoutMs: 20 }))).toBe("ETIMEDOUT");
    await resp.recv();
    await resp.send("a");
    expect(await outcome(surveyor.recv())).toBe("ok:a");
  });

  it("contexts: an aborted recv on a context takes none of its responses", async () => {
    const { surveyor, resp } = await survey();
    const ctx = surveyor.openContext();
    await ctx.send("q");
    const ac = new AbortController();
    const gone = outcome(ctx.recv({ signal: ac.signal }));
    ac.abort();
    expect(await gone).toBe("ECANCELED");
    await resp.recv();
    await resp.send("a");
    expect(await outcome(ctx.recv({ timeoutMs: 1500 }))).toBe("ok:a");
    expect(await outcome(ctx.send("again", { signal: aborted() }))).toBe("ECANCELED");
  });
});
