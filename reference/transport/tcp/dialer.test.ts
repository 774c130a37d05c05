import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { SPError } from "../../core/errors.ts";
import { rep0 } from "../../protocol/rep0/rep.ts";
import { req0 } from "../../protocol/req0/req.ts";
import { waitFor } from "../../../testkit/raw-peer.ts";

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function expectCode(p: Promise<unknown>, code: string) {
  await expect(p).rejects.toSatisfy((e) => e instanceof SPError && e.code === code);
}

/** One REP that echoes with a prefix until closed. */
function echo(rep: ReturnType<typeof rep0>, prefix: string) {
  void (async () => {
    for await (const m of rep) await rep.send(`${prefix}${m.toString()}`);
  })();
}

describe("tcp dialer and listener", () => {
  it("req and rep exchange messages over tcp", async () => {
    const rep = rep0();
    open.push(rep);
    const { url } = await rep.listen("tcp://127.0.0.1:0");
    expect(url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(url.endsWith(":0")).toBe(false);
    echo(rep, "re:");
    const req = req0();
    open.push(req);
    await req.dial(url).connected;
    for (let i = 0; i < 5; i++) {
      await req.send(`m${i}`);
      expect((await req.recv()).toString()).toBe(`re:m${i}`);
    }
  });

  it("keeps retrying a refused dial and connects when a listener appears", async () => {
    const port = await freePort();
    const req = req0({ reconnectMin: 20, reconnectMax: 40 });
    open.push(req);
    const d = req.dial(`tcp://127.0.0.1:${port}`);
    let connected = false;
    void d.connected.then(() => {
      connected = true;
    });
    await waitFor(() => (req.getStats().dialFailed ?? 0) >= 3, 3000, "three refused attempts");
    expect(connected).toBe(false);
    const rep = rep0();
    open.push(rep);
    await rep.listen(`tcp://127.0.0.1:${port}`);
    await d.connected;
  });

  it("dialer reconnects after the listener restarts and the request is resent", async () => {
    const rep1 = rep0();
    const { url } = await rep1.listen("tcp://127.0.0.1:0");
    const req = req0({ reconnectMin: 20, reconnectMax: 100 });
    open.push(req);
    await req.dial(url).connected;
    await req.send("before");
    expect((await rep1.recv()).toString()).toBe("before");
    await rep1.close(); // the request is lost with the pipe; REQ must resend it to the new peer
    const rep2 = rep0();
    open.push(rep2);
    await rep2.listen(url);
    echo(rep2, "second:");
    expect((await req.recv()).toString()).toBe("second:before");
  });

  it("listen on a taken port fails with EADDRINUSE", async () => {
    const a = rep0();
    const b = rep0();
    open.push(a, b);
    const { url } = await a.listen("tcp://127.0.0.1:0");
    await expectCode(b.listen(url), "EADDRINUSE");
  });

  it("listens on IPv6 loopback and reports the bound URL in brackets", async () => {
    const rep = rep0();
    open.push(rep);
    const { url } = await rep.listen("tcp://[::1]:0");
    expect(url).toMatch(/^tcp:\/\/\[::1\]:\d+$/);
    echo(rep, "");
    const req = req0();
    open.push(req);
    await req.dial(url).connected;
    await req.send("v6");
    expect((await req.recv()).toString()).toBe("v6");
  });

  it("resolves host names when dialing", async () => {
    const rep = rep0();
    open.push(rep);
    const { url } = await rep.listen("tcp://127.0.0.1:0");
    const req = req0();
    open.push(req);
    await req.dial(url.replace("127.0.0.1", "localhost")).connected;
  });

  it("rejects junk URLs and unknown schemes", async () => {
    const s = req0();
    open.push(s);
    expect(() => s.dial("tcp://127.0.0.1")).toThrow(SPError);
    expect(() => s.dial("nonsense")).toThrow(expect.objectContaining({ code: "EADDRINVAL" }));
    expect(() => s.dial("nosuch://x:1")).toThrow(expect.objectContaining({ code: "ENOTSUP" }));
    await expectCode(s.listen("tcp://300.1.1.1:0"), "EADDRINVAL");
  });

  it("closing a dialer before it connects rejects connected with ECLOSED", async () => {
    const port = await freePort();
    const req = req0({ reconnectMin: 20 });
    const d = req.dial(`tcp://127.0.0.1:${port}`);
    await req.close();
    await expectCode(d.connected, "ECLOSED");
  });
});
