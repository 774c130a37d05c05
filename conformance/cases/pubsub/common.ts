/**
 * Building blocks shared by the PUB/SUB cases: an IUT PUB listening with raw
 * SUB peers, an IUT SUB listening with a raw PUB peer, subscriptions through
 * the byte-valued `sub:subscribe` option, and "until the sentinel" reads.
 */
import { connect, type Socket } from "node:net";
import { protocols } from "../../../spec/constants.ts";
import type { IutSocket } from "../../adapters/iut.ts";
import { hex, sameBytes, utf8 } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { expectErrorName } from "../common/error-name.ts";
import type { CaseContext, CaseNeeds } from "../types.ts";

/** Protocol numbers from the draft (SP-PUBSUB-1). */
export const PUBSUB_PROTO = {
  pub0: protocols.pub0.number,
  sub0: protocols.sub0.number,
} as const;

/** Bounds used by the PUB/SUB cases (ms). */
export const T = {
  /** Upper bound for something that should happen promptly. */
  prompt: 2000,
  /** "Nothing must arrive" windows. */
  quiet: 300,
  /** Pause between sync probes of a PUB whose peers may not be attached yet. */
  probe: 50,
} as const;

/** Needs of a case that drives an IUT PUB over TCP. */
export const PUB_TCP: CaseNeeds = { protocols: ["pub0"], transports: ["tcp"] };
/** Needs of a case that drives an IUT SUB over TCP. */
export const SUB_TCP: CaseNeeds = { protocols: ["sub0"], transports: ["tcp"] };

/** A message no case publishes otherwise: marks "everything before has been processed". */
export const SENTINEL = new Uint8Array([
  0xee, 0xee, 0x53, 0x45, 0x4e, 0x54, 0x49, 0x4e, 0x45, 0x4c,
]);
/** Probe a PUB sends until every raw peer has seen one (its pipes are then attached). */
export const SYNC = new Uint8Array([0xee, 0xee, 0x53, 0x59, 0x4e, 0x43]);

/**
 * Opens an IUT socket of a PUB/SUB protocol. `CaseIut.open` is typed for the
 * REQ/REP names only; the runner passes any name through to the adapter.
 */
export function openIut(ctx: CaseContext, protocol: "pub0" | "sub0"): Promise<IutSocket> {
  const open = ctx.iut.open as (p: string) => Promise<IutSocket>;
  return open(protocol);
}

/** Subscribes an IUT SUB to `topic` (byte-valued `sub:subscribe`). */
export async function subscribe(sock: IutSocket, topic: Uint8Array | string): Promise<void> {
  await sock.setopt("sub:subscribe", typeof topic === "string" ? utf8(topic) : topic);
}

/** Unsubscribes; returns the error code, or undefined on success. */
export async function unsubscribe(
  sock: IutSocket,
  topic: Uint8Array | string,
): Promise<string | undefined> {
  try {
    await sock.setopt("sub:unsubscribe", typeof topic === "string" ? utf8(topic) : topic);
    return undefined;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    throw e;
  }
}

/** Opens an IUT SUB, subscribes to `topics`, listens, and connects a raw PUB peer. */
export async function subWithPublisher(
  ctx: CaseContext,
  topics: (Uint8Array | string)[],
): Promise<{ sub: IutSocket; url: string; pub: WirePeer }> {
  const sub = await openIut(ctx, "sub0");
  for (const t of topics) await subscribe(sub, t);
  const url = await sub.listen(ctx.iutUrl("tcp"));
  const pub = await rawPeer(ctx, url, PUBSUB_PROTO.pub0, PUBSUB_PROTO.sub0, "pub");
  return { sub, url, pub };
}

/** Connects a raw peer speaking `self`, and fails unless the IUT announces `expect`. */
export async function rawPeer(
  ctx: CaseContext,
  url: string,
  self: number,
  expect: number,
  label?: string,
): Promise<WirePeer> {
  const peer = await ctx.connect(url, label);
  const h = await peer.handshake(self);
  if (h.protocol !== expect) {
    ctx.fail(
      `the IUT announced protocol 0x${h.protocol.toString(16)}, expected 0x${expect.toString(16)}`,
    );
  }
  return peer;
}

/**
 * A peer that sends its SP header and then never reads (a paused raw socket,
 * outside the transcript), so that the IUT's writes to it back up. Closed
 * when the case ends.
 */
