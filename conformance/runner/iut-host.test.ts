/**
 * `--iut-host` and `--suite-host`: the helpers that build and read URLs, the
 * choice of the two hosts, the ipc cases against an IUT elsewhere, and one
 * run of the tcp, ws and TLS cases with the reference IUT on 127.0.0.2 and
 * the suite's peers on 127.0.0.3 (Linux routes all of 127/8 to loopback).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AdapterClient } from "../adapters/client.ts";
import type { Iut } from "../adapters/iut.ts";
import type { ConformanceCase } from "../cases/types.ts";
import { certNames } from "../harness/certs.ts";
import {
  endpointUrl,
  isLoopback,
  LOCAL_HOSTS,
  parseHost,
  urlHostOf,
  urlPort,
  withHost,
} from "../harness/hosts.ts";
import { parseCommandLine, UsageError } from "./cli.ts";
import { executeCase, remoteObstacle } from "./execute.ts";
import { HostError, resolveHosts } from "./hosts.ts";
import type { Results } from "./results.ts";
import { spawnRunner } from "./spawn-runner.ts";

const work = mkdtempSync(join(tmpdir(), "sp-iut-host-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("URLs and hosts", () => {
  it("brackets IPv6 literals in URLs and reads hosts and ports back", () => {
    expect(endpointUrl("tcp", "127.0.0.2", 0)).toBe("tcp://127.0.0.2:0");
    expect(endpointUrl("ws", "::1", 0, "/sp")).toBe("ws://[::1]:0/sp");
    expect(endpointUrl("tls+tcp", "iut.example", 4433)).toBe("tls+tcp://iut.example:4433");
    expect(urlPort("ws://[fd00::5]:4000/sp")).toBe(4000);
    expect(urlPort("tcp://127.0.0.2:40123")).toBe(40123);
    expect(urlPort("inproc://name")).toBeUndefined();
    expect(urlHostOf("ws://[fd00::5]:4000/sp")).toBe("fd00::5");
    expect(urlHostOf("tls+tcp://10.0.0.5:1")).toBe("10.0.0.5");
    expect(withHost("ws://0.0.0.0:4000/sp", "::1")).toBe("ws://[::1]:4000/sp");
    expect(withHost("tcp://[::1]:7", "127.0.0.2")).toBe("tcp://127.0.0.2:7");
  });

  it("accepts IP literals (IPv6 with or without brackets) and host names only", () => {
    expect(parseHost("[::1]")).toBe("::1");
    expect(parseHost("fd00::5")).toBe("fd00::5");
    expect(parseHost("iut-1.example")).toBe("iut-1.example");
    for (const bad of ["tcp://x", "a b", "host:80", "[iut]", "-x"]) {
      expect(() => parseHost(bad), bad).toThrow();
    }
    expect(isLoopback("127.0.0.2")).toBe(true);
    expect(isLoopback("::1")).toBe(true);
    expect(isLoopback("localhost")).toBe(true);
    expect(isLoopback("10.0.0.5")).toBe(false);
  });

  it("takes --iut-host and --suite-host from the command line, bare", () => {
    const cmd = parseCommandLine(["--iut-host", "[fd00::5]", "--suite-host", "10.0.0.1"], work);
    expect(cmd).toMatchObject({ kind: "run", iutHost: "fd00::5", suiteHost: "10.0.0.1" });
    expect(parseCommandLine([], work)).not.toHaveProperty("iutHost");
    expect(() => parseCommandLine(["--iut-host", "tcp://10.0.0.5"], work)).toThrow(UsageError);
    expect(() => parseCommandLine(["--suite-host", ""], work)).toThrow(UsageError);
  });

  it("names the run's hosts in the certificates", () => {
    expect(certNames()).toBe("IP:127.0.0.1,DNS:127.0.0.1,DNS:localhost");
    expect(certNames(["127.0.0.2", "fd00::5", "iut.example"])).toBe(
      "IP:127.0.0.1,DNS:127.0.0.1,DNS:localhost,IP:127.0.0.2,DNS:127.0.0.2,IP:fd00::5,DNS:iut.example",
    );
  });
});

describe("choosing the hosts", () => {
  it("defaults to 127.0.0.1 on both sides, and to the loopback of a loopback IUT host", async () => {
    expect(await resolveHosts({}, undefined)).toEqual(LOCAL_HOSTS);
    expect(await resolveHosts({ iut: "127.0.0.2" }, undefined)).toEqual({
      iut: "127.0.0.2",
      suite: "127.0.0.1",
      local: true,
    });
    expect(await resolveHosts({ iut: "::1" }, undefined)).toEqual({
      iut: "::1",
      suite: "::1",
      local: true,
    });
  });

  it("uses the host the adapter declares unless --iut-host says otherwise", async () => {
    expect((await resolveHosts({}, "127.0.0.2")).iut).toBe("127.0.0.2");
    expect((await resolveHosts({ iut: "127.0.0.3" }, "127.0.0.2")).iut).toBe("127.0.0.3");
    await expect(resolveHosts({}, "not a host")).rejects.toThrow(HostError);
  });

  it("takes an IUT host that is not this machine's as remote, and refuses a suite host it cannot bind", async () => {
    // 192.0.2.0/24 (TEST-NET-1) is documentation space; nothing is bound or dialed here.
    const remote = "192.0.2.199";
    const mine = Object.values(networkInterfaces())
      .flatMap((l) => l ?? [])
      .some((i) => i.address === remote);
    if (!mine) {
      expect(await resolveHosts({ iut: remote, suite: "127.0.0.1" }, undefined)).toEqual({
        iut: remote,
        suite: "127.0.0.1",
        local: false,
      });
      await expect(resolveHosts({ iut: "127.0.0.1", suite: remote }, undefined)).rejects.toThrow(
        /cannot listen on 192\.0\.2\.199/,
      );
    }
  });

  it("derives the suite host from the route when the IUT is on another address", async () => {
    const own = Object.values(networkInterfaces())
      .flatMap((l) => l ?? [])
      .find((i) => i.family === "IPv4" && !i.internal);
    if (own === undefined) return; // a machine with loopback only
    const hosts = await resolveHosts({ iut: own.address }, undefined);
    // Towards one of our own addresses the route leaves from that address.
    expect(hosts).toEqual({ iut: own.address, suite: own.address, local: true });
  });

  it("reads the optional host of the hello answer", async () => {
    const fake =
      "process.stdin.on('data', (b) => { for (const l of String(b).split('\\n').filter(Boolean)) {" +
      " const r = JSON.parse(l); process.stdout.write(JSON.stringify(r.op === 'hello'" +
      " ? { id: r.id, ok: true, name: 'fake', version: '1', host: 'fd00::5'," +
      " capabilities: { protocols: [], transports: [], options: [] } } : { id: r.id, ok: true }) + '\\n');" +
      " if (r.op === 'exit') process.exit(0); } }); process.stdin.on('end', () => process.exit(0));";
    const client = await AdapterClient.start({ argv: [process.execPath, "-e", fake] });
    try {
      expect(client.info.host).toBe("fd00::5");
    } finally {
      await client.shutdown();
    }
  });
});

describe("ipc against an IUT on another machine", () => {
  const ipcCase: ConformanceCase = {
    id: "ipc/sample",
    title: "sample",
    requirements: [],
    kind: "example",
    needs: { protocols: ["rep0"], transports: ["ipc"] },
    run: () => Promise.reject(new Error("must not run")),
  };
  const inprocCase: ConformanceCase = {
    ...ipcCase,
    needs: { protocols: [], transports: ["inproc"] },
  };
  const away = { iut: "192.0.2.5", suite: "192.0.2.1", local: false };

  it("ends the ipc cases unsupported, with the reason, and leaves inproc alone", async () => {
    expect(remoteObstacle(ipcCase, LOCAL_HOSTS)).toBeUndefined();
    expect(remoteObstacle(inprocCase, away)).toBeUndefined();
    expect(remoteObstacle(ipcCase, away)).toMatch(/ipc .*the IUT is at 192\.0\.2\.5/);
    const iut = {
      info: {
        name: "x",
        version: "1",
        capabilities: { protocols: ["rep0"], transports: ["ipc"], options: [] },
      },
    } as unknown as Iut;
    const o = await executeCase(ipcCase, iut, { seed: 1, hosts: away });
    expect(o.verdict).toBe("unsupported");
    expect(o.reason).toMatch(/reaches only an IUT on the suite's machine/);
  });
});

/** Runs the runner as a user does: tsx on main.ts. */
const runner = (args: string[]) => spawnRunner(args, work);

