/**
 * The reference REQ/REP over ws:// against nngcat and nanocat, each side
 * listening in turn. A missing peer binary fails the test.
 */
import { describe, expect, it, vi } from "vitest";
import { rep0, req0 } from "../../reference/index.ts";
import { freePort } from "../../testkit/wait.ts";
import { peer, SPAWN_TEST_TIMEOUT_MS, show, start, trackSockets, waitForPort } from "./harness.ts";

vi.setConfig({ testTimeout: SPAWN_TEST_TIMEOUT_MS });

const track = trackSockets();

describe.each([
  ["nngcat", ["--req0", "--dial"], ["--rep0", "--listen"], ["--data"]],
  ["nanocat", ["--req", "--connect"], ["--rep", "--bind"], ["-D"]],
] as const)("ws:// library ↔ %s", (name, reqArgs, repArgs, dataFlag) => {
  it(`rep0 listening on ws:// ↔ ${name} ${reqArgs.join(" ")}`, async () => {
    const cmd = peer(name);
    const rep = track(rep0());
    const { url } = await rep.listen("ws://127.0.0.1:0/sp");
    const req = start(cmd, [...reqArgs, url, ...dataFlag, "ping", "-Q"]);
    expect((await rep.recv()).toString()).toBe("ping");
    await rep.send("pong");
    const done = await req.done;
    expect(done.stdout.toString("latin1"), show(done)).toBe('"pong"\n');
    expect(done.code, show(done)).toBe(0);
  });

  it(`req0 dialing ws:// ↔ ${name} ${repArgs.join(" ")}`, async () => {
    const cmd = peer(name);
    const port = await freePort();
    const url = `ws://127.0.0.1:${port}/sp`;
    // nanomsg refuses a path when binding (EINVAL) and then serves every path.
    const bindUrl = name === "nanocat" ? `ws://127.0.0.1:${port}` : url;
    const rep = start(cmd, [...repArgs, bindUrl, ...dataFlag, "pong", "-Q"]);
    await waitForPort(port, rep);
    const req = track(req0({ reconnectMin: 50 }));
    await req.dial(url).connected;
    await req.send("ping");
    expect((await req.recv()).toString()).toBe("pong");
    await req.send("again");
    expect((await req.recv()).toString()).toBe("pong");
  });
});
