/**
 * SP-TLS-5 in the tls+tcp:// transport: a TLS 1.2 renegotiation started by the
 * peer closes the connection, on an accepted socket and on a dialed one, and
 * only that connection.
 */
import { createServer, type TLSSocket, connect as tlsConnect } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { makeTestCerts, type TestCerts } from "../../../testkit/certs.ts";
import { until } from "../../../testkit/wait.ts";
import type { SocketBase } from "../../core/socket.ts";
import { rep0, req0 } from "../../index.ts";
import type { TlsDialer } from "./index.ts";

let certs: TestCerts;
beforeAll(() => {
  certs = makeTestCerts();
});
afterAll(() => certs?.cleanup());

const open: SocketBase[] = [];
const cleanups: (() => void)[] = [];
function track<T extends SocketBase>(s: T): T {
  open.push(s);
  return s;
}
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** The SP header of a REQ socket (protocol 0x30). */
const REQ_HEADER = Buffer.from([0, 0x53, 0x50, 0, 0, 0x30, 0, 0]);
/** The SP header of a REP socket (protocol 0x31). */
const REP_HEADER = Buffer.from([0, 0x53, 0x50, 0, 0, 0x31, 0, 0]);

/** A TLS 1.2 client to `port` that has exchanged SP headers with a REP. */
function tls12Client(port: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({
      host: "127.0.0.1",
      port,
      ca: certs.caCert,
      servername: "localhost",
      maxVersion: "TLSv1.2",
    });
    cleanups.push(() => s.destroy());
    s.once("error", reject);
    s.once("secureConnect", () => {
      s.write(REQ_HEADER);
      s.once("data", () => resolve(s));
    });
  });
}

describe("SP-TLS-5: renegotiation closes the connection", () => {
  test("a listener closes a TLS 1.2 connection whose client starts renegotiation", async () => {
    const rep = track(rep0());
    const l = await rep.listen("tls+tcp://127.0.0.1:0", {
      tls: { cert: certs.serverCert, key: certs.serverKey },
    });
    const port = Number(l.url.split(":").pop());
    const client = await tls12Client(port);
    expect(client.getProtocol()).toBe("TLSv1.2");
    let closed = false;
    client.on("close", () => {
      closed = true;
    });
    client.on("error", () => {});
    let completed = false;
    expect(client.renegotiate({}, (err) => (completed = err === null))).toBe(true);
    expect(await until(() => closed, 4000)).toBe(true);
    expect(completed).toBe(false);
    expect(rep.getStats().tlsRenegotiationRefused).toBe(1);
    // Only that connection: a new one is served.
    const req = track(req0());
    await req.dial(l.url, { tls: { ca: certs.caCert } }).connected;
    await req.send("after renegotiation");
    expect((await rep.recv()).toString()).toBe("after renegotiation");
  });

  test("a dialer closes the connection when the server starts renegotiation", async () => {
    const accepted: TLSSocket[] = [];
    const server = createServer(
      { cert: certs.serverCert, key: certs.serverKey, maxVersion: "TLSv1.2" },
      (s) => {
        s.on("error", () => {});
        s.on("data", () => {}); // reading lets the server's side of the new handshake proceed
        s.write(REP_HEADER);
        accepted.push(s);
      },
    );
    cleanups.push(() => {
      for (const s of accepted) s.destroy();
      server.close();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const req = track(req0({ reconnectMin: 50 }));
    const d = req.dial(`tls+tcp://127.0.0.1:${port}`, {
      tls: { ca: certs.caCert, servername: "localhost" },
    }) as TlsDialer;
    await d.connected;
    const first = accepted[0] as TLSSocket;
    let closed = false;
    first.on("close", () => {
      closed = true;
    });
    expect(first.renegotiate({}, () => {})).toBe(true);
    expect(await until(() => closed, 4000)).toBe(true);
    expect(req.getStats().tlsRenegotiationRefused).toBe(1);
    expect(d.lastError?.message).toMatch(/renegotiation/);
    // The dialer reconnects (SP-TLS-18): the refusal ended that connection only (SP-TLS-14).
    expect(await until(() => accepted.length >= 2, 4000)).toBe(true);
  });
});
