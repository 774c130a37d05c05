/**
 * What an IUT PUB does: its protocol number, peers it refuses, no header,
 * fan-out, best effort towards a stalled subscriber, and data sent into it.
 */
import { hex, sameBytes, utf8 } from "../../harness/sp.ts";
import { expectErrorName } from "../common/error-name.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  closeStalled,
  openIut,
  PUB_TCP,
  PUBSUB_PROTO,
  pubWithSubscribers,
  rawPeer,
  readData,
  SYNC,
  stalledPeer,
  syncPub,
  T,
} from "./common.ts";

/** PUB says 0x20 and SUB says 0x21 in their headers. */
export const pubsubNumbers: ConformanceCase = {
  id: "pubsub/protocol-numbers",
  title: "PUB announces protocol 0x20 and SUB announces 0x21",
  requirements: ["SP-PUBSUB-1", "SP-TCP-4"],
  kind: "example",
  needs: { protocols: ["pub0", "sub0"], transports: ["tcp"] },
  cat: {},
  async run(ctx: CaseContext) {
    const pub = await openIut(ctx, "pub0");
    await rawPeer(ctx, await pub.listen(ctx.iutUrl("tcp")), PUBSUB_PROTO.sub0, PUBSUB_PROTO.pub0);
    const sub = await openIut(ctx, "sub0");
    const server = await ctx.server();
    await sub.dial(server.url);
    const peer = await server.accept(T.prompt);
    const h = await peer.handshake(PUBSUB_PROTO.pub0);
    if (h.protocol !== PUBSUB_PROTO.sub0) {
      ctx.fail(`the IUT SUB announced 0x${h.protocol.toString(16)}, expected 0x21`);
    }
  },
};

/** A PUB refuses REQ and PUB peers; a SUB refuses SUB and PULL peers. */
export const pubsubWrongPeer: ConformanceCase = {
  id: "pubsub/wrong-peer-closes",
  title: "PUB and SUB close connections from peers of another protocol",
  requirements: ["SP-PUBSUB-1", "SP-TCP-6", "SP-FRAMEWORK-9"],
  kind: "malformed",
  needs: { protocols: ["pub0", "sub0"], transports: ["tcp"] },
  cat: { send: { pub0: { data: SYNC, interval: 1 } } },
  covers: ["tcp-pipe:handshake:header[!peerCompatible]"],
  async run(ctx: CaseContext) {
    const pub = await openIut(ctx, "pub0");
    const pubUrl = await pub.listen(ctx.iutUrl("tcp"));
    const sub = await openIut(ctx, "sub0");
    const subUrl = await sub.listen(ctx.iutUrl("tcp"));
    const tries: [string, string, number][] = [
      ["PUB", pubUrl, 0x30],
      ["PUB", pubUrl, PUBSUB_PROTO.pub0],
      ["SUB", subUrl, PUBSUB_PROTO.sub0],
      ["SUB", subUrl, 0x51],
    ];
    for (const [who, url, proto] of tries) {
      const peer = await ctx.connect(url, `0x${proto.toString(16)}->${who}`);
      peer.sendHeader({ protocol: proto });
      if (!(await peer.waitClosed(T.prompt))) {
        ctx.fail(`the IUT ${who} kept a connection whose peer announced 0x${proto.toString(16)}`);
      }
    }
    // Still serving a proper subscriber.
    const good = await rawPeer(ctx, pubUrl, PUBSUB_PROTO.sub0, PUBSUB_PROTO.pub0, "good");
    await syncPub(ctx, pub, [good]);
  },
};

/** The body goes out as the whole payload, to every subscriber, whatever its first bytes. */
export const pubNoHeaderFanOut: ConformanceCase = {
  id: "pubsub/pub-no-header-fan-out",
  title: "PUB sends the body with no header to every connected SUB, in order",
  requirements: ["SP-PUBSUB-2", "SP-PUBSUB-6", "SP-PUBSUB-11", "SP-TCP-8"],
  kind: "example",
  needs: PUB_TCP,
  async run(ctx: CaseContext) {
    const { pub, subs } = await pubWithSubscribers(ctx, 3);
    const bodies = [
      utf8("weather.paris 21C"),
      new Uint8Array([0x80, 0, 0, 1, 0x41]), // looks like a backtrace word; must stay body
      new Uint8Array(0),
      new Uint8Array(1000).map((_, i) => i & 0xff),
    ];
    for (const b of bodies) await pub.send(b, { timeoutMs: T.prompt });
    for (const peer of subs) {
      for (const b of bodies) {
        const f = await readData(peer);
        if (!sameBytes(f, b)) ctx.fail(`${peer.label} got ${hex(f)}, expected ${hex(b)}`);
      }
    }
  },
};

