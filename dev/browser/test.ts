/**
 * `npm run test:browser`: builds the browser bundle, serves it on 127.0.0.1,
 * drives Debian's Chromium with playwright-core, and checks the reference
 * inside the page against real nng over ws:// (REQ→REP, PUB→SUB, PAIR1 both
 * ways, SURVEYOR→3 RESPONDENTs, oversize), inproc:// inside the page, the
 * page-side handshake and message rules against misbehaving Node servers, and
 * the conformance HTML report. Prints the browser and version it drove and
 * writes screenshots to `.cache/browser/`. A missing chromium or nngcat is a
 * failure that names the apt command, never a skip.
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { type WebSocket, WebSocketServer } from "ws";
import { freePort } from "../../conformance/harness/port.ts";
import { killAll, peer, type Running, start, waitForPort } from "../../tests/interop/harness.ts";
import { buildBrowserBundle, buildPageScript, bundlePath, outDir } from "./build.ts";
import { BUNDLE_PAGE, launchChromium, serveStatic } from "./chromium.ts";
import { checkReport } from "./report-check.ts";

/** One check: returns a short description of what it saw, throws when it fails. */
type Check = (page: Page) => Promise<string>;

const REP = "rep.sp.nanomsg.org";

/** Calls `spScenarios.<name>(...args)` in the page. */
function call<T>(page: Page, name: string, ...args: unknown[]): Promise<T> {
  const list = args.map((a) => JSON.stringify(a)).join(", ");
  return page.evaluate(`spScenarios.${name}(${list})`) as Promise<T>;
}

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/** Starts nngcat listening on a fresh ws:// port and waits until it accepts. */
async function nngcat(proto: string, path: string, extra: string[]): Promise<[string, Running]> {
  const port = await freePort();
  const url = `ws://127.0.0.1:${port}${path}`;
  const run = start(peer("nngcat"), [`--${proto}`, "--listen", url, ...extra]);
  await waitForPort(port, run);
  return [url, run];
}

/** What a misbehaving Node ws server saw from the page. */
interface Seen {
  offered: string[];
  messages: { binary: boolean; hex: string }[];
  closes: { code: number; reason: string }[];
}

/**
 * A ws server that answers `protocol` (false: none) and then, after the first
 * request, replies with `reply` (a TEXT string or binary bytes).
 */
async function badServer(
  protocol: string | false,
  reply?: string | Uint8Array,
): Promise<{ url: string; seen: Seen; close(): Promise<void> }> {
  const seen: Seen = { offered: [], messages: [], closes: [] };
  const wss = new WebSocketServer({
    host: "127.0.0.1",
    port: 0,
    handleProtocols: (offered) => {
      seen.offered.push(...offered);
      return protocol;
    },
  });
  await new Promise<void>((r) => wss.once("listening", () => r()));
  wss.on("connection", (ws: WebSocket) => {
    ws.on("message", (data: Buffer, binary: boolean) => {
      seen.messages.push({ binary, hex: Buffer.from(data).toString("hex") });
      if (reply !== undefined) ws.send(reply, { binary: typeof reply !== "string" });
    });
    ws.on("close", (code, reason) => seen.closes.push({ code, reason: reason.toString() }));
  });
  const { port } = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
}

interface MisbehaveResult {
  connected: boolean;
  stats: Record<string, number>;
}

