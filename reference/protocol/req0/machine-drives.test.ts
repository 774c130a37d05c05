/**
 * The generated machines really drive the reference: edit one transition in a copy of the draft,
 * regenerate, and the REQ socket built on the regenerated machine behaves differently.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawServer, spHeader, waitFor } from "../../../testkit/raw-peer.ts";
import { generate } from "../../../tools/gen/generate.ts";
import { type ReqMachine, req0 } from "./req.ts";

const RESEND_ROW = "| waiting | after:resendTime | | transmit | waiting | SP-REQREP-8 |";
const NO_RESEND_ROW = "| waiting | after:resendTime | | | waiting | SP-REQREP-8 |";

let scratch: string;
let editedMachine: ReqMachine;

beforeAll(async () => {
  // Inside the repository, so the generated file resolves "xstate" from node_modules.
  await mkdir(".cache", { recursive: true });
  scratch = await mkdtemp(join(process.cwd(), ".cache", "machine-drives-"));
  const drafts = join(scratch, "rfc");
  await mkdir(drafts);
  for (const name of await readdir("rfc")) {
    if (name.startsWith("draft-") && name.endsWith(".md"))
      await copyFile(join("rfc", name), join(drafts, name));
  }
  const path = join(drafts, "draft-sp-reqrep.md");
  const text = await readFile(path, "utf8");
  expect(text).toContain(RESEND_ROW);
  await writeFile(path, text.replace(RESEND_ROW, NO_RESEND_ROW));
  await generate({ draftsDir: drafts, outDir: join(scratch, "spec"), write: true });
  const mod = (await import(join(scratch, "spec", "machines", "req.ts"))) as {
    reqCompiled: ReqMachine;
  };
  editedMachine = mod.reqCompiled;
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Counts the requests a raw REP peer receives from a REQ built on `machine` within `windowMs`. */
async function requestsSeen(machine: ReqMachine | undefined, windowMs: number): Promise<number> {
  const server = await RawServer.start();
  const req = req0({ resendTime: 40 }, machine ? { reqCompiled: machine } : {});
  try {
    req.dial(server.url);
    await waitFor(
      () => server.peers.length === 1 && server.peers[0]?.header !== null,
      3000,
      "REQ connection",
    );
    server.peers[0]?.write(spHeader(0x31));
    await req.send("hello");
    await waitFor(() => (server.peers[0]?.frames.length ?? 0) >= 1, 3000, "first request");
    await new Promise((r) => setTimeout(r, windowMs));
    return server.peers[0]?.frames.length ?? 0;
  } finally {
    await req.close();
    await server.close();
  }
}

describe("generated machines drive the reference", () => {
  it("the draft's resend row makes REQ resend (SP-REQREP-8)", async () => {
    expect(await requestsSeen(undefined, 300)).toBeGreaterThanOrEqual(3);
  });

  it("the same REQ on a machine regenerated without the resend action sends the request once", async () => {
    expect(editedMachine.id).toBe("req");
    expect(await requestsSeen(editedMachine, 300)).toBe(1);
  });
});
