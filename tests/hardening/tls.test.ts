/**
 * TLS: verification is on by default; a server certificate from the wrong
 * CA, an expired one, or one issued for another name is refused with a clear
 * typed error on the dialer, and nothing reaches the SP layer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import type { SocketBase } from "../../reference/core/socket.ts";
import type { TlsEndpointOptions } from "../../reference/core/transport.ts";
import { req0, TlsDialer } from "../../reference/index.ts";
import { makeTestCerts, type TestCerts } from "../../testkit/certs.ts";
import { waitFor } from "../../testkit/wait.ts";
import { echoRep } from "./wire.ts";

let certs: TestCerts;
beforeAll(() => {
  certs = makeTestCerts();
});
afterAll(() => certs?.cleanup());

const open: SocketBase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** A REP serving `cert`, and a REQ dialing it with `tls`; resolves with the dialer's error. */
async function refusal(
  cert: string,
  tls: TlsEndpointOptions,
): Promise<{ code: string; message: string }> {
  const { rep } = echoRep();
  open.push(rep);
  const { url } = await rep.listen("tls+tcp://127.0.0.1:0", {
    tls: { cert, key: certs.serverKey },
  });
  const req = req0({ reconnectMin: 50, reconnectMax: 200 });
  open.push(req);
  const d = req.dial(url, { tls });
  expect(d).toBeInstanceOf(TlsDialer);
  const dialer = d as TlsDialer;
  await waitFor(() => dialer.lastError !== undefined, 5000, "the TLS refusal");
  expect(rep.stats().socket.connects).toBe(0);
  const e = dialer.lastError as NonNullable<TlsDialer["lastError"]>;
  return { code: e.code, message: e.message };
}

describe("TLS peer verification", () => {
  test("the right CA and name connect (control)", async () => {
    const { rep } = echoRep();
    open.push(rep);
    const { url } = await rep.listen("tls+tcp://127.0.0.1:0", {
      tls: { cert: certs.serverCert, key: certs.serverKey },
    });
    const req = req0({ recvTimeout: 5000 });
    open.push(req);
    await req.dial(url, { tls: { ca: certs.caCert } }).connected;
    await req.send("x");
    expect((await req.recv()).toString()).toBe("reply:x");
  });

  test("verification is on by default: a private CA is not trusted without `ca`", async () => {
    const e = await refusal(certs.serverCert, {});
    expect(e.code).toBe("EPEERAUTH");
    expect(e.message).toMatch(/TLS peer verification failed/);
  });

  test("a certificate from the wrong CA is refused", async () => {
    const e = await refusal(certs.serverCert, { ca: certs.otherCaCert });
    expect(e.code).toBe("EPEERAUTH");
    expect(e.message).toMatch(/TLS peer verification failed/);
  });

  test("an expired certificate is refused", async () => {
    const e = await refusal(certs.expiredCert, { ca: certs.caCert });
    expect(e.code).toBe("EPEERAUTH");
    expect(e.message).toMatch(/TLS peer verification failed \(CERT_HAS_EXPIRED\)/);
  });

  test("a certificate for another name is refused", async () => {
    const e = await refusal(certs.wrongNameCert, { ca: certs.caCert });
    expect(e.code).toBe("EPEERAUTH");
    expect(e.message).toMatch(/TLS peer verification failed \(ERR_TLS_CERT_ALTNAME_INVALID\)/);
  });
});
