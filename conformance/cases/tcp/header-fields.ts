/**
 * Header and length fields read in full: the 16-bit protocol number, the 64-bit length.
 *
 * - SP-TCP-4 makes bytes 4 and 5 of the connection header one 16-bit protocol
 *   number, and SP-TCP-6 requires closing a connection whose number is not a
 *   valid peer. A number that shares one byte with the right peer (0x0131 or
 *   0x3100 where REP is 0x0031) is not that peer: the connection closes, no
 *   message goes out on it (SP-TCP-2: nothing is sent before the peer's header
 *   is validated) and none is delivered from it. The socket keeps serving a
 *   good peer afterwards (SP-TCP-12). Checked both ways: at an IUT REQ and an
 *   IUT REP.
 * - SP-TCP-8 makes the frame length a 64-bit integer. With recv-size-max 1024
 *   a frame announcing 2^32 + 10 bytes (or more) is over the limit, so the
 *   connection MUST close without the payload being read (SP-TCP-11); the ten
 *   bytes that follow (a well-formed request on their own) are never
 *   delivered. Without a limit the draft leaves open whether a receiver waits
 *   for 4 GiB or refuses it, so the case always sets one.
 * - SP-TCP-5 (SHOULD) asks a receiver to close a connection when either
 *   reserved byte (6 or 7) is non-zero. Each byte is tried on its own (01 00,
 *   00 01) and both (ff ff, 80 00), so a check that reads only one of them is
 *   seen; a connection left open is a warning, as the requirement is a SHOULD.
 */
import { hex, PROTO, request, utf8 } from "../../harness/sp.ts";
import {
  iutNothing,
  REP_TCP,
  readRequest,
  repListening,
  stillServes,
  T,
} from "../reqrep/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

const h16 = (n: number): string => `0x${n.toString(16).padStart(4, "0")}`;

/**
 * Protocol numbers that are not REP (0x0031) but share a byte with it: the
 * right low byte under a non-zero high byte, and the bytes swapped.
 */
const NOT_REP = [0x0131, 0x1031, 0xff31, 0x3100, 0x3131] as const;
/** The same for REQ (0x0030). */
const NOT_REQ = [0x0130, 0x1030, 0xff30, 0x3000, 0x3030] as const;

const notRepToReq: ConformanceCase = {
  id: "tcp/peer-protocol-16-bit-req",
  title: "REQ closes a connection whose header names 0x0131, 0x3100, ... (REP is 0x0031)",
  requirements: ["SP-TCP-6", "SP-TCP-4", "SP-TCP-2", "SP-TCP-12"],
  kind: "malformed",
  needs: { protocols: ["req0"], transports: ["tcp"] },
  covers: ["tcp-pipe:handshake:header[!peerCompatible]"],
  async run(ctx: CaseContext) {
    const req = await ctx.iut.open("req0");
    const url = await req.listen(ctx.iutUrl("tcp"));
    // A request waits for a peer: if a bad peer were taken for REP, it would go out there.
    const sending = req.trySend(utf8("for a real REP"), { timeoutMs: 8000 });
    for (const protocol of NOT_REP) {
      const peer = await ctx.connect(url, `as${h16(protocol)}`);
      peer.sendHeader({ protocol });
      const h = await peer.readHeader(T.prompt);
      if (h.protocol !== PROTO.req0) {
        ctx.fail(`the IUT REQ announced ${h16(h.protocol)}, expected 0x0030`);
      }
      const q = await peer.quiet(T.prompt);
      if (q.kind === "data") {
        ctx.fail(
          `the IUT REQ sent ${hex(q.bytes)} to a peer announcing ${h16(protocol)}, which is not REP (0x0031)`,
        );
      }
      if (q.kind === "nothing") {
        ctx.fail(
          `the connection of a peer announcing ${h16(protocol)} stayed open ${T.prompt} ms; it is not REP (0x0031)`,
        );
      }
    }
    // SP-TCP-12: the socket still works; the waiting request goes to a real REP.
    const server = await ctx.server("rep");
    await req.dial(server.url);
    const good = await server.accept(T.prompt);
    const h = await good.handshake(PROTO.rep0);
    if (h.protocol !== PROTO.req0) ctx.fail(`the IUT REQ announced ${h16(h.protocol)}`);
    const r = await readRequest(ctx, good);
    if (new TextDecoder().decode(r.body) !== "for a real REP") {
      ctx.fail(`the real REP got the request body ${hex(r.body)}`);
    }
    good.sendFrame(request({ hops: [], id: r.id, body: utf8("answer") }));
    const sent = await sending;
    if (!sent.ok) ctx.fail(`the waiting request failed with ${sent.code}`);
    const reply = await req.tryRecv({ timeoutMs: T.prompt });
    if (!reply.ok) ctx.fail(`the IUT REQ did not deliver the real REP's reply: ${reply.code}`);
    if (new TextDecoder().decode(reply.value) !== "answer") {
      ctx.fail(`the IUT REQ delivered ${hex(reply.value)}, expected "answer"`);
    }
  },
};

