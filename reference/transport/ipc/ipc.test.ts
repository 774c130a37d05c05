import { spawnSync } from "node:child_process";
import { pbkdf2 } from "node:crypto";
import { existsSync, lstatSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import {
  ipcFrame,
  RawPeer,
  spHeader,
  uniqueSocketPath,
  waitFor,
  words,
} from "../../../testkit/raw-peer.ts";
import { SPError } from "../../core/errors.ts";
import { parseUrl } from "../../core/url.ts";
import { rep0 } from "../../protocol/rep0/rep.ts";
import { req0 } from "../../protocol/req0/req.ts";

const REQ = 0x30;
const open: { close(): unknown }[] = [];
const files: string[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
  for (const f of files.splice(0)) if (existsSync(f)) unlinkSync(f);
});

function track<T extends { close(): unknown }>(o: T): T {
  open.push(o);
  return o;
}

async function repOn(opts = {}) {
  const path = uniqueSocketPath("ipc");
  files.push(path);
  const rep = track(rep0({ recvTimeout: 2000, ...opts }));
  await rep.listen(`ipc://${path}`);
  return { rep, path };
}

/** A raw REQ peer over IPC that has exchanged headers. */
async function reqPeer(path: string): Promise<RawPeer> {
  const p = track(await RawPeer.connect(`ipc://${path}`));
  p.write(spHeader(REQ));
  await waitFor(() => p.header !== null, 2000, "REP header");
  return p;
}

/** Sends a request from a raw peer and checks the IPC-framed reply. */
async function rawRoundTrip(rep: ReturnType<typeof rep0>, p: RawPeer, id: number) {
  p.write(ipcFrame(Buffer.concat([words(id), Buffer.from("ping")])));
  expect((await rep.recv()).toString()).toBe("ping");
  await rep.send("pong");
  await waitFor(() => p.frames.length > 0, 2000, "reply frame");
  expect(p.badType).toBeUndefined();
  expect(p.frames.shift()).toEqual(Buffer.concat([words(id), Buffer.from("pong")]));
}

