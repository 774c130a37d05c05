/**
 * BUS cases (draft-sp-bus): header and peer checks, no protocol header,
 * fan-out to every directly connected peer, no forwarding and no echo, sends
 * that never wait, and receiving from every peer.
 */
import { hex, sameBytes, spHeader, utf8 } from "../../harness/sp.ts";
import {
  attachedPeer,
  iutExpect,
  iutNothing,
  listening,
  NUM,
  peerExpect,
  T,
  tcpNeeds,
} from "../pair/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

const BUS = tcpNeeds("bus0");

const headerSent: ConformanceCase = {
  id: "bus/tcp-header-sent",
  title: "BUS sends its 8-byte header with protocol 0x70 at once",
  requirements: ["SP-BUS-1", "SP-TCP-1", "SP-TCP-4", "SP-TCP-16"],
  kind: "example",
  needs: BUS,
  cat: {},
  covers: ["tcp-pipe:handshake:entry"],
  async run(ctx: CaseContext) {
    const { url } = await listening(ctx, "bus0");
    const peer = await ctx.connect(url, "raw");
    const got = await peer.readExact(8, T.prompt, "the IUT's header (we sent nothing)");
    const want = spHeader({ protocol: NUM.bus0 });
    if (hex(got) !== hex(want)) ctx.fail(`header: expected ${hex(want)}, got ${hex(got)}`);
  },
};

const wrongPeer: ConformanceCase = {
  id: "bus/wrong-peer-protocol",
  title: "BUS closes connections from other protocols and keeps serving BUS peers",
  requirements: ["SP-BUS-1", "SP-TCP-6", "SP-TCP-12", "SP-FRAMEWORK-9", "SP-FRAMEWORK-20"],
  kind: "malformed",
  needs: BUS,
  cat: {},
  covers: ["tcp-pipe:handshake:header[!peerCompatible]", "tcp-pipe:handshake:header"],
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "bus0");
    for (const [label, protocol] of [
      ["asPair0", NUM.pair0],
      ["asPair1", NUM.pair1],
      ["asReq", NUM.req0],
      // Same protocol family (0x7_) but not BUS: only 0x70 itself is a BUS peer.
      ["asBus1", NUM.bus0 + 1],
    ] as const) {
      const peer = await ctx.connect(url, label);
      peer.sendHeader({ protocol });
      peer.sendFrame(utf8(`from 0x${protocol.toString(16)}`));
      await peer.expectClosed(T.prompt, `0x${protocol.toString(16)} is not a peer of BUS`);
    }
    await iutNothing(ctx, sock, "only foreign peers sent messages");
    await attachedPeer(ctx, sock, url, "bus0", "good");
  },
};

const noHeader: ConformanceCase = {
  id: "bus/no-header",
  title: "BUS sends and delivers message bodies unchanged, without a protocol header",
  requirements: ["SP-BUS-2", "SP-BUS-9", "SP-FRAMEWORK-1"],
  kind: "example",
  needs: BUS,
  cat: { send: { bus0: { data: "xyz", delay: 1, early: true } } },
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "bus0");
    const peer = await attachedPeer(ctx, sock, url, "bus0", "peer");
    for (const body of [utf8("abc"), new Uint8Array(0), new Uint8Array([0x80, 0, 0, 1])]) {
      peer.sendFrame(body);
      await iutExpect(ctx, sock, body, `a ${body.length}-byte message`);
    }
    await sock.send(utf8("xyz"), { timeoutMs: T.prompt });
    await peerExpect(ctx, peer, utf8("xyz"), "the frame sent by the IUT");
  },
};

