/**
 * The `pair-slot` machine really decides: regenerate the PAIR draft with the
 * rejection removed from the `occupied | pipeAdded` row, and a PAIR v0 socket
 * built on that machine no longer closes a second peer.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawPeer, spHeader, waitFor } from "../../../testkit/raw-peer.ts";
import { generate } from "../../../tools/gen/generate.ts";
import { pair0 } from "./pair.ts";
import type { PairSlotMachine } from "./peer-slot.ts";

const REJECT_ROW = "| occupied | pipeAdded | | rejectPipe | | SP-PAIR-3 |";
const ACCEPT_ROW = "| occupied | pipeAdded | | | | SP-PAIR-3 |";

let scratch: string;
let edited: PairSlotMachine;

beforeAll(async () => {
  await mkdir(".cache", { recursive: true });
  scratch = await mkdtemp(join(process.cwd(), ".cache", "pair-slot-drives-"));
  const drafts = join(scratch, "rfc");
  await mkdir(drafts);
  for (const name of await readdir("rfc")) {
    if (name.startsWith("draft-") && name.endsWith(".md"))
      await copyFile(join("rfc", name), join(drafts, name));
  }
  const path = join(drafts, "draft-sp-pair.md");
  const text = await readFile(path, "utf8");
  expect(text).toContain(REJECT_ROW);
  await writeFile(path, text.replace(REJECT_ROW, ACCEPT_ROW));
  await generate({ draftsDir: drafts, outDir: join(scratch, "spec"), write: true });
  const mod = (await import(join(scratch, "spec", "machines", "pair-slot.ts"))) as {
    pairSlotCompiled: PairSlotMachine;
  };
  edited = mod.pairSlotCompiled;
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Whether a second raw peer gets closed by a PAIR v0 socket built on `machine`. */
async function secondPeerClosed(machine: PairSlotMachine | undefined): Promise<boolean> {
  const sock = pair0({}, machine ? { pairSlotCompiled: machine } : {});
  const peers: RawPeer[] = [];
  try {
    const { url } = await sock.listen("tcp://127.0.0.1:0");
    for (let i = 0; i < 2; i++) {
      const p = await RawPeer.connect(url);
      peers.push(p);
      p.write(spHeader(0x10));
      await waitFor(() => p.header !== null, 2000, "header");
      await waitFor(() => sock.peerPipeId !== undefined, 2000, "first peer");
    }
    await new Promise((r) => setTimeout(r, 150));
    return peers[1]?.ended ?? false;
  } finally {
    for (const p of peers) p.close();
    await sock.close();
  }
}

describe("the pair-slot machine drives PAIR", () => {
  it("the draft's machine closes a second peer (SP-PAIR-3)", async () => {
    expect(await secondPeerClosed(undefined)).toBe(true);
  });

  it("a machine regenerated without rejectPipe lets the second peer stay", async () => {
    expect(edited.id).toBe("pair-slot");
    expect(await secondPeerClosed(edited)).toBe(false);
  });
});