/** A stalled subscriber neither blocks the publisher nor starves the others. */
export const pubSlowSubscriber: ConformanceCase = {
  id: "pubsub/pub-slow-subscriber",
  title: "PUB keeps publishing to a reading SUB while another SUB stops reading",
  requirements: ["SP-PUBSUB-8", "SP-PUBSUB-9", "SP-PUBSUB-10"],
  kind: "example",
  needs: PUB_TCP,
  timeoutMs: 60000,
  async run(ctx: CaseContext) {
    const { pub, url, subs } = await pubWithSubscribers(ctx, 1);
    const good = subs[0] as (typeof subs)[0];
    // A second subscriber that sends its header and then never reads: the
    // kernel buffers fill, then whatever the IUT keeps for it.
    try {
      const stalled = await stalledPeer(ctx, url, PUBSUB_PROTO.sub0);
      await new Promise((r) => setTimeout(r, 100)); // let the IUT attach it
      const size = 64 * 1024;
      const count = 400; // ~26 MB: more than loopback buffers hold
      let slowest = 0;
      for (let i = 0; i < count; i++) {
        const body = new Uint8Array(size).fill(i & 0xff);
        const t0 = performance.now();
        const r = await pub.trySend(body, { timeoutMs: T.prompt });
        slowest = Math.max(slowest, performance.now() - t0);
        if (!r.ok) ctx.fail(`send ${i} failed with ${r.code} while one subscriber was stalled`);
        const f = await readData(good, T.prompt).catch(() => undefined);
        if (f === undefined) ctx.fail(`the reading subscriber did not get message ${i}`);
        if (f.length !== size || f[0] !== (i & 0xff)) {
          ctx.fail(`the reading subscriber got a wrong message at ${i} (first byte ${f[0]})`);
        }
      }
      ctx.note(
        `${count} x ${size} bytes published; slowest send ${slowest.toFixed(0)} ms; the stalled peer read nothing (${stalled.bytesRead} bytes)`,
      );
    } finally {
      closeStalled();
    }
  },
};

/** Data sent into a PUB: not fatal, not disturbing; closing that pipe is preferred. */
export const pubDataInto: ConformanceCase = {
  id: "pubsub/pub-data-into-pub",
  title: "Data sent into a PUB neither kills it nor disturbs other subscribers (SHOULD close)",
  requirements: ["SP-PUBSUB-12", "SP-PUBSUB-13", "SP-PUBSUB-24", "SP-TCP-12"],
  kind: "malformed",
  needs: PUB_TCP,
  covers: ["pub:open:peerData"],
  async run(ctx: CaseContext) {
    const { pub, subs } = await pubWithSubscribers(ctx, 2);
    const [good, bad] = subs as [(typeof subs)[0], (typeof subs)[0]];
    bad.sendFrame(utf8("a SUB must not talk"));
    bad.sendFrame(utf8("really"));
    const closed = await bad.waitClosed(T.quiet + 200);
    // The IUT must still be alive and keep serving the good subscriber.
    const sent = await pub.trySend(utf8("after"), { timeoutMs: T.prompt });
    if (!sent.ok) ctx.fail(`send after the unexpected data failed with ${sent.code}`);
    const f = await readData(good).catch((e: Error) =>
      ctx.fail(`the other subscriber: ${e.message}`),
    );
    if (!sameBytes(f, utf8("after"))) ctx.fail(`the other subscriber got ${hex(f)}`);
    if (closed) return;
    const later = await bad.quiet(T.quiet);
    if (later.kind === "closed") return;
    ctx.info(
      "the IUT PUB kept the connection that sent data (permitted: it MAY discard, SP-PUBSUB-24)",
    );
  },
};

