/**
 * The reference REQ/REP over ipc:// against nngcat (nng 1.5.2) and nanocat
 * (nanomsg 1.1.5), each side listening in turn. A missing peer binary fails.
 */
import { existsSync, lstatSync, unlinkSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { rep0, req0 } from "../../reference/index.ts";
import { uniqueSocketPath } from "../../testkit/raw-peer.ts";
import { waitFor } from "../../testkit/wait.ts";
import {
  CHILD_WAIT_MS,
  peer,
  SPAWN_TEST_TIMEOUT_MS,
  show,
  start,
  trackSockets,
} from "./harness.ts";

vi.setConfig({ testTimeout: SPAWN_TEST_TIMEOUT_MS });

const track = trackSockets();
const files: string[] = [];
afterEach(() => {
  for (const f of files.splice(0)) if (existsSync(f)) unlinkSync(f);
});

const text = (b: Uint8Array) => Buffer.from(b).toString("latin1");
const isSocket = (p: string) => existsSync(p) && lstatSync(p).isSocket();

describe.each([
  ["nngcat", ["--req0", "--dial"], ["--rep0", "--listen"], ["--data"]],
  ["nanocat", ["--req", "--connect"], ["--rep", "--bind"], ["-D"]],
] as const)("ipc library ↔ %s", (name, reqArgs, repArgs, dataFlag) => {
  it(`rep0 listening on ipc ↔ ${name} ${reqArgs.join(" ")}`, async () => {
    const cmd = peer(name);
    const path = uniqueSocketPath(name);
    files.push(path);
    const rep = track(rep0());
    await rep.listen(`ipc://${path}`);
    const req = start(cmd, [...reqArgs, `ipc://${path}`, ...dataFlag, "ping\x01", "-Q"]);
    expect(text(await rep.recv())).toBe("ping\x01");
    await rep.send("pong");
    const done = await req.done;
    expect(done.stdout.toString("latin1"), show(done)).toBe('"pong"\n');
    expect(done.code, show(done)).toBe(0);
  });

  it(`req0 dialing ipc ↔ ${name} ${repArgs.join(" ")}`, async () => {
    const cmd = peer(name);
    const path = uniqueSocketPath(name);
    files.push(path);
    const rep = start(cmd, [...repArgs, `ipc://${path}`, ...dataFlag, "pong", "-Q"]);
    await waitFor(() => isSocket(path), CHILD_WAIT_MS, `${name} socket file`);
    const req = track(req0({ reconnectMin: 20 }));
    await req.dial(`ipc://${path}`).connected;
    await req.send(Uint8Array.of(0x70, 0x00, 0xff));
    expect(text(await req.recv())).toBe("pong");
    await req.send("again");
    expect(text(await req.recv())).toBe("pong");
    await waitFor(
      () => rep.stdout().toString("latin1").endsWith('"again"\n'),
      CHILD_WAIT_MS,
      `${name} output`,
    );
    expect(rep.stdout().toString("latin1")).toBe('"p\\x00\\xff"\n"again"\n');
  });

  it(`refuses to take over a live ${name} listener and leaves it working`, async () => {
    const cmd = peer(name);
    const path = uniqueSocketPath(name);
    files.push(path);
    const rep = start(cmd, [...repArgs, `ipc://${path}`, ...dataFlag, "pong", "-Q"]);
    await waitFor(() => isSocket(path), CHILD_WAIT_MS, `${name} socket file`);
    // SP-IPC-10: the probe finds a live listener; the bind fails and the file stays.
    await expect(track(rep0()).listen(`ipc://${path}`)).rejects.toMatchObject({
      code: "EADDRINUSE",
    });
    expect(isSocket(path)).toBe(true);
    // The probe must not have disturbed the peer's listener (nanomsg/nng#1518).
    const req = track(req0({ reconnectMin: 20 }));
    await req.dial(`ipc://${path}`).connected;
    await req.send("still yours?");
    expect(text(await req.recv())).toBe("pong");
    await waitFor(
      () => rep.stdout().toString("latin1").includes("still yours?"),
      CHILD_WAIT_MS,
      `${name} output`,
    );
  });
});
