import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import type { SocketBase } from "../../core/socket.ts";
import { rep0, req0 } from "../../index.ts";
import type { TlsDialer } from "./index.ts";
import { makeTestCerts, type TestCerts } from "../../../testkit/certs.ts";

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

/** Waits up to `ms` for `pred`. */
async function until(pred: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return pred();
}

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
    expect(d.lastError?.code).toBe("EPROTO");
    expect(d.lastError?.message).toMatch(/verification failed/);
    expect(req.getStats().tlsVerifyFailed).toBeGreaterThan(0);
    // `insecure` turns verification off explicitly (SP-TLS-9).
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
    expect(d.lastError?.code).toBe("EPROTO");
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
    expect(d.lastError?.code).toBe("EPROTO");
    expect(d.lastError?.message).toMatch(/TLS peer verification failed/);
  });
});
