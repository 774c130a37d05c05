/**
 * spcat against the real peers, REQ/REP over TCP, each side listening in turn:
 * spcat (REP, listening) ↔ nngcat/nanocat (REQ, dialing), and
 * spcat (REQ, dialing) ↔ nngcat/nanocat (REP, listening).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { freePort, waitFor } from "../../testkit/wait.ts";
import {
  CHILD_WAIT_MS,
  killAll,
  peer,
  SPAWN_TEST_TIMEOUT_MS,
  show,
  spcat,
  start,
  waitForPort,
} from "./harness.ts";

vi.setConfig({ testTimeout: SPAWN_TEST_TIMEOUT_MS });

afterEach(killAll);

describe("spcat ↔ nngcat", () => {
  it("spcat --rep0 --listen ↔ nngcat --req0 --dial: each prints the other's message", async () => {
    const nngcat = peer("nngcat");
    const url = `tcp://127.0.0.1:${await freePort()}`;
    const rep = spcat(["--rep0", "--listen", url, "--data", "pong", "-Q", "--count", "1"]);
    await waitForPort(Number(url.split(":")[2]), rep);
    const req = await start(nngcat, ["--req0", "--dial", url, "--data", "ping", "-Q"]).done;
    const repDone = await rep.done;
    expect(req.stdout.toString("latin1"), show(req)).toBe('"pong"\n');
    expect(req.code, show(req)).toBe(0);
    expect(repDone.stdout.toString("latin1"), show(repDone)).toBe('"ping"\n');
    expect(repDone.stderr.toString(), show(repDone)).toBe("");
    expect(repDone.code, show(repDone)).toBe(0);
  });

  it("spcat --req0 --dial ↔ nngcat --rep0 --listen: each prints the other's message", async () => {
    const nngcat = peer("nngcat");
    const port = await freePort();
    const url = `tcp://127.0.0.1:${port}`;
    const rep = start(nngcat, ["--rep0", "--listen", url, "--data", "pong", "-Q", "--count", "1"]);
    await waitForPort(port, rep);
    const req = await spcat(["--req0", "--dial", url, "--data", "ping", "-Q"]).done;
    const repDone = await rep.done;
    expect(req.stdout.toString("latin1"), show(req)).toBe('"pong"\n');
    expect(req.stderr.toString(), show(req)).toBe("");
    expect(req.code, show(req)).toBe(0);
    expect(repDone.stdout.toString("latin1"), show(repDone)).toBe('"ping"\n');
    expect(repDone.code, show(repDone)).toBe(0);
  });

  it("spcat REQ listening (after --delay), nngcat REP dialing, repeated by --interval up to --count", async () => {
    const nngcat = peer("nngcat");
    const port = await freePort();
    const url = `tcp://127.0.0.1:${port}`;
    const req = spcat([
      "--req",
      "--bind",
      url,
      "-D",
      "ping",
      "-A",
      "-d",
      "1",
      "-i",
      "0.2",
      "-C",
      "3",
    ]);
    await waitForPort(port, req);
    const rep = start(nngcat, ["--rep0", "--dial", url, "--data", "pong", "-Q", "--count", "3"]);
    const [reqDone, repDone] = await Promise.all([req.done, rep.done]);
    // Both sides in the message: a failure once left spcat waiting for a pipe with no
    // sign of what nngcat saw.
    expect(reqDone.stdout.toString("latin1"), `${show(reqDone)}\nnngcat: ${show(repDone)}`).toBe(
      "pongpongpong",
    );
    expect(reqDone.code, show(reqDone)).toBe(0);
    expect(repDone.stdout.toString("latin1"), show(repDone)).toBe('"ping"\n'.repeat(3));
  });
});

describe("spcat ↔ nanocat", () => {
  it("spcat --rep0 --listen ↔ nanocat --req --connect", async () => {
    const nanocat = peer("nanocat");
    const port = await freePort();
    const url = `tcp://127.0.0.1:${port}`;
    const rep = spcat(["--rep0", "--listen", url, "--data", "pong", "-Q", "--count", "1"]);
    await waitForPort(port, rep);
    const req = await start(nanocat, ["--req", "--connect", url, "-D", "ping", "-Q"]).done;
    const repDone = await rep.done;
    expect(req.stdout.toString("latin1"), show(req)).toBe('"pong"\n');
    expect(req.code, show(req)).toBe(0);
    expect(repDone.stdout.toString("latin1"), show(repDone)).toBe('"ping"\n');
    expect(repDone.code, show(repDone)).toBe(0);
  });

  it("spcat --req0 --dial ↔ nanocat --rep --bind", async () => {
    const nanocat = peer("nanocat");
    const port = await freePort();
    const url = `tcp://127.0.0.1:${port}`;
    const rep = start(nanocat, ["--rep", "--bind", url, "-D", "pong", "-Q"]);
    await waitForPort(port, rep);
    const req = await spcat(["--req0", "--dial", url, "--data", "ping", "-Q"]).done;
    expect(req.stdout.toString("latin1"), show(req)).toBe('"pong"\n');
    expect(req.code, show(req)).toBe(0);
    // nanocat's REP never exits on its own: wait for its line, then afterEach kills it.
    await waitFor(() => rep.stdout().length >= 7, CHILD_WAIT_MS, "nanocat to print the request");
    expect(rep.stdout().toString("latin1")).toBe('"ping"\n');
  });
});
