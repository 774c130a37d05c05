import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createActor } from "xstate";
import { repoRoot } from "./format.ts";
import { compareWithDisk, generate } from "./generate.ts";

const fixtures = fileURLToPath(new URL("./fixtures", import.meta.url));
const fixtureText = readFileSync(join(fixtures, "draft-sp-genfix.md"), "utf8");
const lineOf = (needle: string) => fixtureText.split("\n").findIndex((l) => l.includes(needle)) + 1;
// Inside the repository so that generated files resolve "xstate" from node_modules.
const tmp = mkdtempSync(join(repoRoot, "tools/gen/.tmp-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("generator", () => {
  it("emits the golden shape for the repository drafts", async () => {
    const out = join(tmp, "spec");
    const { files } = await generate({
      draftsDir: join(repoRoot, "rfc"),
      outDir: out,
      write: true,
    });
    const paths = files.map((f) => f.path).sort();
    for (const p of [
      "machines/req.ts",
      "machines/rep.ts",
      "machines/tcp-pipe.ts",
      "machines/bind.ts",
    ]) {
      expect(paths).toContain(p);
    }
    expect(paths).toContain("constants.ts");
    expect(paths).toContain("requirements.json");
    const req = await import(join(out, "machines/req.ts"));
    for (const name of [
      "reqEventNames",
      "reqActionNames",
      "reqGuardNames",
      "reqDelayNames",
      "reqTransitions",
      "reqMachine",
      "createReqMachine",
    ]) {
      expect(req).toHaveProperty(name);
    }
    expect(req.reqEventNames).toEqual([
      "send",
      "recv",
      "reply",
      "close",
      "pipeAdded",
      "pipeRemoved",
    ]);
    const pipe = await import(join(out, "machines/tcp-pipe.ts"));
    expect(pipe.tcpPipeGuardNames).toEqual(["magicValid", "reservedZero", "peerCompatible"]);
    const constants = await import(join(out, "constants.ts"));
    expect(constants.protocols.req0).toEqual({
      number: 0x30,
      peer: 0x31,
      name: "req",
      peerName: "rep",
    });
    expect(constants.SP_HEADER_MAGIC).toEqual([0x00, 0x53, 0x50, 0x00]);
    expect(constants.defaults).toMatchObject({
      surveyTimeMs: 1000,
      recvMaxSize: 1048576,
      maxTtl: 8,
      resendTimeMs: 60000,
      handshakeTimeoutMs: 10000,
      reconnectMinMs: 100,
      reconnectMaxMs: 0,
    });
    const index = await import(join(out, "machines/index.ts"));
    const ids = new Set(index.allTransitions.map((t: { machine: string; id: string }) => t.id));
    expect(ids.has("req:waiting:reply[idMatches]")).toBe(true);
    expect(ids.has("tcp-pipe:handshake:header[!magicValid]")).toBe(true);
  });

  it("translates !guard, after:, entry, always, re-entry and final states", async () => {
    const out = join(tmp, "fixture");
    const { files } = await generate({ draftsDir: fixtures, outDir: out, write: true });
    const widget = files.find((f) => f.path === "machines/widget.ts");
    expect(widget?.content).toContain('import { not, setup } from "xstate";');
    expect(widget?.content).toContain('guard: not("locked")');
    expect(widget?.content).toContain("delays: { blinkTime: 25 }");
    expect(widget?.content).toContain('done: { type: "final" }');
    // Each function of the implementation sees the events of its rows; pseudo-event rows see any.
    expect(widget?.content).toContain(
      'refuse: (args: { event: WidgetEventsOf<A>["press"] }) => void;',
    );
    expect(widget?.content).toContain("cool: (args: { event: WidgetAnyEvent<A> }) => void;");

    const mod = await import(join(out, "machines/widget.ts"));
    const row = mod.widgetTransitions.find(
      (t: { id: string }) => t.id === "widget:off:press[!locked]",
    );
    expect(row).toMatchObject({
      guard: "!locked",
      target: "on",
      line: lineOf("| off | press | !locked"),
    });
    const state = mod.widgetMachine.config.states;
    expect(state.on.after.blinkTime).toEqual({ target: "on", reenter: true, actions: ["toggle"] });
    expect(state.on.always).toEqual([{ guard: "overheated", target: "off", actions: ["cool"] }]);

    const calls: string[] = [];
    let locked = true;
    const hot = false;
    const act = (name: string) => () => {
      calls.push(name);
    };
    const machine = mod.createWidgetMachine({
      actions: {
        prepare: act("prepare"),
        light: act("light"),
        refuse: act("refuse"),
        cool: act("cool"),
        toggle: act("toggle"),
      },
      guards: { locked: () => locked, overheated: () => hot },
      delays: { blinkTime: 5 },
    });
    const actor = createActor(machine).start();
    actor.send({ type: "press" });
    expect(actor.getSnapshot().value).toBe("off");
    locked = false;
    actor.send({ type: "press" });
    expect(actor.getSnapshot().value).toBe("on");
    const deadline = Date.now() + 2000;
    while (!calls.includes("toggle") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    expect(calls.slice(0, 4)).toEqual(["prepare", "refuse", "light", "toggle"]);
    actor.send({ type: "press" });
    expect(actor.getSnapshot().status).toBe("done");
    actor.stop();
  });

  it("omits the not import when no guard is negated", async () => {
    const { files } = await generate({ draftsDir: join(repoRoot, "rfc"), outDir: join(tmp, "x") });
    const rep = files.find((f) => f.path === "machines/rep.ts");
    expect(rep?.content).toContain('import { setup } from "xstate";');
  });

  it("--check detects stale, missing and extra files and passes when current", async () => {
    const out = join(tmp, "check");
    const { files } = await generate({ draftsDir: fixtures, outDir: out, write: true });
    expect(await compareWithDisk(files, out)).toEqual({ stale: [], missing: [], extra: [] });
    writeFileSync(join(out, "constants.ts"), "// edited\n");
    rmSync(join(out, "requirements.json"));
    writeFileSync(join(out, "machines/old.ts"), "// GENERATED leftover\n");
    expect(await compareWithDisk(files, out)).toEqual({
      stale: ["constants.ts"],
      missing: ["requirements.json"],
      extra: ["machines/old.ts"],
    });
    const cli = spawnSync(
      join(repoRoot, "node_modules/.bin/tsx"),
      ["tools/gen/main.ts", "--drafts", fixtures, "--out", out, "--check"],
      { cwd: repoRoot, encoding: "utf8" },
    );
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain("stale:   constants.ts");
    await generate({ draftsDir: fixtures, outDir: out, write: true });
    expect(await compareWithDisk(files, out)).toEqual({ stale: [], missing: [], extra: [] });
  });

  it("writes requirements sorted by id with draft, section, keyword and line", async () => {
    const { files } = await generate({ draftsDir: join(repoRoot, "rfc"), outDir: join(tmp, "y") });
    const json = JSON.parse(files.find((f) => f.path === "requirements.json")?.content ?? "{}");
    const reqs = json.requirements as {
      id: string;
      draft: string;
      keyword: string;
      line: number;
    }[];
    const reqrep = reqs.filter((r) => r.id.startsWith("SP-REQREP-")).map((r) => r.id);
    expect(reqrep.slice(0, 3)).toEqual(["SP-REQREP-1", "SP-REQREP-2", "SP-REQREP-3"]);
    const tcp16 = reqs.find((r) => r.id === "SP-TCP-16");
    expect(tcp16).toMatchObject({ draft: "draft-sp-tcp", keyword: "MUST" });
    const draft = readFileSync(join(repoRoot, "rfc/draft-sp-tcp.md"), "utf8").split("\n");
    expect(draft[(tcp16?.line ?? 0) - 1]).toContain("A sender MUST set the reserved bytes");
  });
});
