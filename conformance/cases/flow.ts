/**
 * Shared parts of the flow-control cases (framework draft, "Flow Control",
 * SP-FRAMEWORK-21..-28): the options a case tightens when the IUT has them,
 * the allowance for what the IUT may hold in user space, and the
 * "non-reading receiver" case every receiving protocol gets.
 *
 * How the bounds are derived (conformance/harness/flow-bounds.ts): what can sit
 * between a raw peer and an IUT that stopped reading is the two kernels'
 * socket buffers, read from /proc/sys/net at run time (the largest a buffer
 * may grow to), plus what the IUT itself holds, plus 1 MiB of slack. The
 * IUT's share comes from the options the case sets: `recv-buffer` /
 * `send-buffer` (messages) are set small when the IUT declares them;
 * otherwise 128 messages are allowed: at the cases' 64 KiB frames that is
 * 8 MiB, more than the drafts' defaults (1024 messages or 64 KiB per pipe,
 * whichever comes first) and the largest default of nng and nanomsg. A
 * stack that reads without bound goes past such a bound; one that stops
 * reading stays far below it.
 */
import type { IutSocket } from "../adapters/iut.ts";
import { IutError } from "../adapters/iut.ts";
import { FloodPeer, QUEUE_BYTES } from "../harness/flood.ts";
import { type Allowance, fmt, receiverBound, tcpLimits } from "../harness/flow-bounds.ts";
import { bodySeq, FLOOD_BODY, numberedBody } from "../harness/numbered.ts";
import { concat } from "../harness/sp.ts";
import { SpListener } from "../harness/sp-listener.ts";
import { expectErrorName } from "./common/error-name.ts";
import type { CaseContext, ConformanceCase } from "./types.ts";

const MiB = 1024 * 1024;

/** Bounds of the flow-control cases (ms). */
export const FLOW_T = {
  /** No write completing for this long while writes wait: the peer's writes stalled. */
  stall: 500,
  /** Longest a flood may take. */
  flood: 6000,
  /** Each receive while the application works through what the peer wrote. */
  recv: 2000,
  /** "Nothing more" windows. */
  quiet: 300,
  /** Each send of the IUT that must not wait long. */
  send: 2000,
} as const;

/** Messages allowed for an IUT that declares no message bound we can set. */
export const DEFAULT_MESSAGES = 128;
/** What a case sets `recv-buffer` / `send-buffer` to when the IUT takes it. */
export const SMALL_MESSAGES = 4;

/** Opens an IUT socket of any protocol (`CaseIut.open` passes the name through). */
export function openAny(ctx: CaseContext, protocol: string): Promise<IutSocket> {
  return ctx.iut.open(protocol);
}

/**
 * Sets an option the case only uses to tighten its bound; returns false when
 * the IUT answers ENOTSUP (does not have it). Other errors fail the case.
 */
export async function trySetopt(sock: IutSocket, name: string, value: number): Promise<boolean> {
  try {
    await sock.setopt(name, value);
    return true;
  } catch (e) {
    if (e instanceof IutError && e.code === "ENOTSUP") return false;
    throw e;
  }
}

/**
 * The user-space allowance of a socket for messages of `messageBytes` in one
 * direction: `option` (`recv-buffer` or `send-buffer`) is set to
 * {@link SMALL_MESSAGES} when the IUT has it, else {@link DEFAULT_MESSAGES}
 * are allowed; plus `extra` messages in the pipe and the transport.
 */
export async function messageAllowance(
  sock: IutSocket,
  option: "recv-buffer" | "send-buffer",
  messageBytes: number,
  extra = 4,
  tighten = true,
): Promise<Allowance> {
  const small = tighten && (await trySetopt(sock, option, SMALL_MESSAGES));
  const n = small ? SMALL_MESSAGES : DEFAULT_MESSAGES;
  const why = small
    ? `${option} set to ${n} messages, + ${extra} in the pipe and transport, of ${fmt(messageBytes)}`
    : !tighten
      ? `the IUT's default bounds: ${n} messages (above the drafts' and the peers' defaults), + ${extra}, of ${fmt(messageBytes)}`
      : `no ${option} option: ${n} messages (above the drafts' and the peers' defaults), + ${extra}, of ${fmt(messageBytes)}`;
  return { bytes: (n + extra) * messageBytes, why };
}

