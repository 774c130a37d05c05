/**
 * The renegotiation judge (SP-TLS-5) against stand-in IUTs built on Node's
 * TLS server: it must pass every way of closing that the draft allows and fail
 * every way of going on with the session. The case once failed a stack that
 * declines with a `no_renegotiation` warning and then closes, which conforms.
 */
import { constants } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { makeTestCerts } from "../../harness/certs.ts";
import type { CaseContext } from "../types.ts";
import { judgeRenegotiation } from "./renegotiation.ts";
import { type TcpTap, tappedClient, tappedServer } from "./tap.ts";

const certs = makeTestCerts();
afterAll(() => certs.cleanup());

/** What the stand-in IUT does when its client starts renegotiation. */
type Policy = "close-at-once" | "warn-then-close" | "warn-and-go-on" | "complete-and-go-on";

/** The parts of a case context the judge uses; `fail` throws as the runner's does. */
function fakeContext(): { ctx: CaseContext; notes: string[] } {
  const notes: string[] = [];
  const ctx = {
    note: (m: string) => notes.push(m),
    fail: (m: string): never => {
      throw new Error(`FAIL ${m}`);
    },
  } as unknown as CaseContext;
  return { ctx, notes };
}

/** Runs the judge against a stand-in IUT listener following `policy`. */
async function judge(policy: Policy): Promise<{ verdict: string; notes: string[] }> {
  const decline = policy === "warn-then-close" || policy === "warn-and-go-on";
  const taps: TcpTap[] = [];
  const srv = await tappedServer(
    "127.0.0.1",
    {
      cert: certs.serverCert,
      key: certs.serverKey,
      maxVersion: "TLSv1.2",
      // OpenSSL then answers a renegotiating client with a no_renegotiation warning.
      ...(decline ? { secureOptions: constants.SSL_OP_NO_RENEGOTIATION } : {}),
    },
    (tls, tap) => {
      taps.push(tap);
      tls.on("error", () => tls.destroy());
      // A handshake record after the handshake is the client's new ClientHello.
      tap.raw.on("data", (d: Buffer) => {
        if (d[0] !== 0x16) return;
        if (policy === "close-at-once") tap.raw.destroy();
        if (policy === "warn-then-close") setTimeout(() => tap.raw.end(), 100);
      });
    },
    () => {},
  );
  const { tap, tls } = await tappedClient("127.0.0.1", srv.port, {
    ca: certs.caCert,
    servername: "localhost",
    maxVersion: "TLSv1.2",
  });
  await new Promise<void>((resolve, reject) => {
    tls.once("secureConnect", () => resolve());
    tls.once("error", reject);
  });
  const { ctx, notes } = fakeContext();
  try {
    await judgeRenegotiation(ctx, tls, tap, "client");
    return { verdict: "pass", notes };
  } catch (e) {
    return { verdict: (e as Error).message, notes };
  } finally {
    tls.destroy();
    tap.close();
    for (const t of [...taps, ...srv.taps]) t.close();
    srv.server.close();
  }
}

describe("renegotiation judge (SP-TLS-5)", () => {
  it("passes an IUT that closes the connection at once", async () => {
    expect((await judge("close-at-once")).verdict).toBe("pass");
  });

  it("passes an IUT that declines with a warning and then closes", async () => {
    const r = await judge("warn-then-close");
    expect(r.verdict, r.notes.join("\n")).toBe("pass");
    expect(r.notes.join("\n")).toMatch(/declined/);
  });

  it("fails an IUT that declines with a warning and goes on with the session", async () => {
    const r = await judge("warn-and-go-on");
    expect(r.verdict).toMatch(
      /FAIL the IUT declined the renegotiation .* kept the connection open/,
    );
  });

  it("fails an IUT that completes the renegotiation and goes on", async () => {
    const r = await judge("complete-and-go-on");
    expect(r.verdict).toMatch(/FAIL the IUT kept the connection open .*renegotiation completed/);
  });
});
