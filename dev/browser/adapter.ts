/**
 * Conformance adapter for the reference running inside Chromium:
 *
 *     npm run conformance -- --iut "npx tsx dev/browser/adapter.ts" --filter 'ws/*'
 *
 * A bridge, not an implementation: it builds the browser bundle, serves it with
 * the adapter page (dev/browser/page/adapter-page.ts) on 127.0.0.1, launches
 * headless Chromium, and relays each JSON line of stdin (conformance/ADAPTER.md)
 * to the page over a local WebSocket and each answer back to stdout. The page
 * declares transports ["ws"] only; `listen` answers ENOTSUP. Diagnostics (page
 * console, page errors, browser version) go to stderr.
 */
import { createInterface } from "node:readline";
import { type WebSocket, WebSocketServer } from "ws";
import { buildBrowserBundle, buildPageScript, bundlePath } from "./build.ts";
import { BUNDLE_PAGE, type LaunchedChromium, launchChromium, serveStatic } from "./chromium.ts";

const log = (s: string) => process.stderr.write(`browser-adapter: ${s}\n`);

/** Lines read before the page connected, sent once it does. */
const pending: string[] = [];
let page: WebSocket | undefined;
let chromium: LaunchedChromium | undefined;
let exiting = false;

/** Leaves within one second whatever the browser does (ADAPTER.md §1). */
function exit(code: number): void {
  if (exiting) return;
  exiting = true;
  setTimeout(() => process.exit(code), 900).unref();
  void Promise.resolve(chromium?.close()).finally(() => process.exit(code));
}

/** Ids of `exit` requests. */
const exitIds = new Set<unknown>();

function idOf(line: string): unknown {
  try {
    return (JSON.parse(line) as { id?: unknown }).id;
  } catch {
    return undefined;
  }
}

const rl = createInterface({ input: process.stdin });
rl.on("line", (line) => {
  if (line.trim() === "") return;
  if (/"op"\s*:\s*"exit"/.test(line)) exitIds.add(idOf(line));
  if (page) page.send(line);
  else pending.push(line);
});
rl.on("close", () => exit(0));

async function main(): Promise<void> {
  // The browser starts while the bundle builds: `hello` has to be answered within 15 s.
  const launching = launchChromium();
  launching.catch(() => {});
  await buildBrowserBundle();
  const script = await buildPageScript("dev/browser/page/adapter-page.ts", "adapter-page");
  const bridge = new WebSocketServer({ host: "127.0.0.1", port: 0, path: "/bridge" });
  await new Promise<void>((r) => bridge.once("listening", () => r()));
  const { port } = bridge.address() as { port: number };
  bridge.on("connection", (ws: WebSocket) => {
    if (page) {
      ws.close();
      return;
    }
    page = ws;
    ws.on("message", (data) => {
      const answer = data.toString();
      process.stdout.write(`${answer}\n`);
      // `exit` is answered by the page; the bridge leaves once that answer is out.
      if (exitIds.has(idOf(answer))) exit(0);
    });
    ws.on("close", () => {
      if (!exiting) log("the page closed the bridge");
      exit(exiting ? 0 : 1);
    });
    for (const line of pending.splice(0)) ws.send(line);
  });
  const server = await serveStatic({
    "/": {
      html: BUNDLE_PAGE.replace(
        "</body>",
        `<script type="module" src="/adapter-page.js"></script></body>`,
      ),
    },
    "/sp.js": bundlePath,
    "/sp.js.map": `${bundlePath}.map`,
    "/adapter-page.js": script,
  });
  chromium = await launching;
  if (exiting) return void chromium.close();
  log(`driving ${chromium.version}`);
  const tab = await chromium.context.newPage();
  tab.on("console", (m) => log(`page ${m.type()}: ${m.text()}`));
  tab.on("pageerror", (e) => log(`page error: ${String(e)}`));
  tab.on("crash", () => {
    log("the page crashed");
    exit(1);
  });
  await tab.goto(`${server.origin}/?bridge=${port}`);
}

main().catch((e) => {
  log(`cannot start: ${(e as Error).stack ?? e}`);
  exit(1);
});