/** How a non-reading receiver case builds and reads its messages. */
export interface NoReadSpec {
  id: string;
  title: string;
  requirements: string[];
  covers: string[];
  /** IUT protocol (`pull0`). */
  protocol: string;
  /** Protocol number the raw peer announces. */
  peer: number;
  /** Words in front of the body on the wire (backtrace, hop count). */
  prefix?: (seq: number) => Uint8Array;
  /**
   * True when stopping is a MUST (PULL, PAIR, REP, RESPONDENT); false when the
   * protocol MAY discard instead (SUB, BUS): then a socket that keeps reading
   * and discards gets `warn`, as long as what it delivers keeps its order and
   * the pipe stays open.
   */
  must: boolean;
  /** Runs after open, before listen (subscribe, ...). */
  setup?: (ctx: CaseContext, sock: IutSocket) => Promise<void>;
  /**
   * Runs once the peer is connected, before the flood; returns the prefix the
   * flood uses from then on (same length as `prefix`). A SURVEYOR starts its
   * survey here and the peer answers it with the survey's id.
   */
  begin?: (
    ctx: CaseContext,
    sock: IutSocket,
    peer: FloodPeer,
  ) => Promise<(seq: number) => Uint8Array>;
  /**
   * Set when the protocol lets the socket keep reading and drop what it cannot
   * keep (SURVEYOR, SP-SURVEY-13): a flood with no backpressure is then
   * noted with this reason, not warned about. What the application receives
   * afterwards must still fit the bound.
   */
  mayReadOn?: string;
  /** Options the case needs (`needs.options`). */
  options?: string[];
  /**
   * False to skip the last step (one more message after the others), e.g.
   * where a recv that timed out may end the exchange (nng's SURVEYOR ends its
   * survey then, see survey/surveyor-recv-timeout-keeps-survey).
   */
  oneMore?: boolean;
  /**
   * Leave the IUT's receive bounds at their defaults instead of setting
   * `recv-buffer` small. With 64 KiB messages the drafts' default byte bound
   * (64 KiB per pipe, SP-FRAMEWORK-25) is what must stop the reading, so a
   * byte bound that never binds shows here and not in the tightened case.
   * Holding more than the allowance is then a `warn` (the defaults are a
   * SHOULD), not a `fail`.
   */
  defaults?: boolean;
}

/**
 * The same check with the IUT's default receive bounds (`-bounded` in the id
 * becomes `-defaults`): no `recv-buffer` is set, so with 64 KiB messages only
 * a byte bound stops the reading early (SP-FRAMEWORK-21, -25).
 */
export function noReadDefaults(spec: NoReadSpec): NoReadSpec {
  return {
    ...spec,
    id: spec.id.replace(/-bounded$/, "-defaults"),
    title: `${spec.title}, with its default receive bounds`,
    requirements: [...spec.requirements, "SP-FRAMEWORK-25"],
    defaults: true,
  };
}

/**
 * Case: the IUT dials a raw peer and its application does not receive; the
 * peer writes numbered 64 KiB messages as fast as its kernel takes them. The peer
 * must stall before a bound derived from the kernels' buffers and the IUT's
 * allowance (SP-FRAMEWORK-21/-22; a stack that reads without bound fails with
 * "no backpressure"). Then the application receives: every message the peer
 * wrote must arrive exactly once and in order (SP-FRAMEWORK-23: the pipe
 * resumed, nothing lost, duplicated or reordered), and the pipe must still
 * carry one more message.
 */
