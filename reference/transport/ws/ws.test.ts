import { afterEach, describe, expect, test } from "vitest";
import { WebSocket } from "ws";
import type { SocketBase } from "../../core/socket.ts";
import { rep0, req0 } from "../../index.ts";

const open: SocketBase[] = [];
function track<T extends SocketBase>(s: T): T {
  open.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** Connects a raw WebSocket client; resolves with the socket once open, or rejects with the HTTP status. */
function rawClient(url: string, protocols: string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) => {
      reject(new Error(`HTTP ${res.statusCode}`));
      ws.terminate();
    });
    ws.once("error", reject);
  });
}

function closeCode(ws: WebSocket, ms = 2000): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("no close within bound")), ms);
    ws.once("close", (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}

function nextMessage(ws: WebSocket, ms = 2000): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("no message within bound")), ms);
    ws.once("message", (data: Buffer, isBinary: boolean) => {
      clearTimeout(t);
      resolve({ data, isBinary });
    });
  });
}

describe("ws:// transport", () => {
  test("ws round trip req/rep", async () => {
    const rep = track(rep0());
    const req = track(req0());
    const l = await rep.listen("ws://127.0.0.1:0/echo");
    expect(l.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/echo$/);
    await req.dial(l.url).connected;
    await req.send("ping");
    expect((await rep.recv()).toString()).toBe("ping");
    await rep.send("pong");
    expect((await req.recv()).toString()).toBe("pong");
  });

  test("two sockets share one port by path", async () => {
    const a = track(rep0());
    const b = track(rep0());
    const la = await a.listen("ws://127.0.0.1:0/a");
    const port = new URL(la.url).port;
    const lb = await b.listen(`ws://127.0.0.1:${port}/b`);
    expect(new URL(lb.url).port).toBe(port);
    for (const [sock, path] of [
      [a, "/a"],
      [b, "/b"],
    ] as const) {
      const req = track(req0());
      req.dial(`ws://127.0.0.1:${port}${path}`);
      await req.send(`to ${path}`);
      expect((await sock.recv()).toString()).toBe(`to ${path}`);
      await sock.send(`from ${path}`);
      expect((await req.recv()).toString()).toBe(`from ${path}`);
    }
    // SP-WS-13: a path nobody listens on is refused; a taken path is EADDRINUSE.
    await expect(rawClient(`ws://127.0.0.1:${port}/c`, ["rep.sp.nanomsg.org"])).rejects.toThrow(
      "HTTP 404",
    );
    await expect(track(rep0()).listen(`ws://127.0.0.1:${port}/a`)).rejects.toMatchObject({
      code: "EADDRINUSE",
    });
    // The server stays up while one of its paths remains.
    await a.close();
    const again = await rawClient(`ws://127.0.0.1:${port}/b`, ["rep.sp.nanomsg.org"]);
    expect(again.protocol).toBe("rep.sp.nanomsg.org");
    again.terminate();
  });

  test("a ws client without the subprotocol is refused", async () => {
    const rep = track(rep0());
    const { url } = await rep.listen("ws://127.0.0.1:0/");
    await expect(rawClient(url, [])).rejects.toThrow("HTTP 400");
    await expect(rawClient(url, ["req.sp.nanomsg.org"])).rejects.toThrow("HTTP 400");
    expect(rep.getStats().wsUpgradeRefused).toBe(2);
    // The right name is echoed (SP-WS-3).
    const ok = await rawClient(url, ["chat", "rep.sp.nanomsg.org"]);
    expect(ok.protocol).toBe("rep.sp.nanomsg.org");
    ok.terminate();
  });

  test("a dialer refuses a server that answers another subprotocol", async () => {
    const { WebSocketServer } = await import("ws");
    const wss = new WebSocketServer({
      port: 0,
      host: "127.0.0.1",
      handleProtocols: () => "pub.sp.nanomsg.org",
    });
    await new Promise((r) => wss.once("listening", r));
    const port = (wss.address() as { port: number }).port;
    let accepted = 0;
    wss.on("connection", () => accepted++);
    const req = track(req0({ reconnectMin: 50 }));
    const d = req.dial(`ws://127.0.0.1:${port}/`);
    const deadline = Date.now() + 2000;
    while (accepted < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    expect(accepted).toBeGreaterThan(0);
    expect(req.getStats().wsUpgradeRefused ?? 0).toBeGreaterThan(0);
    await d.close();
    await new Promise((r) => wss.close(() => r(undefined)));
  });

  test("each SP message is one binary ws message without an SP header", async () => {
    const rep = track(rep0());
    const { url } = await rep.listen("ws://127.0.0.1:0/");
    const ws = await rawClient(url, ["rep.sp.nanomsg.org"]);
    ws.send(Buffer.from([0x80, 0, 0, 1, 0x68, 0x69]));
    expect((await rep.recv()).toString()).toBe("hi");
    const reply = nextMessage(ws);
    await rep.send("yo");
    const m = await reply;
    expect(m.isBinary).toBe(true);
    expect([...m.data]).toEqual([0x80, 0, 0, 1, 0x79, 0x6f]);
    // Fragmented messages are reassembled (SP-WS-10).
    ws.send(Buffer.from([0x80, 0, 0, 2]), { fin: false });
    ws.send(Buffer.from("ab"), { fin: true });
    expect((await rep.recv()).toString()).toBe("ab");
    ws.terminate();
  });

  test("text frame closes the connection", async () => {
    const rep = track(rep0());
    const { url } = await rep.listen("ws://127.0.0.1:0/");
    const bad = await rawClient(url, ["rep.sp.nanomsg.org"]);
    const good = await rawClient(url, ["rep.sp.nanomsg.org"]);
    const code = closeCode(bad);
    bad.send("\u0080\u0000\u0000\u0001hello", { binary: false });
    expect(await code).toBe(1003);
    expect(rep.getStats().rxText).toBe(1);
    // Only that connection closed (SP-WS-16).
    good.send(Buffer.from([0x80, 0, 0, 9, 0x6f, 0x6b]));
    expect((await rep.recv()).toString()).toBe("ok");
    good.terminate();
  });

  test("oversize ws message closes with 1009", async () => {
    const rep = track(rep0({ recvMaxSize: 1024 }));
    const { url } = await rep.listen("ws://127.0.0.1:0/");
    const ws = await rawClient(url, ["rep.sp.nanomsg.org"]);
    const code = closeCode(ws);
    ws.send(Buffer.alloc(2048));
    expect(await code).toBe(1009);
    expect(rep.getStats().rxOversize).toBe(1);
    // Exactly the limit is fine.
    const ok = await rawClient(url, ["rep.sp.nanomsg.org"]);
    const body = Buffer.alloc(1020, 0x61);
    ok.send(Buffer.concat([Buffer.from([0x80, 0, 0, 3]), body]));
    expect((await rep.recv()).length).toBe(1020);
    ok.terminate();
  });

  test("PING is answered with PONG and not delivered", async () => {
    const rep = track(rep0({ recvTimeout: 200 }));
    const { url } = await rep.listen("ws://127.0.0.1:0/");
    const ws = await rawClient(url, ["rep.sp.nanomsg.org"]);
    const pong = new Promise<Buffer>((r) => ws.once("pong", r));
    ws.ping(Buffer.from([0x80, 0, 0, 1]));
    expect([...(await pong)]).toEqual([0x80, 0, 0, 1]);
    await expect(rep.recv()).rejects.toMatchObject({ code: "ETIMEDOUT" });
    ws.terminate();
  });

  test("a dialer reconnects after the listener comes back", async () => {
    const rep = track(rep0());
    const { url } = await rep.listen("ws://127.0.0.1:0/x");
    const req = track(req0({ reconnectMin: 30 }));
    await req.dial(url).connected;
    await rep.close();
    const rep2 = track(rep0());
    await rep2.listen(url);
    await req.send("again");
    expect((await rep2.recv()).toString()).toBe("again");
  });
});

describe("ws dial failures", () => {
  test("failed attempts are error events; failFast rejects connected with the first", async () => {
    const rep = track(rep0());
    const { url } = await rep.listen("ws://127.0.0.1:0/here");
    const req = track(req0({ reconnectMin: 20, reconnectMax: 40 }));
    // Nothing serves this path: the upgrade is refused (HTTP 404).
    const d = req.dial(url.replace("/here", "/elsewhere"));
    const events: string[] = [];
    d.on("error", (e) => events.push(`${e.code} ${e.message}`));
    const deadline = Date.now() + 3000;
    while (events.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events[0]).toMatch(/^ECONNREFUSED .*HTTP 404/);
    const once = req.dial(url.replace("/here", "/elsewhere"), { failFast: true });
    await expect(once.connected).rejects.toMatchObject({ code: "ECONNREFUSED" });
    const port = Number(new URL(url).port);
    await rep.close();
    await expect(
      req.dial(`ws://127.0.0.1:${port}/here`, { failFast: true }).connected,
    ).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  test("a ws listener closes with await using", async () => {
    const rep = track(rep0());
    let url = "";
    {
      await using l = await rep.listen("ws://127.0.0.1:0/gone");
      url = l.url;
    }
    const again = track(rep0());
    await again.listen(url);
  });
});
