/**
 * Protocol header stacks: the REQ/REP (and SURVEYOR/RESPONDENT) backtrace
 * splitter and the PAIR v1 header, each against a word-by-word model.
 */
import fc from "fast-check";
import { SPError } from "../../../reference/core/errors.ts";
import { acceptPair1, parsePair1 } from "../../../reference/protocol/pair1/header.ts";
import { splitBacktrace } from "../../../reference/protocol/rep0/backtrace.ts";
import { mutate, type Rng } from "../rng.ts";
import { type FuzzTarget, invariant } from "../target.ts";

/** A message and the hop limit it is parsed with. */
export interface HeaderStackInput {
  readonly msg: Buffer;
  readonly max: number;
}

function checkBacktrace({ msg, max }: HeaderStackInput): void {
  const r = splitBacktrace(msg, max);
  // Model: walk whole words; the first with the top bit set ends the stack.
  let want: "ok" | "malformed" | "tooManyHops" = "malformed";
  let words = 0;
  for (let off = 0; off + 4 <= msg.length; off += 4) {
    words++;
    if (((msg[off] as number) & 0x80) !== 0) {
      want = "ok";
      break;
    }
    if (words >= max) {
      want = "tooManyHops";
      break;
    }
  }
  invariant(r.kind === want, () => `splitBacktrace: ${r.kind}, model ${want}`);
  if (r.kind !== "ok") return;
  invariant(r.hops === words && r.hops <= max, "hop count wrong");
  invariant(r.backtrace.length === 4 * words, "backtrace length wrong");
  invariant(Buffer.concat([r.backtrace, r.body]).equals(msg), "backtrace + body != message");
  for (let i = 0; i < words - 1; i++) invariant(((r.backtrace[4 * i] as number) & 0x80) === 0, "");
}

function checkPair1({ msg, max }: HeaderStackInput): void {
  const r = parsePair1(msg, max);
  let want: string;
  if (msg.length < 4) want = "malformed";
  else if (msg[0] !== 0 || msg[1] !== 0 || msg[2] !== 0) want = "malformed";
  else if (msg[3] === 0) want = "hopZero";
  else if ((msg[3] as number) > max) want = "tooManyHops";
  else want = "ok";
  invariant(r.kind === want, () => `parsePair1: ${r.kind}, model ${want}`);
  if (r.kind === "ok") {
    invariant(r.hops === msg[3] && r.body.equals(msg.subarray(4)), "hops or body wrong");
  }
  // The socket-side wrapper: only a malformed header closes, with a typed EPROTO.
  let closedWith: unknown = null;
  const counted: string[] = [];
  const body = acceptPair1(msg, { close: (e) => (closedWith = e ?? "none") }, max, (s) =>
    counted.push(s),
  );
  invariant((body !== undefined) === (want === "ok"), "acceptPair1 delivery wrong");
  if (want === "malformed") {
    invariant(closedWith instanceof SPError && closedWith.code === "EPROTO", "no EPROTO close");
  } else {
    invariant(closedWith === null, "pipe closed for a droppable message");
  }
  invariant(counted.length === (want === "ok" ? 0 : 1), "stat not counted once");
}

/** Words with the top bit mostly clear, then (usually) one with it set, then a body. */
function genStack(rng: Rng, maxWords: number): Buffer {
  const n = rng.int(maxWords + 1);
  const parts: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const w = rng.bytes(4);
    w[0] = (w[0] as number) & 0x7f;
    parts.push(w);
  }
  if (rng.chance(0.8)) {
    const id = rng.bytes(4);
    id[0] = (id[0] as number) | 0x80;
    parts.push(id);
  }
  parts.push(rng.bytes(rng.size(40)));
  const msg = Buffer.concat(parts);
  return rng.chance(0.3) ? mutate(msg, rng) : msg;
}

const stackArb = fc
  .record({
    hops: fc.array(fc.integer({ min: 0, max: 0x7fffffff }), { maxLength: 18 }),
    id: fc.option(fc.integer({ min: 0x80000000, max: 0xffffffff })),
    tail: fc.uint8Array({ maxLength: 11 }),
  })
  .map(({ hops, id, tail }) => {
    const ws = id === null ? hops : [...hops, id];
    const b = Buffer.alloc(4 * ws.length);
    ws.forEach((w, i) => {
      b.writeUInt32BE(w, 4 * i);
    });
    return Buffer.concat([b, tail]);
  });

/** SP-REQREP-2, -14, -15 (shared by RESPONDENT). */
export const backtrace: FuzzTarget<HeaderStackInput> = {
  name: "reqrep-backtrace",
  about: "splitBacktrace vs word-walk model (ok / malformed / too many hops), body intact",
  weight: 2,
  arbitrary: fc
    .record({
      msg: fc.oneof(stackArb, fc.uint8Array({ maxLength: 80 }).map(Buffer.from)),
      max: fc.integer({ min: 1, max: 15 }),
    })
    .map((r) => ({ msg: Buffer.from(r.msg), max: r.max })),
  generate: (rng) => ({
    msg: rng.chance(0.85) ? genStack(rng, 18) : rng.bytes(rng.size(80)),
    max: 1 + rng.int(15),
  }),
  check: checkBacktrace,
};

function genPair1(rng: Rng): Buffer {
  const h = Buffer.from([0, 0, 0, rng.pick([0, 1, 2, 7, 8, 15, 16, 255, rng.int(256)])]);
  if (rng.chance(0.15)) h[rng.int(3)] = rng.u32() & 0xff;
  const msg = Buffer.concat([h, rng.bytes(rng.size(40))]);
  return rng.chance(0.2) ? mutate(msg, rng) : msg;
}

/** SP-PAIR-11..14. */
export const pair1Header: FuzzTarget<HeaderStackInput> = {
  name: "pair1-header",
  about: "parsePair1 / acceptPair1 vs model: malformed closes (EPROTO), hop 0 and TTL drop",
  weight: 2,
  arbitrary: fc.record({
    msg: fc.oneof(
      fc
        .tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 20 }))
        .map(([hop, b]) => Buffer.concat([Buffer.from([0, 0, 0, hop]), b])),
      fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a)),
    ),
    max: fc.integer({ min: 1, max: 255 }),
  }),
  generate: (rng) => ({ msg: genPair1(rng), max: 1 + rng.int(rng.chance(0.5) ? 15 : 255) }),
  check: checkPair1,
};
