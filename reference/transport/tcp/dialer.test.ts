import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, waitFor } from "../../../testkit/wait.ts";
import { SPError } from "../../core/errors.ts";
import { rep0 } from "../../protocol/rep0/rep.ts";
import { req0 } from "../../protocol/req0/req.ts";

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

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

  it("an unknown scheme is ENOTSUP whatever its address says", async () => {
    const s = req0();
    open.push(s);
    for (const url of ["foo://[bad", "foo://", "foo://a:b:c", "foo://127.0.0.1:1"]) {
      expect(() => s.dial(url), url).toThrow(expect.objectContaining({ code: "ENOTSUP" }));
      await expectCode(s.listen(url), "ENOTSUP");
    }
    // A known scheme still checks its address.
    expect(() => s.dial("tcp://[bad")).toThrow(expect.objectContaining({ code: "EADDRINVAL" }));
  });

  it("closing a dialer before it connects rejects connected with ECLOSED", async () => {
    const port = await freePort();
    const req = req0({ reconnectMin: 20 });
    const d = req.dial(`tcp://127.0.0.1:${port}`);
    await req.close();
    await expectCode(d.connected, "ECLOSED");
  });
});

describe("tcp dialer failures", () => {
  it("emits ECONNREFUSED for each refused attempt while it keeps retrying", async () => {
    const port = await freePort();
    const req = req0({ reconnectMin: 20, reconnectMax: 40 });
    open.push(req);
    const d = req.dial(`tcp://127.0.0.1:${port}`);
    const errors: SPError[] = [];
    d.on("error", (e) => errors.push(e));
    await waitFor(() => errors.length >= 3, 3000, "three error events");
    expect(errors.every((e) => e instanceof SPError && e.code === "ECONNREFUSED")).toBe(true);
    expect(errors[0]?.cause).toMatchObject({ code: "ECONNREFUSED" });
    const rep = rep0();
    open.push(rep);
    await rep.listen(`tcp://127.0.0.1:${port}`);
    await d.connected;
    const after = errors.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(errors.length).toBe(after);
  });

  it("off() stops the events", async () => {
    const port = await freePort();
    const req = req0({ reconnectMin: 10, reconnectMax: 10 });
    open.push(req);
    const d = req.dial(`tcp://127.0.0.1:${port}`);
    let n = 0;
    const count = () => {
      n++;
    };
    d.on("error", count);
    await waitFor(() => n >= 1, 3000, "one error event");
    d.off("error", count);
    const seen = n;
    await waitFor(() => (req.getStats().dialFailed ?? 0) >= seen + 3, 3000, "more attempts");
    expect(n).toBe(seen);
  });

  it("with failFast, a refused first attempt rejects connected and closes the dialer", async () => {
    const port = await freePort();
    const req = req0({ reconnectMin: 10 });
    open.push(req);
    const d = req.dial(`tcp://127.0.0.1:${port}`, { failFast: true });
    const errors: string[] = [];
    d.on("error", (e) => errors.push(e.code));
    await expectCode(d.connected, "ECONNREFUSED");
    expect(errors).toEqual(["ECONNREFUSED"]);
    // Closed: no further attempt, start() says ECLOSED.
    await new Promise((r) => setTimeout(r, 80));
    expect(req.getStats().dialFailed).toBe(1);
    expect(() => d.start?.()).toThrow(expect.objectContaining({ code: "ECLOSED" }));
    await d.close();
  });

  it("with failFast, a host that does not resolve is EADDRINVAL", async () => {
    const req = req0();
    open.push(req);
    const d = req.dial("tcp://no-such-host.invalid:5555", { failFast: true });
    await expectCode(d.connected, "EADDRINVAL");
  });

  it("with failFast, a peer that hangs up during the handshake is ECONNSHUT", async () => {
    const server = createServer((c) => c.destroy());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    open.push({ close: () => new Promise((r) => server.close(r)) });
    const port = (server.address() as { port: number }).port;
    const req = req0();
    open.push(req);
    const d = req.dial(`tcp://127.0.0.1:${port}`, { failFast: true });
    await expect(d.connected).rejects.toSatisfy(
      (e) => e instanceof SPError && (e.code === "ECONNSHUT" || e.code === "ECONNREFUSED"),
    );
  });

  it("with failFast, a wrong peer protocol is EPROTO", async () => {
    const other = req0();
    open.push(other);
    const { url } = await other.listen("tcp://127.0.0.1:0");
    const req = req0();
    open.push(req);
    await expectCode(req.dial(url, { failFast: true }).connected, "EPROTO");
  });

  it("with failFast, a connected dialer reconnects after its peer goes away", async () => {
    const rep1 = rep0();
    const { url } = await rep1.listen("tcp://127.0.0.1:0");
    const req = req0({ reconnectMin: 20, reconnectMax: 40 });
    open.push(req);
    const d = req.dial(url, { failFast: true });
    await d.connected;
    const errors: string[] = [];
    d.on("error", (e) => errors.push(e.code));
    await rep1.close();
    await waitFor(() => errors.length >= 1, 3000, "a refused reconnection");
    const rep2 = rep0();
    open.push(rep2);
    await rep2.listen(url);
    await waitFor(() => req.stats().socket.pipesOpen === 1, 3000, "the reconnection");
  });
});

describe("Symbol.asyncDispose", () => {
  it("closes a dialer and a listener at the end of their block", async () => {
    const port = await freePort();
    const rep = rep0();
    const req = req0({ reconnectMin: 20 });
    open.push(rep, req);
    {
      await using l = await rep.listen(`tcp://127.0.0.1:${port}`);
      expect(l.url).toBe(`tcp://127.0.0.1:${port}`);
      await using d = req.dial(l.url);
      await d.connected;
      await waitFor(() => rep.stats().socket.pipesOpen === 1, 3000, "the listener's pipe");
    }
    // The listener is gone: the port can be bound again, and the dialer makes no attempt.
    const again = rep0();
    open.push(again);
    await again.listen(`tcp://127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 100));
    expect(again.stats().socket.connects).toBe(0);
  });

  it("every node transport's dialer has it", async () => {
    const req = req0();
    open.push(req);
    for (const url of [
      "tcp://127.0.0.1:1",
      "ipc:///tmp/sp-no-such.sock",
      "ws://127.0.0.1:1",
      "inproc://nobody-here",
      "tls+tcp://127.0.0.1:1",
      "wss://127.0.0.1:1",
    ]) {
      const d = req.dial(url);
      expect(typeof d[Symbol.asyncDispose], url).toBe("function");
      await d[Symbol.asyncDispose]();
      await expectCode(d.connected, "ECLOSED");
    }
  });
});