/** The scheme of a URL. */
const schemeOf = (url: string) => url.slice(0, url.indexOf("://"));

describe("a run with the IUT on 127.0.0.2 and the suite on 127.0.0.3", () => {
  it("listens and is dialed on the IUT host, dials the suite host, and passes", {
    timeout: 120_000,
  }, async () => {
    const reports = join(work, "r");
    const r = await runner([
      ...["--iut", "reference", "--iut-host", "127.0.0.2", "--suite-host", "127.0.0.3"],
      ...["--filter", "reqrep/*", "--filter", "ws/*", "--filter", "tls/*"],
      ...["--filter", "tcp/dialer-refused-then-connects"],
      ...["--jobs", "2", "--keep-transcripts", "--report-dir", reports],
    ]);
    const tail = `${r.stdout.split("\n").slice(-15).join("\n")}\n${r.stderr}`;
    expect(r.code, tail).toBe(0);
    expect(r.stdout).toMatch(/IUT host 127\.0\.0\.2, suite host 127\.0\.0\.3/);

    const results = JSON.parse(readFileSync(join(reports, "results.json"), "utf8")) as Results;
    expect(results.iuts[0]?.hosts).toEqual({ iut: "127.0.0.2", suite: "127.0.0.3" });

    const listenAsked: string[] = [];
    const listenAnswered: string[] = [];
    const dialed: string[] = [];
    const connected: string[] = [];
    const suiteListens: string[] = [];
    for (const row of results.cases) {
      for (const res of Object.values(row.results)) {
        expect(res.verdict, `${row.id}: ${res.reason ?? ""}`).not.toBe("fail");
        for (const e of res.events ?? []) {
          if (e.who === "iut" && e.text.startsWith("→")) {
            const m = /"op":"(listen|dial)".*?"url":"([^"]+)"/.exec(e.text);
            if (m?.[1] === "listen") listenAsked.push(m[2] as string);
            if (m?.[1] === "dial") dialed.push(m[2] as string);
          } else if (e.who === "iut") {
            const m = /"ok":true,"url":"([^"]+)"/.exec(e.text);
            if (m) listenAnswered.push(m[1] as string);
          } else {
            const c = /^connected to (\S+) from port/.exec(e.text);
            if (c) connected.push(c[1] as string);
            const l = /(?:listening on|server on) (\S+)$/.exec(e.text);
            if (l) suiteListens.push(l[1] as string);
          }
        }
      }
    }
    // The IUT was asked to listen on its host only (tcp-ipv6 takes [::1]: the IUT is local),
    // answered with that host, and the suite's raw peers connected there.
    const onIut = (url: string) => ["127.0.0.2", "::1"].includes(urlHostOf(url) ?? "");
    expect(listenAsked.filter((u) => !onIut(u))).toEqual([]);
    expect(listenAnswered.filter((u) => !onIut(u))).toEqual([]);
    expect(new Set(listenAsked.map(schemeOf))).toEqual(new Set(["tcp", "ws", "tls+tcp", "wss"]));
    expect(connected.length).toBeGreaterThan(10);
    expect(connected.filter((a) => !/^(127\.0\.0\.2|\[::1\]):\d+$/.test(a))).toEqual([]);
    // Every URL the IUT dialed names the suite host, or the IUT host for IUT-to-IUT pairs.
    expect(dialed.filter((u) => !["127.0.0.2", "127.0.0.3"].includes(urlHostOf(u) ?? ""))).toEqual(
      [],
    );
    const towardsSuite = dialed.filter((u) => urlHostOf(u) === "127.0.0.3").map(schemeOf);
    expect(new Set(towardsSuite)).toEqual(new Set(["tcp", "ws", "tls+tcp", "wss"]));
    expect(suiteListens.length).toBeGreaterThan(5);
    expect(suiteListens.filter((a) => !a.startsWith("127.0.0.3:"))).toEqual([]);
  });
});
