/**
 * TCP connection header cases (draft-sp-tcp §handshake) seen through REQ/REP
 * sockets: what the IUT sends, and what it does with bad headers.
 */
import { hex, PROTO, request, spHeader, utf8 } from "../../harness/sp.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  expectTopBit,
  REP_TCP,
  REQ_TCP,
  readRequest,
  repListening,
  stillServes,
  T,
} from "./common.ts";

/** The IUT sends a valid header for its own protocol at once, without waiting for ours. */
export const headerSent: ConformanceCase = {
  id: "reqrep/tcp-header-sent",
  title: "REQ and REP send their 8-byte header at once, reserved bytes zero",
  requirements: ["SP-TCP-1", "SP-TCP-4", "SP-TCP-16", "SP-REQREP-1"],
  kind: "example",
  needs: { protocols: ["req0", "rep0"], transports: ["tcp"] },
  cat: {},
  covers: ["tcp-pipe:handshake:entry"],
  async run(ctx: CaseContext) {
    const { url } = await repListening(ctx);
    const toRep = await ctx.connect(url, "toRep");
    const repHeader = await toRep.readExact(8, T.prompt, "the REP's header (we sent nothing)");
    const expectRep = spHeader({ protocol: PROTO.rep0 });
    if (hex(repHeader) !== hex(expectRep)) {
      ctx.fail(`REP header: expected ${hex(expectRep)}, got ${hex(repHeader)}`);
    }

    const req = await ctx.iut.open("req0");
    const server = await ctx.server();
    await req.dial(server.url);
    const fromReq = await server.accept(T.prompt);
    const reqHeader = await fromReq.readExact(8, T.prompt, "the REQ's header (we sent nothing)");
    const expectReq = spHeader({ protocol: PROTO.req0 });
    if (hex(reqHeader) !== hex(expectReq)) {
      ctx.fail(`REQ header: expected ${hex(expectReq)}, got ${hex(reqHeader)}`);
    }
  },
};

/** A peer announcing a protocol that is not REQ is disconnected; other peers are unaffected. */
export const wrongPeerProtocol: ConformanceCase = {
  id: "reqrep/tcp-wrong-peer-protocol",
  title: "REP closes a connection whose header names a protocol other than REQ",
  requirements: ["SP-TCP-6", "SP-REQREP-1", "SP-TCP-12", "SP-FRAMEWORK-9"],
  kind: "malformed",
  needs: REP_TCP,
  cat: { send: { rep0: { data: "yes" } } },
  covers: ["tcp-pipe:handshake:header[!peerCompatible]", "tcp-pipe:handshake:header"],
  async run(ctx: CaseContext) {
    const { rep, url } = await repListening(ctx);
    for (const [label, protocol] of [
      ["asRep", PROTO.rep0],
      ["asPair", PROTO.pair1],
    ] as const) {
      const peer = await ctx.connect(url, label);
      peer.sendHeader({ protocol });
      // Even if the IUT wrongly accepted the peer, this request must not be answered.
      peer.sendFrame(request({ hops: [], id: 0x80000001, body: utf8("bad peer") }));
      await peer.expectClosed(T.prompt, `protocol 0x${protocol.toString(16)} is not a peer of REP`);
    }
    await stillServes(ctx, rep, url);
  },
};

/**
 * The REQ side of SP-REQREP-1: a peer announcing REQ itself (or PAIR) is not
 * taken for a REP. A request waits meanwhile, so a wrongly accepted peer would
 * get it; afterwards it goes to a real REP.
 */
export const reqWrongPeerProtocol: ConformanceCase = {
  id: "reqrep/req-wrong-peer-protocol",
  title: "REQ closes a connection whose header names REQ or PAIR, and sends it no request",
  requirements: ["SP-REQREP-1", "SP-TCP-6", "SP-TCP-12", "SP-FRAMEWORK-9"],
  kind: "malformed",
  needs: REQ_TCP,
  covers: ["tcp-pipe:handshake:header[!peerCompatible]"],
  async run(ctx: CaseContext) {
    const req = await ctx.iut.open("req0");
    const url = await req.listen(ctx.iutUrl("tcp"));
    const sending = req.trySend(utf8("for a REP only"), { timeoutMs: 8000 });
    for (const [label, protocol] of [
      ["asReq", PROTO.req0],
      ["asPair", PROTO.pair1],
    ] as const) {
      const peer = await ctx.connect(url, label);
      peer.sendHeader({ protocol });
      const h = await peer.readHeader(T.prompt);
      if (h.protocol !== PROTO.req0) {
        ctx.fail(`the IUT REQ announced 0x${h.protocol.toString(16)}, expected 0x30`);
      }
      const q = await peer.quiet(T.prompt);
      if (q.kind === "data") {
        ctx.fail(
          `the IUT REQ sent ${hex(q.bytes)} to a peer announcing 0x${protocol.toString(16)}`,
        );
      }
      if (q.kind === "nothing") {
        ctx.fail(`the connection of a peer announcing 0x${protocol.toString(16)} stayed open`);
      }
    }
    // The socket still works: the waiting request goes to a real REP.
    const server = await ctx.server("rep");
    await req.dial(server.url);
    const good = await server.accept(T.prompt);
    await good.handshake(PROTO.rep0);
    const r = await readRequest(ctx, good);
    if (new TextDecoder().decode(r.body) !== "for a REP only") {
      ctx.fail(`the real REP got the request body ${hex(r.body)}`);
    }
    good.sendFrame(request({ hops: [], id: r.id, body: utf8("answer") }));
    const sent = await sending;
    if (!sent.ok) ctx.fail(`the waiting request failed with ${sent.code}`);
    const reply = await req.tryRecv({ timeoutMs: T.prompt });
    if (!reply.ok) ctx.fail(`the IUT REQ did not deliver the real REP's reply: ${reply.code}`);
  },
};

