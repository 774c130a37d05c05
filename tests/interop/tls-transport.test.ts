/**
 * The reference REQ/REP over tls+tcp:// against nngcat (nanomsg has no TLS),
 * each side listening in turn, with certificates made by openssl at test time.
 * A missing peer binary fails the test.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { rep0, req0 } from "../../reference/index.ts";
import { makeTestCerts, type TestCerts } from "../../testkit/certs.ts";
import { freePort } from "../../testkit/wait.ts";
import { peer, SPAWN_TEST_TIMEOUT_MS, show, start, trackSockets, waitForPort } from "./harness.ts";

vi.setConfig({ testTimeout: SPAWN_TEST_TIMEOUT_MS });

let certs: TestCerts;
beforeAll(() => {
  certs = makeTestCerts();
});
afterAll(() => certs?.cleanup());

const track = trackSockets();

describe("tls+tcp:// library ↔ nngcat", () => {
  it("rep0 listening on tls+tcp:// ↔ nngcat --req0 --dial --cacert", async () => {
    const cmd = peer("nngcat");
    const rep = track(rep0());
    const { url } = await rep.listen("tls+tcp://127.0.0.1:0", {
      tls: { cert: certs.serverCert, key: certs.serverKey },
    });
    const port = url.split(":").pop();
    // nngcat verifies the server against the CA and the name in the URL.
    const req = start(cmd, [
      "--req0",
      "--dial",
      `tls+tcp://localhost:${port}`,
      "--cacert",
      certs.caPath,
      "--data",
      "ping",
      "-Q",
    ]);
    expect((await rep.recv()).toString()).toBe("ping");
    await rep.send("pong");
    const done = await req.done;
    expect(done.stdout.toString("latin1"), show(done)).toBe('"pong"\n');
    expect(done.code, show(done)).toBe(0);
  });

  it("req0 dialing tls+tcp:// ↔ nngcat --rep0 --listen --cert --key", async () => {
    const cmd = peer("nngcat");
    const port = await freePort();
    const rep = start(cmd, [
      "--rep0",
      "--listen",
      `tls+tcp://127.0.0.1:${port}`,
      "--cert",
      certs.serverCertPath,
      "--key",
      certs.serverKeyPath,
      "--data",
      "pong",
      "-Q",
    ]);
    await waitForPort(port, rep);
    const req = track(req0({ reconnectMin: 50 }));
    await req.dial(`tls+tcp://localhost:${port}`, { tls: { ca: certs.caCert } }).connected;
    await req.send("ping");
    expect((await req.recv()).toString()).toBe("pong");
  });
});
