/**
 * REQ with a request that no pipe can take yet (state `pending` of the `req`
 * machine) while a pipe is attached: the only connection is backed up behind a
 * large earlier request that the raw REP peer does not read. A reply carrying
 * the id the waiting request will use must not be delivered: that request has
 * not been handed to any pipe, so nothing can be answering it.
 */
import type { Socket } from "node:net";
import { concat, hex, PROTO, utf8, words } from "../../harness/sp.ts";
import { connectSp } from "../../harness/stall.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { REQ_TCP, T } from "./common.ts";

/** Larger than loopback socket buffers plus a pipe's write high-water mark, so the pipe backs up. */
const BIG = 16 * 1024 * 1024;

/** The id after `id` in the 31-bit request-id space (top bit always set, SP-REQREP-3). */
function nextId(id: number): number {
  return id >= 0xffffffff ? 0x80000000 : id + 1;
}

/** Reads exactly `n` bytes from a paused socket (bounded by `ms`). */
function readExact(sock: Socket, n: number, ms: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sock.off("readable", tryRead);
      reject(new Error(`no ${n} bytes within ${ms} ms`));
    }, ms);
    function tryRead() {
      const b = sock.read(n) as Buffer | null;
      if (b === null) {
        if (sock.destroyed) {
          clearTimeout(timer);
          sock.off("readable", tryRead);
          reject(new Error("the connection closed"));
        }
        return;
      }
      clearTimeout(timer);
      sock.off("readable", tryRead);
      resolve(b);
    }
    sock.on("readable", tryRead);
    tryRead();
  });
}

/** Reads and discards `n` bytes, in chunks (bounded by `ms`). */
async function skip(sock: Socket, n: number, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  let left = n;
  while (left > 0) {
    const chunk = Math.min(left, 64 * 1024);
    await readExact(sock, chunk, Math.max(1, deadline - performance.now()));
    left -= chunk;
  }
}

/** SP-REQREP-6 and SP-REQREP-12 in state `pending`: a reply before the request left is dropped. */
const replyWhilePending: ConformanceCase = {
  id: "reqrep/req-reply-before-request-sent",
  title: "REQ drops a reply to a request that is still waiting for a pipe that can take it",
  requirements: ["SP-REQREP-6", "SP-REQREP-12", "SP-REQREP-10"],
  kind: "example",
  needs: REQ_TCP,
  covers: [
    "req:idle:send",
    "req:pending:always[pipeAvailable]",
    "req:waiting:send",
    "req:pending:reply",
    "req:pending:pipeAdded",
    "req:waiting:reply[idMatches]",
  ],
  timeoutMs: 40000,
  async run(ctx: CaseContext) {
    // The default resend interval (60 s, SP-REQREP-8) is far longer than the case.
    const req = await ctx.iut.open("req0");
    const url = await req.listen(ctx.iutUrl("tcp"));
    const rep = ctx.iutEndpoint(url);
    // A raw REP that reads only when told: after the header it leaves everything unread.
    const sock = await connectSp(rep, PROTO.rep0, "rep", ctx.transcript);
    sock.on("error", () => {});
    try {
      await new Promise((res) => setTimeout(res, T.quiet));
      const first = await req.trySend(new Uint8Array(BIG).fill(0x5a), { timeoutMs: 10000 });
      if (!first.ok) ctx.fail(`the large first request failed with ${first.code}`);
      const head = await readExact(sock, 12, 10000);
      const len = Number(head.readBigUInt64BE(0));
      const id1 = head.readUInt32BE(8);
      ctx.transcript.in("rep", head);
      if (len !== 4 + BIG) ctx.fail(`the first request's frame announced ${len} bytes`);
      const id2 = nextId(id1);
      ctx.transcript.event("rep", `first request id ${hex(words(id1))}; reads nothing more`);
      // The connection is backed up: the second request has no pipe that can take it.
      const second = req.trySend(utf8("second"), { timeoutMs: 20000 });
      await new Promise((res) => setTimeout(res, 300));
      const forged = concat(words(0, 10, id2), utf8("forged"));
      ctx.transcript.out("rep", forged);
      sock.write(forged);
      await new Promise((res) => setTimeout(res, 300));
      // Now read: the rest of the first request, then the second one.
      ctx.transcript.event("rep", "reads again");
      await skip(sock, BIG, 20000);
      const h2 = await readExact(sock, 8, 10000);
      const len2 = Number(h2.readBigUInt64BE(0));
      if (len2 > 1024) ctx.fail(`the second request's frame announced ${len2} bytes`);
      const p2 = await readExact(sock, len2, 5000);
      ctx.transcript.in("rep", Buffer.concat([h2, p2]));
      const got2 = p2.readUInt32BE(0);
      if (p2.subarray(4).toString() !== "second") {
        ctx.fail(`the second frame carried ${hex(p2)}, not the second request`);
      }
      const sent = await second;
      if (!sent.ok) ctx.fail(`the second send failed with ${sent.code}`);
      const real = concat(words(0, 8, got2), utf8("real"));
      ctx.transcript.out("rep", real);
      sock.write(real);
      const r = await req.tryRecv({ timeoutMs: T.prompt });
      if (!r.ok) ctx.fail(`the reply to the second request was not delivered: ${r.code}`);
      const body = new TextDecoder().decode(r.value);
      if (got2 !== id2) {
        ctx.info(
          `the second request carried id ${hex(words(got2))}, not ${hex(words(id2))}: ids are not sequential, so the early reply named no request and proves nothing`,
        );
        if (body !== "real") ctx.fail(`REQ delivered "${body}" instead of the reply "real"`);
        return;
      }
      if (body === "forged") {
        // Without a view inside the IUT this is not a failure: an IUT that queues a request
        // on a backed-up pipe has sent it, from its point of view, and may take the reply.
        ctx.info(
          "REQ delivered the reply that came before its request left: it had queued the request on the backed-up connection instead of holding it",
        );
        return;
      }
      if (body !== "real") ctx.fail(`REQ delivered "${body}" instead of the reply "real"`);
      ctx.note("the early reply was dropped and the real one delivered");
    } finally {
      sock.destroy();
    }
  },
};

/** Cases for the `req` machine's `pending` state with a pipe attached. */
export const reqPendingCases: readonly ConformanceCase[] = [replyWhilePending];
