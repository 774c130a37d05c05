/**
 * Dialers created with `{ start: false }` (SP-TCP-13, the `tcp-dialer` machine's `idle`
 * state) on every stream transport that has them: no attempt before `start()`, attempts
 * after it, and typed errors for a second start or a start after close. The peer is a
 * plain stream server that only counts connections, so what it sees is every attempt.
 */
import { existsSync, unlinkSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { uniqueSocketPath } from "../../../testkit/raw-peer.ts";
import { sleep, waitFor } from "../../../testkit/wait.ts";
import { SPError } from "../../core/errors.ts";
import type { Dialer, EndpointOptions } from "../../core/transport.ts";
import { req0 } from "../../protocol/req0/req.ts";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A stream server that accepts and holds connections, counting them. */
async function countingServer(
  where: { port: 0 } | { path: string },
): Promise<{ count: () => number; port: number }> {
  const held: Socket[] = [];
  const server: Server = createServer((s) => {
    s.on("error", () => {});
    held.push(s);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if ("path" in where) server.listen(where.path, () => resolve());
    else server.listen(0, "127.0.0.1", () => resolve());
  });
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of held) s.destroy();
        server.close(() => resolve());
      }),
  );
  const addr = server.address();
  return { count: () => held.length, port: typeof addr === "object" && addr ? addr.port : 0 };
}

interface Scheme {
  name: string;
  /** A counting server and the URL and options to dial it with. */
  peer(): Promise<{ count: () => number; url: string; opts: EndpointOptions }>;
}

const schemes: Scheme[] = [
  {
    name: "tcp",
    async peer() {
      const p = await countingServer({ port: 0 });
      return { count: p.count, url: `tcp://127.0.0.1:${p.port}`, opts: {} };
    },
  },
  {
    name: "ipc",
    async peer() {
      const path = uniqueSocketPath("dialer-start");
      cleanup.push(() => existsSync(path) && unlinkSync(path));
      const p = await countingServer({ path });
      return { count: p.count, url: `ipc://${path}`, opts: {} };
    },
  },
  {
    name: "tls+tcp",
    async peer() {
      const p = await countingServer({ port: 0 });
      return {
        count: p.count,
        url: `tls+tcp://127.0.0.1:${p.port}`,
        opts: { tls: { insecure: true } },
      };
    },
  },
  {
    name: "ws",
    async peer() {
      const p = await countingServer({ port: 0 });
      return { count: p.count, url: `ws://127.0.0.1:${p.port}/x`, opts: {} };
    },
  },
];

function codeOf(f: () => void): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof SPError ? e.code : `not an SPError: ${String(e)}`;
  }
  return undefined;
}

describe.each(schemes)("an unstarted $name dialer", (scheme) => {
  it("makes no attempt until start(), then dials; a second start is ESTATE", async () => {
    const { count, url, opts } = await scheme.peer();
    const s = req0({ reconnectMin: 20, reconnectMax: 0 });
    cleanup.push(() => s.close());
    const d: Dialer = s.dial(url, { ...opts, start: false });
    // Many reconnect intervals: a started dialer would have tried several times by now.
    await sleep(200);
    expect(count()).toBe(0);
    d.start?.();
    await waitFor(() => count() >= 1, 3000, "the first attempt after start()");
    expect(codeOf(() => d.start?.())).toBe("ESTATE");
    await d.close();
    expect(codeOf(() => d.start?.())).toBe("ECLOSED");
  });

  it("closed before start, never dials and rejects connected with ECLOSED", async () => {
    const { count, url, opts } = await scheme.peer();
    const s = req0({ reconnectMin: 20, reconnectMax: 0 });
    cleanup.push(() => s.close());
    const d = s.dial(url, { ...opts, start: false });
    await sleep(50);
    await d.close();
    await expect(d.connected).rejects.toSatisfy(
      (e) => e instanceof SPError && e.code === "ECLOSED",
    );
    expect(codeOf(() => d.start?.())).toBe("ECLOSED");
    await sleep(150);
    expect(count()).toBe(0);
  });

  it("a dialer started by default cannot be started again", async () => {
    const { count, url, opts } = await scheme.peer();
    const s = req0({ reconnectMin: 20, reconnectMax: 0 });
    cleanup.push(() => s.close());
    const d = s.dial(url, opts);
    expect(codeOf(() => d.start?.())).toBe("ESTATE");
    await waitFor(() => count() >= 1, 3000, "the default dialer's attempt");
  });
});

describe("a socket closed with an unstarted dialer", () => {
  it("closes the dialer without any attempt", async () => {
    const tcp = schemes.find((x) => x.name === "tcp");
    if (!tcp) throw new Error("no tcp scheme in the table");
    const { count, url } = await tcp.peer();
    const s = req0({ reconnectMin: 20 });
    const d = s.dial(url, { start: false });
    await sleep(50);
    await s.close();
    await expect(d.connected).rejects.toBeInstanceOf(SPError);
    expect(codeOf(() => d.start?.())).toBe("ECLOSED");
    await sleep(100);
    expect(count()).toBe(0);
  });
});