export function noReadCase(spec: NoReadSpec): ConformanceCase {
  return {
    id: spec.id,
    title: spec.title,
    // A discarding socket's last recv may warn on its error name (receiveSome).
    requirements: spec.must ? spec.requirements : [...spec.requirements, "SP-FRAMEWORK-20"],
    kind: "example",
    needs: {
      protocols: [spec.protocol],
      transports: ["tcp"],
      ...(spec.options ? { options: spec.options } : {}),
    },
    covers: spec.covers,
    timeoutMs: 20000,
    async run(ctx: CaseContext) {
      const sock = await openAny(ctx, spec.protocol);
      await spec.setup?.(ctx, sock);
      let prefix = spec.prefix ?? (() => new Uint8Array(0));
      const payload = (seq: number) => concat(prefix(seq), numberedBodyFor(seq, prefix));
      const frameBytes = 8 + payload(0).length;
      const allowance = await messageAllowance(sock, "recv-buffer", frameBytes, 4, !spec.defaults);
      const bound = receiverBound(tcpLimits(), allowance);
      ctx.note(bound.derivation);
      // The IUT dials the peer (see SpListener for why not the other way round).
      const listener = await SpListener.listen(ctx.hosts.suite, "flood", ctx.transcript);
      await sock.dial(listener.url);
      let peer: FloodPeer;
      try {
        peer = await FloodPeer.accept(listener, spec.peer, "flood", ctx.transcript, payload);
      } finally {
        listener.close();
      }
      try {
        if (spec.begin) {
          const next = await spec.begin(ctx, sock, peer);
          if (next(0).length !== prefix(0).length)
            throw new Error("begin changed the prefix length");
          prefix = next;
        }
        const r = await peer.flood({
          limit: bound.bytes + 4 * MiB,
          stallMs: FLOW_T.stall,
          maxMs: FLOW_T.flood,
        });
        if (r.closed) {
          ctx.fail(
            `the IUT closed the connection while the peer was writing (after ${fmt(r.accepted)}); a full buffer must make it stop reading, not close`,
          );
        }
        const what = `${fmt(r.accepted)} accepted in ${r.ms.toFixed(0)} ms (${r.frames} messages written)`;
        let discarding = false;
        if (r.stalled && r.accepted <= bound.bytes) {
          ctx.note(`the peer's writes stalled: ${what}`);
        } else {
          const why = r.stalled
            ? `the peer's writes stalled only after ${what}, beyond the ${fmt(bound.bytes)} bound`
            : `accepted ${fmt(r.accepted)} with no backpressure in ${r.ms.toFixed(0)} ms (bound ${fmt(bound.bytes)}): the IUT kept reading a pipe its application does not read`;
          if (spec.must && !spec.defaults) ctx.fail(why);
          if (spec.mayReadOn !== undefined) ctx.note(`${why}: allowed, ${spec.mayReadOn}`);
          else if (spec.defaults) {
            ctx.warn(
              `${why}: with its default bounds the IUT held more than 128 messages of 64 KiB, where the drafts' defaults stop at 64 KiB per pipe (SP-FRAMEWORK-25, SHOULD)`,
            );
          } else ctx.warn(`${why} (SHOULD stop reading; discarding is allowed)`);
          discarding = !spec.must;
        }
        const body = FLOOD_BODY - prefix(0).length;
        if (spec.must) await receiveAll(ctx, sock, peer.frames, body);
        else {
          // SUB, BUS: whatever arrives must keep its order; a gap is a discard (MAY).
          const got = await receiveSome(ctx, sock, peer.frames, body);
          if (!discarding && got < peer.frames) {
            ctx.warn(
              `the IUT stopped reading but delivered only ${got} of the ${peer.frames} messages: it discarded the rest instead of keeping them for when the application reads (SHOULD stop reading; discarding is allowed)`,
            );
          }
          // A socket that read on must have dropped what its bound could not hold: what
          // the application gets afterwards is at most what the bound, the kernels and the
          // peer's own queue held (SP-FRAMEWORK-21).
          const held = bound.bytes + QUEUE_BYTES;
          if (got * frameBytes > held) {
            const why = `after the flood the application received ${got} messages (${fmt(got * frameBytes)}), more than the ${fmt(held)} that the bound, the kernels' buffers and the peer's queue can hold: the IUT kept everything it read`;
            if (spec.defaults)
              ctx.warn(
                `${why}; with its default bounds it held more than 128 messages of 64 KiB, where the drafts' defaults stop at 64 KiB per pipe (SP-FRAMEWORK-25, SHOULD)`,
              );
            else
              ctx.fail(
                `${why} (SP-FRAMEWORK-21: what a socket read and did not deliver is bounded)`,
              );
          }
        }
        if (spec.oneMore === false) return;
        // The pipe still carries messages: one more goes through.
        if (peer.closed) ctx.fail("the IUT closed the connection of the peer it stopped reading");
        const next = peer.writeNext();
        const last = await sock.tryRecv({ timeoutMs: FLOW_T.recv });
        if (!last.ok) ctx.fail(`a message written after the others did not arrive: ${last.code}`);
        const seq = bodySeq(last.value, body);
        if (seq !== next)
          ctx.fail(`the message written last arrived as ${describe(seq)}, not #${next}`);
      } finally {
        peer.close();
      }
    },
  };
}