const checks: [string, Check][] = [
  [
    "bundle exposes the Node API with inproc/ws/wss and the Buffer shim",
    async (page) => {
      const api = await call<{ protocols: string[]; transports: string[]; bufferIsShim: boolean }>(
        page,
        "api",
      );
      for (const p of ["req0", "rep0", "pub0", "sub0", "pair1", "surveyor0", "bus0"]) {
        if (!api.protocols.includes(p)) throw new Error(`${p} missing: ${api.protocols}`);
      }
      expectEqual(api.transports, ["inproc", "ws", "wss"], "transports");
      expectEqual(api.bufferIsShim, true, "Buffer shim");
      return `${api.protocols.length} protocols, transports ${api.transports.join(" ")}`;
    },
  ],
  [
    "REQ in the page ↔ nngcat --rep0 over ws://",
    async (page) => {
      const [url] = await nngcat("rep0", "/x", ["--data", "pong"]);
      expectEqual(await call(page, "reqToRep", url), ["pong", "pong"], "replies");
      return `2 round trips with ${url}`;
    },
  ],
  [
    "SUB in the page ← nngcat --pub0 over ws://",
    async (page) => {
      const [url] = await nngcat("pub0", "/news", ["--data", "tick", "--interval", "1"]);
      expectEqual(await call(page, "subFromPub", url, 2), ["tick", "tick"], "messages");
      return "2 messages";
    },
  ],
  [
    "SUB in the page drops messages over recvMaxSize (SP-WS-11)",
    async (page) => {
      const big = "x".repeat(300);
      const [url] = await nngcat("pub0", "/big", ["--data", big, "--interval", "1"]);
      const r = await call<{ got: string[]; stats: Record<string, number> }>(
        page,
        "subOversize",
        url,
        100,
      );
      expectEqual(r.got, [], "delivered messages");
      if (!((r.stats.rxOversize ?? 0) >= 1)) throw new Error(`stats ${JSON.stringify(r.stats)}`);
      return `rxOversize ${r.stats.rxOversize}, nothing delivered`;
    },
  ],
  [
    "PAIR1 in the page ↔ nngcat --pair1, both directions",
    async (page) => {
      const [url, run] = await nngcat("pair1", "/pair", [
        "--data",
        "from-nng",
        "--interval",
        "1",
        "--ascii",
      ]);
      expectEqual(await call(page, "pair1", url, "from-browser"), "from-nng", "received");
      const deadline = Date.now() + 3000;
      while (!run.stdout().toString().includes("from-browser") && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      if (!run.stdout().toString().includes("from-browser")) {
        throw new Error(`nngcat printed ${JSON.stringify(run.stdout().toString())}`);
      }
      return "page got from-nng, nngcat printed from-browser";
    },
  ],
  [
    "SURVEYOR in the page → three nngcat --respondent0",
    async (page) => {
      const urls: string[] = [];
      for (const name of ["r1", "r2", "r3"]) {
        urls.push((await nngcat("respondent0", `/${name}`, ["--data", name]))[0]);
      }
      expectEqual(await call(page, "survey", urls, "who?"), ["r1", "r2", "r3"], "responses");
      return "r1 r2 r3 answered one survey";
    },
  ],
  [
    "REQ/REP and PUB/SUB over inproc:// inside the page",
    async (page) => {
      const got = await call(page, "inproc");
      expectEqual(got, ["question", "answer to question", "news.y"], "inproc");
      return "request, reply and a filtered publication";
    },
  ],
  [
    "a page cannot listen: ws:// listen fails with ENOTSUP",
    async (page) => {
      expectEqual(await call(page, "listenRefused"), "ENOTSUP", "listen");
      return "ENOTSUP";
    },
  ],
  [
    "REQ offers rep.sp.nanomsg.org and sends one binary message per request (SP-WS-2, SP-WS-8)",
    async (page) => {
      const srv = await badServer(REP);
      try {
        const r = await call<MisbehaveResult>(page, "misbehaving", srv.url, { sendFirst: true });
        expectEqual(srv.seen.offered, [REP], "offered subprotocols");
        expectEqual(r.connected, true, "connected");
        const m = srv.seen.messages[0];
        if (!m?.binary || !/^[89a-f][0-9a-f]{7}68656c6c6f$/.test(m.hex)) {
          throw new Error(`first message ${JSON.stringify(m)}`);
        }
        return `offered [${srv.seen.offered}], request ${m.hex}`;
      } finally {
        await srv.close();
      }
    },
  ],
  [
    "REQ drops a server that answers no subprotocol (SP-WS-6)",
    async (page) => {
      const srv = await badServer(false);
      try {
        const r = await call<MisbehaveResult>(page, "misbehaving", srv.url, { sendFirst: true });
        expectEqual([r.connected, srv.seen.messages.length], [false, 0], "connected, messages");
        // Chromium fails such a handshake itself; the ws-pipe guard is the second line.
        const dropped = (r.stats.dialFailed ?? 0) + (r.stats.wsUpgradeRefused ?? 0);
        if (dropped < 1) throw new Error(JSON.stringify(r.stats));
        return `never attached, stats ${JSON.stringify(r.stats)}`;
      } finally {
        await srv.close();
      }
    },
  ],
  [
    "REQ drops a server that answers another subprotocol (SP-WS-6)",
    async (page) => {
      const srv = await badServer("pub.sp.nanomsg.org");
      try {
        const r = await call<MisbehaveResult>(page, "misbehaving", srv.url, { sendFirst: true });
        expectEqual([r.connected, srv.seen.messages.length], [false, 0], "connected, messages");
        if (!((r.stats.dialFailed ?? 0) >= 1)) throw new Error(JSON.stringify(r.stats));
        return `dialFailed ${r.stats.dialFailed}, nothing sent`;
      } finally {
        await srv.close();
      }
    },
  ],
  [
    "a TEXT message closes the connection (SP-WS-9)",
    async (page) => {
      const srv = await badServer(REP, "not binary");
      try {
        const r = await call<MisbehaveResult>(page, "misbehaving", srv.url, { sendFirst: true });
        if (r.stats.rxText !== 1) throw new Error(`stats ${JSON.stringify(r.stats)}`);
        const c = srv.seen.closes[0];
        if (!c || !/text/.test(c.reason)) throw new Error(`closes ${JSON.stringify(srv.seen)}`);
        return `rxText 1, closed ${c.code} "${c.reason}"`;
      } finally {
        await srv.close();
      }
    },
  ],
];

async function main(): Promise<number> {
  const failures: string[] = [];
  const bundle = await buildBrowserBundle();
  const scenarios = await buildPageScript("dev/browser/page/scenarios.ts", "scenarios");
  console.log(`bundle ${bundle.path}: ${bundle.bytes} bytes, ${bundle.inputs.length} modules`);
  peer("nngcat"); // fails early, naming the apt command, when nng's tools are missing
  const server = await serveStatic({
    "/": {
      html: BUNDLE_PAGE.replace(
        "</body>",
        `<script type="module" src="/scenarios.js"></script></body>`,
      ),
    },
    "/sp.js": bundlePath,
    "/sp.js.map": `${bundlePath}.map`,
    "/scenarios.js": scenarios,
  });
  const chromium = await launchChromium();
  console.log(`browser: ${chromium.version}`);
  try {
    const page = await chromium.context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    await page.goto(`${server.origin}/`);
    await page.waitForFunction("window.spReady && window.spScenarios", undefined, {
      timeout: 10_000,
    });
    const lines: [boolean, string][] = [];
    for (const [name, check] of checks) {
      const t0 = Date.now();
      try {
        const saw = await check(page);
        console.log(`  ok   ${name} — ${saw} (${Date.now() - t0} ms)`);
        lines.push([true, name]);
      } catch (e) {
        console.log(`  FAIL ${name}\n       ${(e as Error).message}`);
        failures.push(name);
        lines.push([false, name]);
      } finally {
        await killAll();
      }
    }
    if (pageErrors.length > 0) {
      failures.push("uncaught page errors");
      console.log(`  FAIL uncaught page errors: ${pageErrors.join("; ")}`);
    }
    await page.evaluate(
      `(() => { const ul = document.getElementById("log");
        for (const [ok, name] of ${JSON.stringify(lines)}) {
          const li = document.createElement("li"); li.className = ok ? "pass" : "fail";
          li.textContent = (ok ? "✓ " : "✗ ") + name; ul.append(li); } })()`,
    );
    const shot = join(outDir, "browser-tests.png");
    await page.screenshot({ path: shot });
    console.log(`  screenshot ${shot}`);

    const name = "conformance HTML report renders, filters and opens a transcript";
    const t0 = Date.now();
    try {
      const r = await checkReport(chromium.context);
      console.log(
        `  ok   ${name} — ${r.rows} rows, "${r.filter}" → ${r.filtered}, panel "${r.panel.slice(0, 60)}…", ${r.screenshot} (${Date.now() - t0} ms)`,
      );
    } catch (e) {
      console.log(`  FAIL ${name}\n       ${(e as Error).message}`);
      failures.push(name);
    }
  } finally {
    await chromium.close();
    await server.close();
    await killAll();
  }
  const total = checks.length + 1;
  console.log(
    failures.length === 0
      ? `browser tests: all ${total} passed on ${chromium.version}`
      : `browser tests: ${failures.length} failed: ${failures.join("; ")}`,
  );
  return failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`browser tests: ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