/** recv on a PUB fails with ENOTSUP. */
export const pubsubNotSupported: ConformanceCase = {
  id: "pubsub/operations-not-supported",
  title: "recv on PUB and send on SUB fail with ENOTSUP",
  requirements: ["SP-PUBSUB-19", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: { protocols: ["pub0", "sub0"], transports: ["tcp"] },
  async run(ctx: CaseContext) {
    const pub = await openIut(ctx, "pub0");
    const r = await pub.tryRecv({ timeoutMs: 500 });
    if (r.ok) ctx.fail(`recv on a PUB delivered ${hex(r.value)}`);
    expectErrorName(ctx, r.code, "ENOTSUP", "recv on a PUB");
    const sub = await openIut(ctx, "sub0");
    const s = await sub.trySend(utf8("x"), { timeoutMs: 500 });
    if (s.ok) ctx.fail("send on a SUB succeeded");
    expectErrorName(ctx, s.code, "ENOTSUP", "send on a SUB");
  },
};

/** Size of the large messages of the ordering case: over a 64 KiB copy limit. */
const LARGE = 100 * 1024;
const ORDER_ROUNDS = 4;
const SMALL_PER_ROUND = 3;

/** Message `seq`: its number in four bytes, then `size - 4` bytes of (seq + k) mod 256. */
function seqMessage(seq: number, size: number): Uint8Array {
  const m = new Uint8Array(size).map((_, k) => (seq + k) & 0xff);
  new DataView(m.buffer).setUint32(0, seq);
  return m;
}

/**
 * SP-PUBSUB-11: a large message followed at once by small ones reaches each
 * subscriber in the order published. Both subscribers read at once, but a
 * PUB may still drop for a pipe that is busy with the large message
 * (SP-PUBSUB-9), so gaps pass; what arrives must be whole and in order.
 */
export const pubOrderMixedSizes: ConformanceCase = {
  id: "pubsub/pub-order-mixed-sizes",
  title: "PUB keeps the order of a large message and the small ones published right after it",
  requirements: ["SP-PUBSUB-11", "SP-PUBSUB-2"],
  kind: "example",
  needs: PUB_TCP,
  timeoutMs: 30000,
  async run(ctx: CaseContext) {
    const { pub, subs } = await pubWithSubscribers(ctx, 2);
    const sizes: number[] = [];
    for (let round = 0; round < ORDER_ROUNDS; round++) {
      for (let k = 0; k <= SMALL_PER_ROUND; k++) {
        const seq = sizes.length;
        const size = k === 0 ? LARGE : 16;
        sizes.push(size);
        const r = await pub.trySend(seqMessage(seq, size), { timeoutMs: T.prompt });
        if (!r.ok) ctx.fail(`publishing #${seq} failed with ${r.code}`);
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    for (const peer of subs) {
      const got: number[] = [];
      for (;;) {
        let f: Uint8Array;
        try {
          f = await peer.readFrame(got.length === 0 ? T.prompt : T.quiet * 2, LARGE + 16);
        } catch {
          break;
        }
        if (sameBytes(f, SYNC)) continue;
        const seq = f.length >= 4 ? new DataView(f.buffer, f.byteOffset).getUint32(0) : -1;
        const want = sizes[seq];
        if (want === undefined || !sameBytes(f, seqMessage(seq, want))) {
          ctx.fail(`${peer.label} got a message that was not published: ${hex(f, 16)}`);
        }
        const last = got.at(-1);
        if (last !== undefined && seq <= last) {
          ctx.fail(
            `${peer.label} got #${seq} (${want} bytes) after #${last} (${sizes[last]} bytes): reordered or repeated`,
          );
        }
        got.push(seq);
      }
      ctx.note(`${peer.label} got ${got.length} of ${sizes.length}: ${got.join(" ")}`);
    }
  },
};

export const pubCases = [
  pubsubNumbers,
  pubsubWrongPeer,
  pubNoHeaderFanOut,
  pubOrderMixedSizes,
  pubSlowSubscriber,
  pubDataInto,
  pubsubNotSupported,
];