/** The numbered body that, after `prefix`, fills a 64 KiB payload. */
function numberedBodyFor(seq: number, prefix: (seq: number) => Uint8Array): Uint8Array {
  const size = FLOOD_BODY - prefix(seq).length;
  return numberedBody(seq, size);
}

function describe(seq: number | string): string {
  return typeof seq === "number" ? `#${seq}` : seq;
}

/**
 * Receives `n` messages and fails unless they are #0..#n-1 in order, then
 * unless nothing more arrives (no duplicates).
 */
export async function receiveAll(
  ctx: CaseContext,
  sock: IutSocket,
  n: number,
  body: number,
): Promise<void> {
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const r = await sock.tryRecv({ timeoutMs: FLOW_T.recv });
    if (!r.ok) {
      ctx.fail(
        `after ${i} of the ${n} messages the peer wrote, recv failed with ${r.code}: the pipe did not resume, or messages were lost`,
      );
    }
    const seq = bodySeq(r.value, body);
    if (seq !== i) {
      ctx.fail(
        `message ${i} of ${n} arrived as ${describe(seq)}, expected #${i}: ${typeof seq === "number" && seq > i ? `#${i} was lost or reordered` : "duplicated or reordered"}`,
      );
    }
  }
  ctx.note(`received all ${n} messages in order in ${(performance.now() - started).toFixed(0)} ms`);
  const more = await sock.tryRecv({ timeoutMs: FLOW_T.quiet });
  if (more.ok)
    ctx.fail(
      `after all ${n} messages, recv delivered ${describe(bodySeq(more.value, body))} again`,
    );
}

/**
 * For a socket that discards (SUB, BUS keep reading): receives until nothing
 * more arrives; what arrives must be in increasing order, each at most once.
 */
async function receiveSome(
  ctx: CaseContext,
  sock: IutSocket,
  n: number,
  body: number,
): Promise<number> {
  let prev = -1;
  let count = 0;
  for (let i = 0; i <= n; i++) {
    // The first wait is long: a socket that stopped reading needs time to read again.
    const r = await sock.tryRecv({ timeoutMs: count === 0 ? FLOW_T.recv : FLOW_T.quiet * 2 });
    if (!r.ok) {
      expectErrorName(ctx, r.code, "ETIMEDOUT", "the recv after the last message");
      break;
    }
    const seq = bodySeq(r.value, body);
    if (typeof seq !== "number") ctx.fail(`a delivered message is damaged: ${seq}`);
    if (seq <= prev) ctx.fail(`#${seq} was delivered after #${prev}: reordered or duplicated`);
    prev = seq;
    count++;
  }
  ctx.note(`the IUT delivered ${count} of the ${n} messages, in order`);
  return count;
}
