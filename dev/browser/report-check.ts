/**
 * Opens the conformance HTML report (conformance/report/html.ts) in Chromium
 * and checks it works as a page: the matrix has rows, typing in the filter
 * narrows them, clicking a verdict opens a transcript. Writes a screenshot to
 * `.cache/browser/report.png`. Part of `npm run test:browser` (not a vitest
 * file: it needs Chromium and runs the suite once).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserContext } from "playwright-core";
import { outDir, root } from "./build.ts";

/** What the check saw. */
export interface ReportCheck {
  rows: number;
  /** Rows visible after typing `filter`. */
  filtered: number;
  filter: string;
  /** Start of the details panel text after the click. */
  panel: string;
  screenshot: string;
  runnerExit: number | null;
}

/** Runs the suite on the reference into `dir` (a small family, with transcripts kept). */
function generate(dir: string): Promise<number | null> {
  const args = [
    "--import",
    "tsx",
    join(root, "conformance", "runner", "main.ts"),
    "--iut",
    "reference",
    "--filter",
    "reqrep/*",
    "--keep-transcripts",
    "--report-dir",
    dir,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (b: Buffer) => {
      err += b.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (err.trim() !== "") process.stderr.write(err.slice(-2000));
      resolve(code);
    });
  });
}

/**
 * Generates a report and drives it in `context`; throws with the reason on the first failed check.
 *
 * @example
 * ```ts
 * const seen = await checkReport(chromium.context);
 * ```
 */
export async function checkReport(context: BrowserContext): Promise<ReportCheck> {
  const dir = await mkdtemp(join(tmpdir(), "sp-report-"));
  try {
    const runnerExit = await generate(dir);
    const html = join(dir, "index.html");
    if (!existsSync(html)) {
      throw new Error(`the runner (exit ${runnerExit}) wrote no index.html into ${dir}`);
    }
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    const withErrors = (why: string) =>
      new Error(errors.length > 0 ? `${why}; page errors: ${errors.join("; ")}` : why);
    try {
      await page.goto(pathToFileURL(html).href);
      const rows = page.locator("table.matrix tbody tr");
      const total = await rows.count();
      if (total === 0) throw new Error("the matrix has no rows");
      // Filter on the second row's case id: at least that row stays, others go.
      const code = rows
        .nth(Math.min(1, total - 1))
        .locator("td code")
        .first();
      const id = ((await code.textContent()) ?? "").trim().split("/").pop() ?? "";
      await page.locator("#filter").fill(id);
      const visible = page.locator("table.matrix tbody tr:visible");
      const deadline = Date.now() + 3000;
      let filtered = await visible.count();
      while ((filtered === total || filtered === 0) && Date.now() < deadline) {
        await page.waitForTimeout(50);
        filtered = await visible.count();
      }
      if (filtered === 0 || (total > 1 && filtered >= total)) {
        throw withErrors(`typing ${JSON.stringify(id)} left ${filtered} of ${total} rows`);
      }
      const shown = ((await page.locator("#shown").textContent()) ?? "").trim();
      if (shown !== String(filtered)) {
        throw new Error(`the counter says ${shown} rows, ${filtered} are visible`);
      }
      await visible.first().locator("td.v").first().click();
      const panel = page.locator("#panel");
      await panel.waitFor({ state: "visible", timeout: 3000 }).catch(() => {
        throw withErrors("clicking a verdict opened no details panel");
      });
      const body = (await page.locator("#pbody").textContent()) ?? "";
      if (!/Transcript/.test(body))
        throw new Error(`the details panel shows no transcript: ${body}`);
      if (!/\+\d/.test(body)) throw new Error("the transcript has no timed lines");
      if (!/tcp-pipe:(handshake|active|closed)/.test(body))
        throw new Error("the transcript shows no machine state");
      if (errors.length > 0) throw withErrors("the report page threw");
      const screenshot = join(outDir, "report.png");
      await page.screenshot({ path: screenshot, fullPage: false });
      return {
        rows: total,
        filtered,
        filter: id,
        panel: body.slice(0, 160).replace(/\s+/g, " "),
        screenshot,
        runnerExit,
      };
    } finally {
      await page.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
