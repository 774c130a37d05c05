/**
 * SP-WS-22: a listener takes an empty request target as "/", over ws:// and
 * wss://, and a dialer whose URL has no path requests "/".
 */
import { randomBytes } from "node:crypto";
import { connect, createServer, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { makeTestCerts, type TestCerts } from "../../../testkit/certs.ts";
import type { SocketBase } from "../../core/socket.ts";
import { rep0, req0 } from "../../index.ts";
import { fillEmptyTarget } from "./request-line.ts";

const open: SocketBase[] = [];
const raw: Socket[] = [];
function track<T extends SocketBase>(s: T): T {
  open.push(s);
  return s;
}
afterEach(async () => {
  for (const s of raw.splice(0)) s.destroy();
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** The upgrade request nng 1.5.2 sends for `ws://host:port` (no path). */
function emptyTargetRequest(host: string, protocol = "rep.sp.nanomsg.org"): string {
  return [
    "GET  HTTP/1.1",
    `Host: ${host}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
    "Sec-WebSocket-Version: 13",
    `Sec-WebSocket-Protocol: ${protocol}`,
    "",
    "",
  ].join("\r\n");
}

/** Collects what `sock` receives; `take` waits for a predicate on the bytes so far. */
function collector(sock: Socket) {
  let buf = Buffer.alloc(0);
  let wake: (() => void) | undefined;
  sock.on("data", (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    wake?.();
  });
  sock.on("close", () => wake?.());
  sock.on("error", () => {});
  return {
    /** Waits until `find(buf)` returns a length; removes and returns those bytes. */
    async take(find: (b: Buffer) => number | undefined, ms = 2000): Promise<Buffer> {
      const deadline = Date.now() + ms;
      for (;;) {
        const n = find(buf);
        if (n !== undefined) {
          const out = buf.subarray(0, n);
          buf = buf.subarray(n);
          return out;
        }
        if (sock.destroyed || Date.now() > deadline)
          throw new Error(
            `nothing complete within ${ms} ms; have ${JSON.stringify(buf.toString("latin1"))}`,
          );
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 20);
        });
      }
    },
  };
}

const headEnd = (b: Buffer) => {
  const i = b.indexOf("\r\n\r\n");
  return i < 0 ? undefined : i + 4;
};

/** One unmasked server frame with a payload under 126 bytes. */
const smallFrame = (b: Buffer) => (b.length >= 2 ? 2 + ((b[1] as number) & 0x7f) : undefined);

/** A masked, final BINARY frame (client to server). */
function clientFrame(payload: Uint8Array): Buffer {
  const mask = randomBytes(4);
  const body = Buffer.from(payload).map((x, i) => x ^ (mask[i % 4] as number));
  return Buffer.concat([Buffer.from([0x82, 0x80 | payload.length]), mask, body]);
}

const REQ_ID = [0x80, 0, 0, 1];

/** Upgrades with an empty target, then sends one request and reads the reply on the wire. */
async function exchange(sock: Socket, rep: SocketBase, host: string, chunked = false) {
  const rx = collector(sock);
  const request = Buffer.from(emptyTargetRequest(host), "latin1");
  if (!chunked) sock.write(request);
  else
    for (const b of request) {
      sock.write(Buffer.from([b]));
      await new Promise((r) => setTimeout(r, 1));
    }
  const head = (await rx.take(headEnd)).toString("latin1");
  expect(head).toMatch(/^HTTP\/1\.1 101 /);
  expect(head).toMatch(/^sec-websocket-protocol: rep\.sp\.nanomsg\.org\r$/im);
  sock.write(clientFrame(new Uint8Array([...REQ_ID, ...Buffer.from("hi")])));
  expect((await rep.recv()).toString()).toBe("hi");
  await rep.send("ho");
  const f = await rx.take(smallFrame);
  expect(f[0]).toBe(0x82);
  expect([...f.subarray(2)]).toEqual([...REQ_ID, ...Buffer.from("ho")]);
}

function tcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port }, () => resolve(s));
    s.once("error", reject);
    raw.push(s);
  });
}

const portOf = (url: string) => Number(new URL(url).port);

describe("fillEmptyTarget", () => {
  const fill = (s: string) => fillEmptyTarget(Buffer.from(s, "latin1")).toString("latin1");
  test("an empty target becomes /", () => {
    expect(fill("GET  HTTP/1.1\r\nHost: x\r\n\r\n")).toBe("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(fill("GET  HTTP/1.0\r\n")).toBe("GET / HTTP/1.0\r\n");
  });
  test("anything else is left alone", () => {
    for (const s of [
      "GET / HTTP/1.1\r\n",
      "GET /a?b HTTP/1.1\r\n",
      "GET  /a HTTP/1.1\r\n",
      "GET HTTP/1.1\r\n",
      " GET  HTTP/1.1\r\n",
      "\x16\x03\x01\x02\x00",
      "",
    ])
      expect(fill(s)).toBe(s);
  });
});

describe("ws:// listener and an empty request target (SP-WS-22)", () => {
  test("a raw client sending `GET  HTTP/1.1` is upgraded (101) and exchanges a message", async () => {
    const rep = track(rep0());
    const { url } = await rep.listen("ws://127.0.0.1:0");
    const sock = await tcp(portOf(url));
    await exchange(sock, rep, new URL(url).host);
  });

  test("the request line may arrive a byte at a time", async () => {
    const rep = track(rep0());
    const { url } = await rep.listen("ws://127.0.0.1:0/");
    const sock = await tcp(portOf(url));
    await exchange(sock, rep, new URL(url).host, true);
  });

  test("an empty target is routed to / only, not to other paths", async () => {
    const rep = track(rep0());
    const { url } = await rep.listen("ws://127.0.0.1:0/other");
    const sock = await tcp(portOf(url));
    const rx = collector(sock);
    sock.write(emptyTargetRequest(new URL(url).host));
    expect((await rx.take(headEnd)).toString("latin1")).toMatch(/^HTTP\/1\.1 404 /);
  });

  test("peers that leave early or send junk do not disturb the listener", async () => {
    const rep = track(rep0());
    const { url } = await rep.listen("ws://127.0.0.1:0");
    const port = portOf(url);
    (await tcp(port)).end();
    const half = await tcp(port);
    half.write("GE");
    half.destroy();
    const junk = await tcp(port);
    const rx = collector(junk);
    junk.write("NOT A REQUEST AT ALL\r\n\r\n");
    expect((await rx.take(headEnd)).toString("latin1")).toMatch(/^HTTP\/1\.1 400 /);
    const req = track(req0());
    await req.dial(url).connected;
    await req.send("still there");
    expect((await rep.recv()).toString()).toBe("still there");
  });
});

describe("wss:// listener and an empty request target (SP-WS-22)", () => {
  let certs: TestCerts;
  beforeAll(() => {
    certs = makeTestCerts();
  });
  afterAll(() => certs?.cleanup());

  test("the fix applies to the decrypted request line", async () => {
    const rep = track(rep0());
    const { url } = await rep.listen("wss://127.0.0.1:0", {
      tls: { cert: certs.serverCert, key: certs.serverKey },
    });
    const sock = await new Promise<Socket>((resolve, reject) => {
      const s = tlsConnect({ host: "127.0.0.1", port: portOf(url), ca: certs.caCert }, () =>
        resolve(s),
      );
      s.once("error", reject);
      raw.push(s);
    });
    await exchange(sock, rep, new URL(url).host);
  });
});

describe("ws:// dialer with a URL without a path (SP-WS-21)", () => {
  test("requests / and never an empty target", async () => {
    const lines: string[] = [];
    const srv = createServer((c) => {
      c.once("data", (d: Buffer) => {
        lines.push(d.toString("latin1").split("\r\n")[0] as string);
        c.destroy();
      });
    });
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as { port: number }).port;
    try {
      for (const u of [`ws://127.0.0.1:${port}`, `ws://127.0.0.1:${port}?q=1`]) {
        const req = track(req0({ reconnectMin: 1000 }));
        req.dial(u);
        const deadline = Date.now() + 2000;
        const before = lines.length;
        while (lines.length === before && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 10));
        await req.close();
      }
      expect(lines).toEqual(["GET / HTTP/1.1", "GET /?q=1 HTTP/1.1"]);
    } finally {
      srv.close();
    }
  });
});