const notReqToRep: ConformanceCase = {
  id: "tcp/peer-protocol-16-bit-rep",
  title:
    "REP closes a connection whose header names 0x0130, 0x3000, ... and delivers nothing from it",
  requirements: ["SP-TCP-6", "SP-TCP-4", "SP-TCP-2", "SP-TCP-12", "SP-FRAMEWORK-20"],
  kind: "malformed",
  needs: REP_TCP,
  covers: ["tcp-pipe:handshake:header[!peerCompatible]"],
  async run(ctx: CaseContext) {
    const { rep, url } = await repListening(ctx);
    for (const [i, protocol] of NOT_REQ.entries()) {
      const peer = await ctx.connect(url, `as${h16(protocol)}`);
      peer.sendHeader({ protocol });
      // Were the peer taken for REQ, this request would be delivered.
      peer.sendFrame(
        request({ hops: [], id: 0x80000100 + i, body: utf8(`from ${h16(protocol)}`) }),
      );
      await peer.expectClosed(T.prompt, `${h16(protocol)} is not REQ (0x0030)`);
    }
    await iutNothing(ctx, rep, "only peers with a wrong protocol number sent requests");
    await stillServes(ctx, rep, url);
  },
};

/** Announced lengths with the high word set; the low word (10) would fit the limit. */
const HIGH_WORD_LENGTHS = [
  [0x00000001, 10],
  [0x80000000, 10],
  [0xffffffff, 10],
] as const;

const lengthHighWord: ConformanceCase = {
  id: "tcp/length-high-word",
  title: "A frame announcing 2^32 + 10 bytes is over recv-size-max 1024: the connection closes",
  requirements: ["SP-TCP-8", "SP-TCP-11", "SP-TCP-10", "SP-TCP-12", "SP-FRAMEWORK-20"],
  kind: "malformed",
  needs: { ...REP_TCP, options: ["recv-size-max"] },
  covers: ["tcp-pipe:active:oversize"],
  async run(ctx: CaseContext) {
    const limit = 1024;
    const { rep, url } = await repListening(ctx, { "recv-size-max": limit });
    for (const [i, [hi, lo]] of HIGH_WORD_LENGTHS.entries()) {
      const peer = await ctx.connect(url, `len${hi.toString(16)}`);
      const h = await peer.handshake(PROTO.req0);
      if (h.protocol !== PROTO.rep0) ctx.fail(`the IUT REP announced ${h16(h.protocol)}`);
      // Ten bytes that are a whole request on their own: id word + "high32".
      const tail = request({ hops: [], id: 0x80000200 + i, body: utf8("high32") });
      if (tail.length !== lo) throw new Error(`case bug: ${tail.length}-byte tail`);
      const length = new Uint8Array(8);
      const dv = new DataView(length.buffer);
      dv.setUint32(0, hi);
      dv.setUint32(4, lo);
      peer.write(new Uint8Array([...length, ...tail]));
      const what = `a frame announcing ${hex(length)} (${BigInt(hi) * 2n ** 32n + BigInt(lo)} bytes) with recv-size-max ${limit}`;
      await peer.expectClosed(T.prompt, what);
    }
    await iutNothing(ctx, rep, "every frame announced more than recv-size-max");
    await stillServes(ctx, rep, url);
  },
};

/** Reserved fields (bytes 6..7) with each byte non-zero on its own, and both. */
const NON_ZERO_RESERVED = [0x0100, 0x0001, 0x8000, 0xffff] as const;

const reservedEachByte: ConformanceCase = {
  id: "tcp/reserved-bytes-each",
  title: "REP closes a connection whose header has reserved byte 6 or byte 7 non-zero (SHOULD)",
  requirements: ["SP-TCP-5", "SP-TCP-12"],
  kind: "malformed",
  needs: REP_TCP,
  cat: { send: { rep0: { data: "yes" } } },
  covers: ["tcp-pipe:handshake:header[!reservedZero]"],
  async run(ctx: CaseContext) {
    const { rep, url } = await repListening(ctx);
    const open: string[] = [];
    for (const reserved of NON_ZERO_RESERVED) {
      const peer = await ctx.connect(url, `reserved${h16(reserved)}`);
      peer.sendHeader({ protocol: PROTO.req0, reserved });
      if (!(await peer.waitClosed(T.prompt))) {
        open.push(h16(reserved));
        peer.close();
      }
    }
    if (open.length > 0) {
      ctx.warn(
        `the connection stayed open ${T.prompt} ms after a header with reserved bytes ${open.join(", ")} (SP-TCP-5 asks to close it)`,
      );
    }
    await stillServes(ctx, rep, url);
  },
};

/** Cases of this file, in run order. */
export const tcpHeaderFieldCases: readonly ConformanceCase[] = [
  notRepToReq,
  notReqToRep,
  lengthHighWord,
  reservedEachByte,
];