/** A header with bad magic bytes closes the connection; other peers are unaffected. */
export const badMagic: ConformanceCase = {
  id: "reqrep/tcp-bad-magic",
  title: "REP closes a connection whose header does not start with 00 53 50 00",
  requirements: ["SP-TCP-3", "SP-TCP-12"],
  kind: "malformed",
  needs: REP_TCP,
  cat: { send: { rep0: { data: "yes" } } },
  covers: ["tcp-pipe:handshake:header[!magicValid]"],
  async run(ctx: CaseContext) {
    const { rep, url } = await repListening(ctx);
    const variants: [string, Uint8Array][] = [
      ["version1", spHeader({ protocol: PROTO.req0, magic: [0x00, 0x53, 0x50, 0x01] })],
      ["http", utf8("GET / HT")],
      ["notSP", spHeader({ protocol: PROTO.req0, magic: [0x00, 0x53, 0x51, 0x00] })],
    ];
    for (const [label, header] of variants) {
      const peer = await ctx.connect(url, label);
      peer.write(header);
      await peer.expectClosed(T.prompt, `header ${hex(header)} has bad magic`);
    }
    await stillServes(ctx, rep, url);
  },
};

/** Non-zero reserved bytes SHOULD close the connection (SP-TCP-5). */
export const reservedNonZero: ConformanceCase = {
  id: "reqrep/tcp-reserved-nonzero",
  title: "REP closes a connection whose header has non-zero reserved bytes (SHOULD)",
  requirements: ["SP-TCP-5", "SP-TCP-12"],
  kind: "malformed",
  needs: REP_TCP,
  cat: { send: { rep0: { data: "yes" } } },
  covers: ["tcp-pipe:handshake:header[!reservedZero]"],
  async run(ctx: CaseContext) {
    const { rep, url } = await repListening(ctx);
    const peer = await ctx.connect(url, "reserved");
    peer.sendHeader({ protocol: PROTO.req0, reserved: 0x0001 });
    if (!(await peer.waitClosed(T.prompt))) {
      ctx.warn(
        `the connection stayed open ${T.prompt} ms after a header with reserved bytes 00 01`,
      );
    }
    await stillServes(ctx, rep, url);
  },
};

/** No message flows before the peer's header arrived; a request made meanwhile waits. */
export const noMessageBeforeHeader: ConformanceCase = {
  id: "reqrep/tcp-no-message-before-header",
  title: "REQ sends no request before the peer's header arrived, then sends the waiting one",
  requirements: ["SP-TCP-2", "SP-REQREP-12", "SP-REQREP-3", "SP-FRAMEWORK-15"],
  kind: "example",
  needs: { ...REQ_TCP, options: ["reconnect-time-min"] },
  covers: ["req:idle:send", "req:pending:pipeAdded", "tcp-pipe:handshake:header"],
  async run(ctx: CaseContext) {
    const req = await ctx.iut.open("req0");
    await req.setopt("reconnect-time-min", T.reconnect);
    const server = await ctx.server();
    await req.dial(server.url);
    const peer = await server.accept(T.prompt);
    await peer.readHeader(T.prompt);
    const sending = req.send(utf8("early"), { timeoutMs: 5000 });
    await peer.expectNothing(T.quiet, "our header has not been sent yet");
    peer.sendHeader({ protocol: PROTO.rep0 });
    const r = await readRequest(ctx, peer);
    expectTopBit(ctx, r.id);
    if (new TextDecoder().decode(r.body) !== "early") {
      ctx.fail(`expected the body "early", got ${hex(r.body)}`);
    }
    await sending;
  },
};

/** Cases of this file, in run order. */
export const handshakeCases = [
  headerSent,
  wrongPeerProtocol,
  reqWrongPeerProtocol,
  badMagic,
  reservedNonZero,
  noMessageBeforeHeader,
];
