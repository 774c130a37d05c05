/**
 * Shared plumbing of the browser tests and the browser adapter: finds Debian's
 * Chromium (a missing browser is an error naming the apt command, never a
 * skip), launches it headless through playwright-core with a fresh profile,
 * and serves the bundle and pages from 127.0.0.1.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname } from "node:path";
import { type Browser, type BrowserContext, chromium } from "playwright-core";

/** How to install the browser on Debian/Ubuntu. */
export const CHROMIUM_APT = "apt-get install -y chromium";

/** Chromium flags for tests: headless, no sandbox, nothing phoning home. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The Chromium binary: `$CHROMIUM_PATH`, /usr/bin/chromium, or `chromium` on the PATH. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium"];
  for (const c of candidates) if (c && existsSync(c)) return c;
  const found = spawnSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" });
  const path = found.stdout?.trim();
  if (found.status === 0 && path) return path;
  throw new Error(`Chromium is not installed; install it with: ${CHROMIUM_APT}`);
}

/** A launched browser with its one context and the clean-up. */
export interface LaunchedChromium {
  readonly browser: Browser;
  readonly context: BrowserContext;
  /** "Chromium 156.0.8078.79" or similar. */
  readonly version: string;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium. Playwright gives every launch a fresh, empty
 * `--user-data-dir` in the temporary directory and removes it on close.
 *
 * @example
 * ```ts
 * const c = await launchChromium();
 * const page = await c.context.newPage();
 * await c.close();
 * ```
 */
export async function launchChromium(): Promise<LaunchedChromium> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  return {
    browser,
    context,
    version: `Chromium ${browser.version()}`,
    close: async () => {
      await context.close().catch(() => {});
      await browser.close().catch(() => {});
    },
  };
}

const types: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".map": "application/json",
  ".html": "text/html; charset=utf-8",
  ".json": "application/json",
  ".css": "text/css",
  ".png": "image/png",
};

/** A local static server. */
export interface StaticServer {
  readonly server: Server;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Serves `routes` (URL path → file path or literal page) on 127.0.0.1 with a free port.
 *
 * @example
 * ```ts
 * const s = await serveStatic({ "/sp.js": bundlePath, "/": { html: "<!doctype html>" } });
 * ```
 */
export async function serveStatic(
  routes: Record<string, string | { html: string }>,
): Promise<StaticServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const route = routes[path];
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    if (route === undefined && path === "/favicon.ico") return send(204, "image/png", "");
    if (route === undefined) return send(404, "text/plain", "not found");
    if (typeof route !== "string") return send(200, types[".html"] as string, route.html);
    readFile(route).then(
      (body) => send(200, types[extname(route)] ?? "application/octet-stream", body),
      () => send(404, "text/plain", "not found"),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A page that loads the bundle and exposes it as `window.sp`; `ready` resolves it. */
export const BUNDLE_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>SP in the browser</title>
<style>body{font:14px system-ui;margin:2em}li.pass{color:#070}li.fail{color:#b00}</style></head>
<body><h1>SP reference in Chromium</h1><ul id="log"></ul>
<script type="module">
import * as sp from "/sp.js";
window.sp = sp;
window.spReady = true;
</script></body></html>`;
