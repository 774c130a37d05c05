import { createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { makeTestCerts, type TestCerts } from "../../../testkit/certs.ts";
import { until } from "../../../testkit/wait.ts";
import type { SPError } from "../../core/errors.ts";
import type { SocketBase } from "../../core/socket.ts";
import { rep0, req0 } from "../../index.ts";
import type { TlsDialer } from "./index.ts";

let certs: TestCerts;
beforeAll(() => {
  certs = makeTestCerts();
});
afterAll(() => certs?.cleanup());

const open: SocketBase[] = [];
function track<T extends SocketBase>(s: T): T {
  open.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function serving(scheme = "tls+tcp", path = "") {
  const rep = track(rep0());
  const l = await rep.listen(`${scheme}://127.0.0.1:0${path}`, {
    tls: { cert: certs.serverCert, key: certs.serverKey },
  });
  return { rep, url: l.url };
}

describe("tls+tcp:// transport", () => {
  test("tls verifies the certificate by default", async () => {
    const { rep, url } = await serving();
    expect(url).toMatch(/^tls\+tcp:\/\/127\.0\.0\.1:\d+$/);
    // No CA given: the system store does not know our test CA, so the dial never attaches.
    const req = track(req0({ reconnectMin: 50 }));
    const d = req.dial(url) as TlsDialer;
    expect(await until(() => d.lastError !== undefined)).toBe(true);
    expect(d.lastError?.code).toBe("EPEERAUTH");
    expect(d.lastError?.message).toMatch(/verification failed/);
    expect(req.getStats().tlsVerifyFailed).toBeGreaterThan(0);
    // `insecure` turns verification off explicitly (SP-TLS-16, SP-TLS-9).
    const loose = track(req0());
    await loose.dial(url, { tls: { insecure: true } }).connected;
    await loose.send("unverified");
    expect((await rep.recv()).toString()).toBe("unverified");
  });

  test("tls with the right CA works", async () => {
    const { rep, url } = await serving();
    const req = track(req0());
    await req.dial(url, { tls: { ca: certs.caCert } }).connected;
    await req.send("hello over tls");
    expect((await rep.recv()).toString()).toBe("hello over tls");
    await rep.send("hi");
    expect((await req.recv()).toString()).toBe("hi");
    // By DNS name too (SNI + name check against the certificate's SAN).
    const byName = track(req0());
    const port = url.split(":").pop();
    await byName.dial(`tls+tcp://localhost:${port}`, { tls: { ca: certs.caCert } }).connected;
  });

  test("tls with the wrong CA is refused with a clear error", async () => {
    const { url } = await serving();
    const req = track(req0({ reconnectMin: 50 }));
    const d = req.dial(url, { tls: { ca: certs.otherCaCert } }) as TlsDialer;
    expect(await until(() => d.lastError !== undefined)).toBe(true);
    expect(d.lastError?.code).toBe("EPEERAUTH");
    expect(d.lastError?.message).toMatch(/TLS peer verification failed \(\w+\)/);
    // A wrong server name fails the same way even with the right CA (SP-TLS-7).
    const wrongName = track(req0({ reconnectMin: 50 }));
    const d2 = wrongName.dial(url, {
      tls: { ca: certs.caCert, servername: "elsewhere.example" },
    }) as TlsDialer;
    expect(await until(() => d2.lastError !== undefined)).toBe(true);
    expect(d2.lastError?.message).toMatch(/ALTNAME|does not match/i);
  });

  test("a tls listener without a certificate is EINVAL", async () => {
    await expect(track(rep0()).listen("tls+tcp://127.0.0.1:0")).rejects.toMatchObject({
      code: "EINVAL",
    });
  });

  test("oversize frames over tls close the connection", async () => {
    const rep = track(rep0({ recvMaxSize: 64 }));
    const l = await rep.listen("tls+tcp://127.0.0.1:0", {
      tls: { cert: certs.serverCert, key: certs.serverKey },
    });
    const req = track(req0());
    await req.dial(l.url, { tls: { ca: certs.caCert } }).connected;
    await req.send(Buffer.alloc(100));
    expect(await until(() => (rep.getStats().rxOversize ?? 0) > 0)).toBe(true);
  });
});

describe("wss:// transport", () => {
  test("wss round trip with the right CA; the wrong CA is refused", async () => {
    const { rep, url } = await serving("wss", "/secure");
    expect(url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/secure$/);
    const req = track(req0());
    await req.dial(url, { tls: { ca: certs.caCert } }).connected;
    await req.send("wss");
    expect((await rep.recv()).toString()).toBe("wss");
    const bad = track(req0({ reconnectMin: 50 }));
    const d = bad.dial(url, { tls: { ca: certs.otherCaCert } }) as unknown as TlsDialer;
    expect(await until(() => d.lastError !== undefined)).toBe(true);
    expect(d.lastError?.code).toBe("EPEERAUTH");
    expect(d.lastError?.message).toMatch(/TLS peer verification failed/);
  });

  test("a wss dial with failFast: the wrong CA is EPEERAUTH, a refusal ECONNREFUSED", async () => {
    const { url } = await serving("wss", "/secure");
    const req = track(req0());
    const d = req.dial(url, { tls: { ca: certs.otherCaCert }, failFast: true });
    const events: string[] = [];
    d.on("error", (e) => events.push(e.code));
    await expect(d.connected).rejects.toMatchObject({ code: "EPEERAUTH" });
    expect(events).toEqual(["EPEERAUTH"]);
    const port = await closedPort();
    await expect(
      req.dial(`wss://127.0.0.1:${port}/x`, { failFast: true }).connected,
    ).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });
});

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe("tls+tcp:// dial failures as events and with failFast", () => {
  test("each failed verification is an EPEERAUTH error event while the dialer retries", async () => {
    const { url } = await serving();
    const req = track(req0({ reconnectMin: 20, reconnectMax: 40 }));
    const d = req.dial(url, { tls: { ca: certs.otherCaCert } });
    const events: SPError[] = [];
    d.on("error", (e) => events.push(e));
    expect(await until(() => events.length >= 2)).toBe(true);
    expect(events.map((e) => e.code)).toEqual(events.map(() => "EPEERAUTH"));
    expect(events[0]?.message).toMatch(/TLS peer verification failed \(\w+\)/);
  });

  test("failFast: no CA, the wrong CA and the wrong name reject connected with EPEERAUTH", async () => {
    const { url } = await serving();
    for (const tls of [
      {},
      { ca: certs.otherCaCert },
      { ca: certs.caCert, servername: "elsewhere.example" },
    ]) {
      const req = track(req0());
      const d = req.dial(url, { tls, failFast: true });
      await expect(d.connected).rejects.toMatchObject({ code: "EPEERAUTH" });
    }
  });

  test("failFast: a refused connection is ECONNREFUSED", async () => {
    const req = track(req0());
    const port = await closedPort();
    await expect(
      req.dial(`tls+tcp://127.0.0.1:${port}`, { failFast: true }).connected,
    ).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  test("failFast: a peer that does not speak TLS is ECRYPTO", async () => {
    const plain = track(rep0());
    const { url } = await plain.listen("tcp://127.0.0.1:0");
    const req = track(req0());
    const d = req.dial(url.replace("tcp://", "tls+tcp://"), {
      tls: { insecure: true },
      failFast: true,
    });
    await expect(d.connected).rejects.toMatchObject({ code: "ECRYPTO" });
  });

  test("failFast with the right CA connects; the dialer disposes with await using", async () => {
    const { rep, url } = await serving();
    const req = track(req0());
    {
      await using d = req.dial(url, { tls: { ca: certs.caCert }, failFast: true }) as TlsDialer;
      await d.connected;
      await req.send("over tls");
      expect((await rep.recv()).toString()).toBe("over tls");
    }
    expect(await until(() => rep.stats().socket.pipesOpen === 0)).toBe(true);
  });
});