export async function stalledPeer(ctx: CaseContext, url: string, self: number): Promise<Socket> {
  const sock = connect(ctx.iutEndpoint(url));
  sock.pause();
  await new Promise<void>((resolve, reject) => {
    sock.once("connect", resolve);
    sock.once("error", reject);
  });
  sock.on("error", () => {});
  sock.write(Buffer.from([0, 0x53, 0x50, 0, self >> 8, self & 0xff, 0, 0]));
  ctx.note(`stalled peer (not in the transcript) on local port ${sock.localPort}`);
  stalled.add(sock);
  return sock;
}

const stalled = new Set<Socket>();

/** Destroys every stalled peer (call in a finally). */
export function closeStalled(): void {
  for (const s of stalled) s.destroy();
  stalled.clear();
}

/** Opens an IUT PUB, listens, and connects `n` raw SUB peers. */
export async function pubWithSubscribers(
  ctx: CaseContext,
  n: number,
): Promise<{ pub: IutSocket; url: string; subs: WirePeer[] }> {
  const pub = await openIut(ctx, "pub0");
  const url = await pub.listen(ctx.iutUrl("tcp"));
  const subs: WirePeer[] = [];
  for (let i = 0; i < n; i++) {
    subs.push(await rawPeer(ctx, url, PUBSUB_PROTO.sub0, PUBSUB_PROTO.pub0, `sub${i + 1}`));
  }
  await syncPub(ctx, pub, subs);
  return { pub, url, subs };
}

/**
 * A PUB drops messages for pipes it has not attached yet, so publish SYNC
 * probes until every peer has one buffered. `readData` skips them later.
 */
export async function syncPub(ctx: CaseContext, pub: IutSocket, peers: WirePeer[]): Promise<void> {
  const deadline = performance.now() + T.prompt;
  while (peers.some((p) => p.buffered === 0)) {
    if (performance.now() > deadline)
      ctx.fail("the IUT PUB never delivered to every connected SUB");
    await pub.send(SYNC, { timeoutMs: T.prompt });
    // Wait on the peers still without a probe: one that has data already would end the
    // race at once, and an IUT answering without I/O (in-process) would then never let
    // the others' bytes arrive.
    const missing = peers.filter((p) => p.buffered === 0);
    if (missing.length > 0) await Promise.race(missing.map((p) => p.quiet(T.probe)));
  }
}

/** Reads the next frame that is not a SYNC probe. */
export async function readData(peer: WirePeer, ms: number = T.prompt): Promise<Uint8Array> {
  for (;;) {
    const f = await peer.readFrame(ms);
    if (!sameBytes(f, SYNC)) return f;
  }
}

/**
 * Receives at the IUT until SENTINEL arrives (bounded), returning what came before it.
 * Fails when recv fails first.
 */
export async function recvUntilSentinel(
  ctx: CaseContext,
  sock: IutSocket,
  limit = 1000,
): Promise<Uint8Array[]> {
  const got: Uint8Array[] = [];
  for (let i = 0; i < limit; i++) {
    const r = await sock.tryRecv({ timeoutMs: T.prompt });
    if (!r.ok) {
      ctx.fail(
        `the IUT SUB did not deliver the sentinel (recv failed with ${r.code}) after ${got.length} messages: ${got.map((m) => hex(m, 16)).join(", ")}`,
      );
    }
    if (sameBytes(r.value, SENTINEL)) return got;
    got.push(r.value);
  }
  ctx.fail(`more than ${limit} messages before the sentinel`);
}

/** Fails unless the IUT delivers nothing within `T.quiet` (recv times out). */
export async function iutNothing(ctx: CaseContext, sock: IutSocket, why: string): Promise<void> {
  const r = await sock.tryRecv({ timeoutMs: T.quiet });
  if (r.ok) ctx.fail(`${why}, yet the IUT delivered ${hex(r.value)}`);
  expectErrorName(ctx, r.code, "ETIMEDOUT", `${why}; the recv`);
}

/** Compares two lists of messages, failing with both in hex. */
export function expectMessages(
  ctx: CaseContext,
  actual: Uint8Array[],
  expected: Uint8Array[],
  what: string,
): void {
  const same =
    actual.length === expected.length &&
    actual.every((m, i) => sameBytes(m, expected[i] as Uint8Array));
  if (!same) {
    const show = (l: Uint8Array[]) => `[${l.map((m) => hex(m, 24)).join(", ")}]`;
    ctx.fail(`${what}: expected ${show(expected)}, got ${show(actual)}`);
  }
}
