/**
 * Scenarios that run inside the Chromium page, against the bundle (`/sp.js`,
 * imported as reference/browser/index.ts and kept external by the build, so
 * the page and the scenarios share one copy of the stack). dev/browser/test.ts
 * calls them as `spScenarios.<name>(...)` and checks what they return.
 */
import * as sp from "../../../reference/browser/index.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rejects after `ms` with `what` so a stuck step names itself. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)),
  ]);
}

/** Receives until ETIMEDOUT; returns the bodies as text. */
async function drain(s: { recv(): Promise<Uint8Array> }): Promise<string[]> {
  const got: string[] = [];
  for (;;) {
    try {
      got.push(text(await s.recv()));
    } catch (e) {
      if (sp.isSPError(e) && e.code === "ETIMEDOUT") return got;
      throw e;
    }
  }
}

export const scenarios = {
  /** The bundle's API surface as the page sees it. */
  api(): { protocols: string[]; transports: string[]; bufferIsShim: boolean } {
    return {
      protocols: Object.keys(sp.protocolFactories),
      transports: sp.defaultTransports.map((t) => t.scheme),
      bufferIsShim: sp.Buffer.from("hi").toString("hex") === "6869",
    };
  },

  /** REQ in the page ↔ nngcat REP: two round trips. */
  async reqToRep(url: string): Promise<string[]> {
    const req = sp.req0({ reconnectMin: 50, recvTimeout: 5000, sendTimeout: 5000 });
    try {
      await within(req.dial(url).connected, 5000, `dial ${url}`);
      const out: string[] = [];
      for (const body of ["ping", "again"]) {
        await req.send(body);
        out.push(text(await req.recv()));
      }
      return out;
    } finally {
      await req.close();
    }
  },

  /** SUB in the page ← nngcat PUB: the first `n` messages. */
  async subFromPub(url: string, n: number): Promise<string[]> {
    const sub = sp.sub0({ reconnectMin: 50, recvTimeout: 5000 });
    sub.subscribe("");
    try {
      await within(sub.dial(url).connected, 5000, `dial ${url}`);
      const out: string[] = [];
      while (out.length < n) out.push(text(await sub.recv()));
      return out;
    } finally {
      await sub.close();
    }
  },

  /** SUB with a small recvMaxSize: oversize messages are dropped and counted. */
  async subOversize(url: string, max: number): Promise<{ got: string[]; stats: object }> {
    const sub = sp.sub0({ reconnectMin: 50, recvTimeout: 2500, recvMaxSize: max });
    sub.subscribe("");
    try {
      await within(sub.dial(url).connected, 5000, `dial ${url}`);
      const got = await drain(sub);
      return { got, stats: sub.getStats() };
    } finally {
      await sub.close();
    }
  },

  /** PAIR1 in the page ↔ nngcat PAIR1: receive one message, send `reply` back. */
  async pair1(url: string, reply: string): Promise<string> {
    const pair = sp.pair1({ reconnectMin: 50, recvTimeout: 5000, sendTimeout: 5000 });
    try {
      await within(pair.dial(url).connected, 5000, `dial ${url}`);
      const got = text(await pair.recv());
      await pair.send(reply);
      await sleep(300);
      return got;
    } finally {
      await pair.close();
    }
  },

  /** SURVEYOR in the page → several nngcat RESPONDENTs: every answer to one survey. */
  async survey(urls: string[], question: string): Promise<string[]> {
    const s = sp.surveyor0({ reconnectMin: 50, surveyTime: 1500, recvTimeout: 3000 });
    try {
      await within(
        Promise.all(urls.map((u) => s.dial(u).connected)),
        5000,
        `dial ${urls.join(" ")}`,
      );
      await s.send(question);
      return (await drain(s)).sort();
    } finally {
      await s.close();
    }
  },

  /** REQ/REP and PUB/SUB over inproc:// inside the page. */
  async inproc(): Promise<string[]> {
    const rep = sp.rep0();
    const req = sp.req0({ recvTimeout: 2000 });
    const pub = sp.pub0();
    const sub = sp.sub0({ recvTimeout: 2000 });
    try {
      await rep.listen("inproc://page-rpc");
      await req.dial("inproc://page-rpc").connected;
      await req.send("question");
      const q = text(await rep.recv());
      await rep.send(`answer to ${q}`);
      const a = text(await req.recv());
      await pub.listen("inproc://page-news");
      sub.subscribe("news.");
      await sub.dial("inproc://page-news").connected;
      await pub.send("sport.x");
      await pub.send("news.y");
      return [q, a, text(await sub.recv())];
    } finally {
      await Promise.all([rep.close(), req.close(), pub.close(), sub.close()]);
    }
  },

  /** A page cannot listen: ws:// listen must fail with ENOTSUP. */
  async listenRefused(): Promise<string> {
    const rep = sp.rep0();
    try {
      await rep.listen("ws://127.0.0.1:0/x");
      return "listened";
    } catch (e) {
      return sp.isSPError(e) ? e.code : String(e);
    } finally {
      await rep.close();
    }
  },

  /**
   * REQ dials a server that misbehaves (wrong or no subprotocol, TEXT or
   * oversize messages): returns whether it attached and the socket's stats.
   */
  async misbehaving(
    url: string,
    opts: { recvMaxSize?: number; sendFirst?: boolean },
  ): Promise<{ connected: boolean; stats: Record<string, number> }> {
    const req = sp.req0({ reconnectMin: 2000, recvMaxSize: opts.recvMaxSize ?? 0 });
    try {
      const d = req.dial(url);
      const connected = await within(d.connected, 800, "connect").then(
        () => true,
        () => false,
      );
      if (opts.sendFirst) {
        req.setOption("sendTimeout", 500);
        await req.send("hello").catch(() => {});
      }
      await sleep(400);
      return { connected, stats: { ...req.getStats() } };
    } finally {
      await req.close();
    }
  },
};

(globalThis as unknown as { spScenarios: typeof scenarios }).spScenarios = scenarios;
