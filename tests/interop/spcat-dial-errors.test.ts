/**
 * How spcat ends when it cannot reach its peer, checked on the real command
 * (spawned from the sources) and, in the same test, on nngcat 1.5.2 with the
 * same arguments, so that exit status and message are proven the same:
 * a refused blocking dial, a TLS certificate that does not verify, a REQ send
 * that times out while an --async dial gets nowhere, malformed and unknown URLs.
 * The help must list every option name nngcat's help lists.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { rep0 } from "../../reference/index.ts";
import { makeTestCerts, type TestCerts } from "../../testkit/certs.ts";
import { freePort } from "../../testkit/wait.ts";
import { peer, spcatCommand, start } from "./harness.ts";

vi.setConfig({ testTimeout: 60_000 });

/** What a finished command left, as text. */
interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `cmd args` from the repository root (harness.start), bounded. */
async function run(cmd: string, args: readonly string[], limitMs = 20_000): Promise<Outcome> {
  const t0 = performance.now();
  const done = await start(cmd, args, limitMs).done;
  const ms = performance.now() - t0;
  return { code: done.code, stdout: done.stdout.toString(), stderr: done.stderr.toString(), ms };
}

/** spcat from the sources. */
function spcat(args: readonly string[]): Promise<Outcome> {
  const [cmd, prefix] = spcatCommand();
  return run(cmd, [...prefix, ...args]);
}

/** nngcat's path (harness.peer fails with the way to install it when missing). */
const nngcatPath = () => peer("nngcat");

/**
 * Runs nngcat and spcat with `args`; both must exit 1 with `message` as their
 * only line on stderr and nothing on stdout.
 */
async function bothFail(args: readonly string[], message: string): Promise<void> {
  const [theirs, ours] = await Promise.all([run(nngcatPath(), args), spcat(args)]);
  const show = (o: Outcome) => JSON.stringify(o);
  expect(theirs.code, `nngcat ${args.join(" ")}: ${show(theirs)}`).toBe(1);
  expect(theirs.stderr, `nngcat ${args.join(" ")}`).toBe(`${message}\n`);
  expect(ours.code, `spcat ${args.join(" ")}: ${show(ours)}`).toBe(1);
  expect(ours.stderr, `spcat ${args.join(" ")}`).toBe(`${message}\n`);
  expect(ours.stdout).toBe("");
}

describe("a blocking dial that fails ends spcat at once, as nngcat", () => {
  it("a refused tcp:// dial, also with --send-timeout, -v and -l", async () => {
    const port = await freePort();
    const url = `tcp://127.0.0.1:${port}`;
    const refused = `Unable to dial on ${url}: Connection refused`;
    await bothFail(["--req0", "--dial", url, "-D", "x"], refused);
    await bothFail(["--req0", "--dial", url, "-D", "x", "--send-timeout", "1", "-v"], refused);
    await bothFail(["--sub0", "-l", String(port)], refused);
    // "At once": well before any timeout could have ended it.
    const quick = await spcat(["--push0", "--dial", url, "-D", "x"]);
    expect(quick.code).toBe(1);
    expect(quick.ms).toBeLessThan(15_000);
  });

  it("a refused ipc://, inproc://, ws:// and tls+tcp:// dial", async () => {
    const port = await freePort();
    const path = `/tmp/spcat-dial-errors-${process.pid}.sock`;
    await bothFail(["--pair1", "-x", path], `Unable to dial on ipc:///${path}: Connection refused`);
    await bothFail(
      ["--req0", "--dial", "inproc://nobody", "-D", "x"],
      "Unable to dial on inproc://nobody: Connection refused",
    );
    for (const url of [`ws://127.0.0.1:${port}/x`, `tls+tcp://127.0.0.1:${port}`]) {
      await bothFail(
        ["--req0", "--dial", url, "-D", "x"],
        `Unable to dial on ${url}: Connection refused`,
      );
    }
  });

  it("a host that does not resolve", async () => {
    await bothFail(
      ["--pull0", "--dial", "tcp://no-such-host.invalid:5555"],
      "Unable to dial on tcp://no-such-host.invalid:5555: Address invalid",
    );
  });
});

