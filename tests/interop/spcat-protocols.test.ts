/**
 * spcat's role per protocol, against nngcat and nanocat processes: SURVEYOR
 * collects every response until the survey ends, RESPONDENT answers, PAIR
 * (v1, and v0 with --compat) and BUS print what the other side sends, PUSH
 * feeds a PULL, SUB over ws:// subscribes to everything by default, and the
 * TLS options (--cert/--key on a listener, --cacert on a dialer) work with
 * nngcat's.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { makeTestCerts, type TestCerts } from "../../testkit/certs.ts";
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

let certs: TestCerts;
beforeAll(() => {
  certs = makeTestCerts();
});
afterAll(() => certs.cleanup());

const out = (b: Buffer) => b.toString("latin1");

describe("spcat per protocol", () => {
  it("--surveyor0 prints every response, then ends with the survey", async () => {
    const nngcat = peer("nngcat");
    const port = await freePort();
    const url = `tcp://127.0.0.1:${port}`;
    const surveyor = spcat(["--surveyor0", "--listen", url, "-D", "q?", "-Q", "-d", "1.5"]);
    await waitForPort(port, surveyor);
    for (const r of ["r1", "r2"]) {
      start(nngcat, ["--respondent0", "--dial", url, "-D", r, "-Q", "--count", "1"]);
    }
    const done = await surveyor.done;
    expect(done.code, show(done)).toBe(0);
    expect(out(done.stdout).split("\n").sort()).toEqual(["", '"r1"', '"r2"']);
  });

  it("--respondent0 answers a nngcat survey", async () => {
    const port = await freePort();
    const url = `tcp://127.0.0.1:${port}`;
    const resp = spcat(["--respondent", "--listen", url, "-D", "answer", "-Q", "-C", "1"]);
    await waitForPort(port, resp);
    const surv = await start(peer("nngcat"), ["--surveyor0", "--dial", url, "-D", "q?", "-Q"]).done;
    const done = await resp.done;
    expect(out(surv.stdout), show(surv)).toBe('"answer"\n');
    expect(out(done.stdout), show(done)).toBe('"q?"\n');
    expect(done.code).toBe(0);
  });

  it("--pair is PAIR v1: each side prints the other's message (nngcat --pair1)", async () => {
    const port = await freePort();
    const url = `tcp://127.0.0.1:${port}`;
    const ours = spcat(["--pair", "--listen", url, "-D", "from-spcat", "-Q", "--recv-timeout=3"]);
    await waitForPort(port, ours);
    const args = ["--pair1", "--dial", url, "-D", "from-nngcat", "-Q", "--recv-timeout=2"];
    const theirs = await start(peer("nngcat"), args).done;
    const done = await ours.done;
    expect(out(theirs.stdout), show(theirs)).toBe('"from-spcat"\n');
    expect(out(done.stdout), show(done)).toBe('"from-nngcat"\n');
    expect(done.code).toBe(0);
  });

  it("--pair --compat is PAIR v0 and talks to nanocat --pair", async () => {
    const port = await freePort();
    const url = `tcp://127.0.0.1:${port}`;
    const ours = spcat(["--pair", "--compat", "--listen", url, "-D", "v0", "-Q"]);
    await waitForPort(port, ours);
    const nano = start(peer("nanocat"), ["--pair", "--connect", url, "-D", "nano", "-Q"]);
    await waitFor(() => out(nano.stdout()).includes('"v0"\n'), CHILD_WAIT_MS, "nanocat to print");
    await waitFor(() => out(ours.stdout()).includes('"nano"\n'), CHILD_WAIT_MS, "spcat to print");
  });

  it("--bus0 without data only receives", async () => {
    const port = await freePort();
    const url = `tcp://127.0.0.1:${port}`;
    const ours = spcat(["--bus", "--listen", url, "-Q", "-C", "1"]);
    await waitForPort(port, ours);
    start(peer("nngcat"), ["--bus0", "--dial", url, "-D", "hello bus", "-i", "1"]);
    const done = await ours.done;
    expect(out(done.stdout), show(done)).toBe('"hello bus"\n');
    expect(done.code).toBe(0);
  });

  it("--push0 feeds nanocat --pull; --sub0 over ws:// gets everything by default", async () => {
    const p1 = await freePort();
    const pull = start(peer("nanocat"), ["--pull", "--bind", `tcp://127.0.0.1:${p1}`, "-Q"]);
    await waitForPort(p1, pull);
    const push = await spcat(["--push", "--dial", `tcp://127.0.0.1:${p1}`, "-D", "job"]).done;
    expect(push.code, show(push)).toBe(0);
    await waitFor(
      () => out(pull.stdout()) === '"job"\n',
      CHILD_WAIT_MS,
      "nanocat to print the job",
    );

    const p2 = await freePort();
    const ws = `ws://127.0.0.1:${p2}/spcat`;
    const sub = spcat(["--sub", "--listen", ws, "-A", "-C", "1"]);
    await waitForPort(p2, sub);
    start(peer("nngcat"), ["--pub0", "--dial", ws, "-D", "news", "-i", "1"]);
    const done = await sub.done;
    expect(out(done.stdout), show(done)).toBe("news");
  });
});

describe("spcat TLS options", () => {
  it("a listener with --cert/--key serves nngcat --cacert", async () => {
    const port = await freePort();
    const url = `tls+tcp://127.0.0.1:${port}`;
    const tls = ["--cert", certs.serverCertPath, "--key", certs.serverKeyPath];
    const rep = spcat(["--rep0", "--listen", url, ...tls, "-D", "pong", "-Q", "-C", "1"]);
    await waitForPort(port, rep);
    const args = ["--req0", "--dial", url, "--cacert", certs.caPath, "-D", "ping", "-Q"];
    const req = await start(peer("nngcat"), args).done;
    expect(out(req.stdout), show(req)).toBe('"pong"\n');
    const done = await rep.done;
    expect(out(done.stdout), show(done)).toBe('"ping"\n');
  });

  it("a dialer with --cacert verifies nngcat's certificate (nngcat's --key defaults to --cert)", async () => {
    const port = await freePort();
    const url = `tls+tcp://127.0.0.1:${port}`;
    const both = join(certs.dir, "both.pem");
    writeFileSync(both, `${certs.serverCert}${certs.serverKey}`);
    const args = ["--rep0", "--listen", url, "--cert", both, "-D", "pong", "-C", "1"];
    const srv = start(peer("nngcat"), args);
    await waitForPort(port, srv);
    const reqArgs = ["--req0", "--dial", url, "--cacert", certs.caPath, "-D", "ping", "-Q"];
    const req = await spcat(reqArgs).done;
    expect(out(req.stdout), show(req)).toBe('"pong"\n');
    expect(req.code).toBe(0);
  });
});
