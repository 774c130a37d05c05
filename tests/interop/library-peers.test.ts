/**
 * The reference library itself (req0/rep0) against nngcat and nanocat over
 * TCP, each side listening in turn.
 */
import { describe, expect, it, vi } from "vitest";
import { rep0, req0 } from "../../reference/index.ts";
import { freePort, waitFor } from "../../testkit/wait.ts";
import {
  CHILD_WAIT_MS,
  peer,
  SPAWN_TEST_TIMEOUT_MS,
  show,
  start,
  trackSockets,
  waitForPort,
} from "./harness.ts";

vi.setConfig({ testTimeout: SPAWN_TEST_TIMEOUT_MS });

const track = trackSockets();

const text = (b: Uint8Array) => Buffer.from(b).toString("latin1");

describe.each([
  ["nngcat", ["--req0", "--dial"], ["--rep0", "--listen"], ["--data"]],
  ["nanocat", ["--req", "--connect"], ["--rep", "--bind"], ["-D"]],
] as const)("library ↔ %s", (name, reqArgs, repArgs, dataFlag) => {
  it(`rep0 listening ↔ ${name} ${reqArgs.join(" ")}`, async () => {
    const cmd = peer(name);
    const rep = track(rep0());
    const { url } = await rep.listen("tcp://127.0.0.1:0");
    const req = start(cmd, [...reqArgs, url, ...dataFlag, "ping\x01", "-Q"]);
    const got = await rep.recv();
    expect(text(got)).toBe("ping\x01");
    await rep.send("pong");
    const done = await req.done;
    expect(done.stdout.toString("latin1"), show(done)).toBe('"pong"\n');
    expect(done.code, show(done)).toBe(0);
  });

  it(`req0 dialing ↔ ${name} ${repArgs.join(" ")}`, async () => {
    const cmd = peer(name);
    const port = await freePort();
    const url = `tcp://127.0.0.1:${port}`;
    const rep = start(cmd, [...repArgs, url, ...dataFlag, "pong", "-Q"]);
    await waitForPort(port, rep);
    const req = track(req0());
    await req.dial(url).connected;
    await req.send(Uint8Array.of(0x70, 0x00, 0xff));
    expect(text(await req.recv())).toBe("pong");
    // A second request on the same connection.
    await req.send("again");
    expect(text(await req.recv())).toBe("pong");
    await waitFor(
      () => rep.stdout().toString("latin1").endsWith('"again"\n'),
      CHILD_WAIT_MS,
      `${name} output`,
    );
    const printed = rep.stdout().toString("latin1");
    // Both peers print 0x00 and 0xff as \xNN in quoted mode.
    expect(printed).toBe('"p\\x00\\xff"\n"again"\n');
  });
});