describe("TLS verification failures", () => {
  let certs: TestCerts;
  const rep = rep0();
  let url = "";
  beforeAll(async () => {
    certs = makeTestCerts();
    ({ url } = await rep.listen("tls+tcp://127.0.0.1:0", {
      tls: { cert: certs.serverCert, key: certs.serverKey },
    }));
  });
  afterAll(async () => {
    await rep.close();
    certs?.cleanup();
  });

  it("the wrong CA: Cryptographic error (nng's word when a CA was given)", async () => {
    await bothFail(
      ["--req0", "--dial", url, "-D", "x", "--cacert", certs.otherCaPath, "-v"],
      `Unable to dial on ${url}: Cryptographic error`,
    );
  });

  it("no CA at all: Peer could not be authenticated", async () => {
    await bothFail(
      ["--push0", "--dial", url, "-D", "x"],
      `Unable to dial on ${url}: Peer could not be authenticated`,
    );
  });

  it("--async: the dial retries quietly and the send times out", async () => {
    await bothFail(
      [
        "--pair1",
        "--dial",
        url,
        "-D",
        "x",
        "--cacert",
        certs.otherCaPath,
        "--async",
        "--send-timeout",
        "1",
      ],
      "Send error: Timed out",
    );
  });
});

describe("--async dials that get nowhere", () => {
  it("REQ with --send-timeout 1: Send error: Timed out", async () => {
    const url = `tcp://127.0.0.1:${await freePort()}`;
    await bothFail(
      ["--req0", "--dial", url, "-D", "x", "--async", "--send-timeout", "1"],
      "Send error: Timed out",
    );
  });

  it("REQ listening with nobody dialing in, and PUSH, time out the same way", async () => {
    const port = await freePort();
    // Both commands run at once: each listens on a port of its own (0).
    await bothFail(
      ["--req0", "--listen", "tcp://127.0.0.1:0", "-D", "x", "--send-timeout", "1"],
      "Send error: Timed out",
    );
    await bothFail(
      ["--push0", "--dial", `tcp://127.0.0.1:${port}`, "-D", "x", "--async", "--send-timeout", "1"],
      "Send error: Timed out",
    );
  });
});

describe("URLs no transport takes", () => {
  it("an unknown scheme is Not supported", async () => {
    await bothFail(
      ["--req0", "--dial", "foo://127.0.0.1:1", "-D", "x"],
      "Unable to create dialer for foo://127.0.0.1:1: Not supported",
    );
    await bothFail(
      ["--rep0", "--listen", "foo://127.0.0.1:1"],
      "Unable to create listener for foo://127.0.0.1:1: Not supported",
    );
    await bothFail(["--rep0", "--dial", "://x"], "Unable to create dialer for ://x: Not supported");
  });

  it("a malformed URL is Invalid argument, whatever its scheme", async () => {
    await bothFail(
      ["--rep0", "--dial", "foo://[bad"],
      "Unable to create dialer for foo://[bad: Invalid argument",
    );
    await bothFail(
      ["--rep0", "--listen", "tcp://[::1:5"],
      "Unable to create listener for tcp://[::1:5: Invalid argument",
    );
    await bothFail(
      ["--rep0", "--dial", "bogus"],
      "Unable to create dialer for bogus: Invalid argument",
    );
    await bothFail(
      ["--rep0", "--dial", "tcp://127.0.0.1:"],
      "Unable to create dialer for tcp://127.0.0.1:: Invalid argument",
    );
  });
});

describe("--help", () => {
  it("lists every option name and alias nngcat's help lists", async () => {
    const [theirs, ours] = await Promise.all([run(nngcatPath(), ["--help"]), spcat(["--help"])]);
    expect(theirs.code).toBe(1);
    expect(ours.code).toBe(1);
    const names = (text: string) =>
      new Set(
        [...text.matchAll(/(?<![\w-])(--[a-z][a-z0-9-]*|-[A-Za-z])(?![\w-])/g)].map((m) => m[1]),
      );
    const ourNames = names(ours.stdout);
    const missing = [...names(theirs.stdout)].filter((n) => !ourNames.has(n));
    expect(missing).toEqual([]);
    for (const alias of ["-X", "-x", "-L", "-l", "--bind-ipc", "--connect-ipc", "--zt-home"]) {
      expect(ourNames.has(alias), alias).toBe(true);
    }
  });
});