const fanOut: ConformanceCase = {
  id: "bus/fan-out",
  title: "BUS sends each message once to every connected peer",
  requirements: ["SP-BUS-3", "SP-BUS-2"],
  kind: "example",
  needs: BUS,
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "bus0");
    const a = await attachedPeer(ctx, sock, url, "bus0", "a");
    const b = await attachedPeer(ctx, sock, url, "bus0", "b");
    for (const m of ["one", "two"]) await sock.send(utf8(m), { timeoutMs: T.prompt });
    for (const p of [a, b]) {
      await peerExpect(ctx, p, utf8("one"), `${p.label}'s first copy`);
      await peerExpect(ctx, p, utf8("two"), `${p.label}'s second copy`);
      await p.expectNothing(T.quiet, "each message goes to each peer once");
    }
  },
};

const noEcho: ConformanceCase = {
  id: "bus/no-forward-no-echo",
  title: "BUS neither forwards a received message nor echoes it, nor hears itself",
  requirements: ["SP-BUS-5", "SP-BUS-6", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: BUS,
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "bus0");
    const a = await attachedPeer(ctx, sock, url, "bus0", "a");
    const b = await attachedPeer(ctx, sock, url, "bus0", "b");
    a.sendFrame(utf8("from a"));
    await iutExpect(ctx, sock, "from a", "a's message");
    await a.expectNothing(T.quiet, "a BUS socket does not send a message back to its sender");
    await b.expectNothing(T.quiet, "a BUS socket does not forward what it received");
    await sock.send(utf8("mine"), { timeoutMs: T.prompt });
    await iutNothing(ctx, sock, "the IUT sent 'mine' itself");
    for (const p of [a, b]) await peerExpect(ctx, p, utf8("mine"), `${p.label}'s copy`);
  },
};

const sendNoPeers: ConformanceCase = {
  id: "bus/send-without-peers",
  title: "BUS send without any peer completes at once",
  requirements: ["SP-BUS-4"],
  kind: "example",
  needs: BUS,
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "bus0");
    const t0 = performance.now();
    const r = await sock.trySend(utf8("to nobody"), { timeoutMs: T.prompt });
    if (!r.ok) ctx.fail(`send without peers failed with ${r.code}`);
    const ms = Math.round(performance.now() - t0);
    if (ms > T.prompt / 2) ctx.fail(`send without peers took ${ms} ms`);
    const late = await attachedPeer(ctx, sock, url, "bus0", "late");
    const q = await late.quiet(T.quiet);
    if (q.kind === "data") ctx.note(`a peer that came later got ${hex(q.bytes)}`);
  },
};

const receiveAll: ConformanceCase = {
  id: "bus/receive-from-all",
  title: "BUS delivers the messages of every peer, each peer's in order",
  requirements: ["SP-BUS-5", "SP-BUS-7"],
  kind: "example",
  needs: BUS,
  cat: {},
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "bus0");
    const a = await attachedPeer(ctx, sock, url, "bus0", "a");
    const b = await attachedPeer(ctx, sock, url, "bus0", "b");
    const n = 10;
    for (let i = 0; i < n; i++) {
      a.sendFrame(utf8(`a${i}`));
      b.sendFrame(utf8(`b${i}`));
    }
    const seen: Record<string, number[]> = { a: [], b: [] };
    for (let i = 0; i < 2 * n; i++) {
      const r = await sock.tryRecv({ timeoutMs: T.prompt });
      if (!r.ok) ctx.fail(`only ${i} of ${2 * n} messages arrived (${r.code})`);
      const text = new TextDecoder().decode(r.value);
      const who = text[0] ?? "";
      const list = seen[who];
      if (!list) ctx.fail(`unexpected message ${hex(r.value)}`);
      list.push(Number(text.slice(1)));
    }
    for (const [who, list] of Object.entries(seen)) {
      const want = Array.from({ length: n }, (_, i) => i);
      if (!sameBytes(new Uint8Array(list), new Uint8Array(want))) {
        ctx.fail(`${who}'s messages arrived as ${list.join(",")}`);
      }
    }
  },
};

/** BUS cases, in run order. */
export const busCases: readonly ConformanceCase[] = [
  headerSent,
  wrongPeer,
  noHeader,
  fanOut,
  noEcho,
  sendNoPeers,
  receiveAll,
];