describe("ipc transport", () => {
  it("parses ipc:// URLs and refuses paths that do not fit", () => {
    expect(parseUrl("ipc:///tmp/a.sock", false).path).toBe("/tmp/a.sock");
    expect(parseUrl("ipc://rel.sock", true).path).toBe("rel.sock");
    expect(() => parseUrl("ipc://", true)).toThrow(SPError);
    expect(() => parseUrl(`ipc:///tmp/${"x".repeat(200)}`, true)).toThrow(/longer than/);
    expect(parseUrl("tcp://127.0.0.1:5555", false)).toMatchObject({
      host: "127.0.0.1",
      port: 5555,
    });
  });

  it("ipc round trip req/rep", async () => {
    const { path } = await repOn();
    const rep = open[0] as ReturnType<typeof rep0>;
    const req = track(req0({ recvTimeout: 2000, reconnectMin: 20 }));
    await req.dial(`ipc://${path}`).connected;
    for (let i = 0; i < 3; i++) {
      await req.send(`hello ${i}`);
      expect((await rep.recv()).toString()).toBe(`hello ${i}`);
      await rep.send(`world ${i}`);
      expect((await req.recv()).toString()).toBe(`world ${i}`);
    }
  });

  it("sends the TCP header and frames with type byte 0x01", async () => {
    const { rep, path } = await repOn();
    const p = await reqPeer(path);
    expect(p.header).toEqual(Buffer.from([0, 0x53, 0x50, 0, 0, 0x31, 0, 0]));
    await rawRoundTrip(rep, p, 0x80000001);
  });

  it("ipc closes a pipe whose type byte is not 1 and keeps serving", async () => {
    const { rep, path } = await repOn();
    const bystander = await reqPeer(path);
    for (const type of [0x00, 0x02, 0xff]) {
      const bad = await reqPeer(path);
      bad.write(ipcFrame(Buffer.concat([words(0x80000002), Buffer.from("bad")]), type));
      await bad.waitEnded();
    }
    expect(rep.getStats().rxBadFrameType).toBe(3);
    await rawRoundTrip(rep, bystander, 0x80000003);
    await rawRoundTrip(rep, await reqPeer(path), 0x80000004);
  });

  it("oversize closes only that pipe", async () => {
    const { rep, path } = await repOn({ recvMaxSize: 64 });
    const bystander = await reqPeer(path);
    const big = await reqPeer(path);
    // Only the prefix: the pipe must close before any payload arrives.
    big.write(ipcFrame(Buffer.alloc(0), 0x01, 65));
    await big.waitEnded();
    expect(rep.getStats().rxOversize).toBe(1);
    await rawRoundTrip(rep, bystander, 0x80000005);
  });

  it("ipc removes a stale socket file but refuses to steal a live one", async () => {
    const path = uniqueSocketPath("stale");
    files.push(path);
    // A listener killed without cleanup leaves its socket file behind.
    const child = spawnSync(process.execPath, [
      "-e",
      `require("net").createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, "SIGKILL"))`,
    ]);
    expect(child.signal).toBe("SIGKILL");
    expect(lstatSync(path).isSocket()).toBe(true);

    const first = track(rep0());
    await first.listen(`ipc://${path}`);
    // The path now has a live listener: a second bind must fail and leave it alone.
    const second = track(rep0());
    await expect(second.listen(`ipc://${path}`)).rejects.toMatchObject({ code: "EADDRINUSE" });
    const p = await reqPeer(path);
    await rawRoundTrip(first, p, 0x80000006);

    // A regular file is never removed.
    const plain = uniqueSocketPath("plain");
    files.push(plain);
    writeFileSync(plain, "keep me");
    await expect(second.listen(`ipc://${plain}`)).rejects.toMatchObject({ code: "EADDRINUSE" });
    expect(readFileSync(plain, "utf8")).toBe("keep me");

    // SP-IPC-11: closing the listener removes its socket file.
    await first.close();
    expect(existsSync(path)).toBe(false);
  });

  it("a connection made the moment the socket file appears is served, not dropped", async () => {
    // listen() has more to do after the bind (it records the file's identity
    // through the libuv thread pool). Keeping that pool busy widens the window
    // in which the file exists but listen() has not returned; a peer that
    // connects right then (as cat mode does, watching /proc) must be served.
    const path = uniqueSocketPath("early");
    files.push(path);
    const rep = track(rep0({ recvTimeout: 2000 }));
    let busy = true;
    const burn = (): void => {
      if (busy) pbkdf2("x", "y", 20_000, 32, "sha256", burn);
    };
    for (let i = 0; i < 8; i++) burn();
    try {
      const bound = rep.listen(`ipc://${path}`);
      await waitFor(() => existsSync(path) && lstatSync(path).isSocket(), 5000, "socket file");
      const early = track(await RawPeer.connect(`ipc://${path}`));
      early.write(spHeader(REQ));
      await bound;
      busy = false;
      await waitFor(() => early.header !== null || early.ended, 3000, "REP header or close");
      expect(early.ended).toBe(false);
      await rawRoundTrip(rep, early, 0x80000009);
    } finally {
      busy = false;
    }
  });

  it("a dialer started before the listener connects once the path appears", async () => {
    const path = uniqueSocketPath("late");
    files.push(path);
    const req = track(req0({ recvTimeout: 2000, reconnectMin: 20 }));
    const d = req.dial(`ipc://${path}`);
    await new Promise((r) => setTimeout(r, 60));
    const rep = track(rep0({ recvTimeout: 2000 }));
    await rep.listen(`ipc://${path}`);
    await d.connected;
    await req.send("late");
    expect((await rep.recv()).toString()).toBe("late");
  });
});

describe("ipc dial failures", () => {
  it("with failFast, a path nobody listens at is ECONNREFUSED; await using removes the socket file", async () => {
    const path = uniqueSocketPath("fail-fast");
    const req = track(req0());
    const d = req.dial(`ipc://${path}`, { failFast: true });
    await expect(d.connected).rejects.toMatchObject({ code: "ECONNREFUSED" });
    const rep = track(rep0());
    {
      await using l = await rep.listen(`ipc://${path}`);
      expect(existsSync(path)).toBe(true);
      await req.dial(l.url, { failFast: true }).connected;
    }
    expect(existsSync(path)).toBe(false);
  });
});
