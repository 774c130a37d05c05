/**
 * Raw BUS (feature `raw`) without a device: a message the application starts
 * itself carries no pipe identifier and goes to every pipe, unchanged.
 */
import { utf8 } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { listening, needs, peerExpect, settle, T, wirePeer } from "./common.ts";

/**
 * SP-BUS-3 on a raw socket: with no pipe identifier to exclude, every pipe
 * gets one copy. A raw BUS that reads a pipe identifier out of a header it
 * was not given (or fails the send for its absence) loses locally started
 * messages, although its device use still works.
 */
const xbusSendAll: ConformanceCase = {
  id: "raw/xbus-send-without-pipe-id",
  title: "raw BUS sends a message without a pipe identifier to every peer, unchanged",
  requirements: ["SP-BUS-3", "SP-BUS-2", "SP-BUS-9"],
  kind: "example",
  needs: needs(["bus0"], ["raw"]),
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "bus0", { raw: true });
    const peers: WirePeer[] = [];
    for (const label of ["a", "b"]) peers.push(await wirePeer(ctx, url, "bus0", "bus0", label));
    await settle();
    await sock.send(utf8("to all"), { timeoutMs: T.prompt });
    for (const p of peers) await peerExpect(ctx, p, utf8("to all"), `${p.label}'s copy`);
    for (const p of peers) await p.expectNothing(T.quiet, "one copy per peer");
  },
};

/** Raw BUS cases, in run order. */
export const rawBusCases: readonly ConformanceCase[] = [xbusSendAll];
