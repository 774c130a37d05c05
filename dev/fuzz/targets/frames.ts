/**
 * TCP and IPC framers: `FrameReader` fed a stream in arbitrary chunkings
 * must agree with a whole-buffer model decoder, stop exactly at the length
 * field (or type byte) that breaks the rules, and never allocate more than
 * the limit (or, with the limit off, more than the bytes received).
 */
import { constants as bufferConstants } from "node:buffer";
import fc from "fast-check";
import { FrameReader, PREALLOC_MAX } from "../../../reference/transport/tcp/frame-reader.ts";
import { chunkStream, cutStream, INTERESTING_LENGTHS, mutate, type Rng, u64be } from "../rng.ts";
import { type FuzzTarget, invariant, sameFrames } from "../target.ts";

/** One framer input: the stream, how it is cut, and the receive limit. */
export interface FrameInput {
  readonly stream: Buffer;
  readonly chunks: readonly Buffer[];
  /** 0 = unlimited. */
  readonly limit: number;
}

type End =
  | { kind: "incomplete" }
  | { kind: "oversize"; length: number; at: number }
  | { kind: "badType"; type: number; at: number };

interface Decoded {
  header: Buffer | null;
  frames: Buffer[];
  end: End;
}

/** The obvious whole-buffer decoder the streaming reader must agree with. */
function model(stream: Buffer, limit: number, frameType: number | undefined): Decoded {
  const out: Decoded = { header: null, frames: [], end: { kind: "incomplete" } };
  if (stream.length < 8) return out;
  out.header = stream.subarray(0, 8);
  let off = 8;
  for (;;) {
    if (frameType !== undefined) {
      if (off >= stream.length) return out;
      const t = stream[off] as number;
      off++;
      if (t !== frameType) {
        out.end = { kind: "badType", type: t, at: off };
        return out;
      }
    }
    if (stream.length - off < 8) return out;
    const length = stream.readUInt32BE(off) * 2 ** 32 + stream.readUInt32BE(off + 4);
    off += 8;
    if ((limit > 0 && length > limit) || length > bufferConstants.MAX_LENGTH) {
      out.end = { kind: "oversize", length, at: off };
      return out;
    }
    if (stream.length - off < length) return out;
    out.frames.push(stream.subarray(off, off + length));
    off += length;
  }
}

/** Largest `Buffer.allocUnsafe` request seen while `fn` ran. */
function trackAllocations(fn: () => void): number {
  const original = Buffer.allocUnsafe;
  let max = 0;
  Buffer.allocUnsafe = (size: number) => {
    if (size > max) max = size;
    return original(size);
  };
  try {
    fn();
  } finally {
    Buffer.allocUnsafe = original;
  }
  return max;
}

function checkFrames(input: FrameInput, frameType: number | undefined): void {
  const want = model(input.stream, input.limit, frameType);
  const got: Decoded = { header: null, frames: [], end: { kind: "incomplete" } };
  let chunkStart = 0;
  let chunkEnd = 0;
  let stoppedAt = -1;
  const stopWindow = (what: string, at: number) => {
    // The decision is taken inside the chunk that completes the offending field.
    invariant(
      at > chunkStart && at <= chunkEnd,
      () => `${what} reported while feeding bytes ${chunkStart}..${chunkEnd}, field ends at ${at}`,
    );
  };
  const reader = new FrameReader(
    {
      onHeader: (h) => {
        invariant(got.header === null, "two headers");
        got.header = Buffer.from(h);
      },
      onFrame: (f) => {
        invariant(stoppedAt < 0, "a frame after the reader stopped");
        got.frames.push(Buffer.from(f));
      },
      onOversize: (length) => {
        invariant(stoppedAt < 0, "oversize after the reader stopped");
        stoppedAt = chunkEnd;
        got.end = { kind: "oversize", length, at: want.end.kind === "oversize" ? want.end.at : -1 };
        if (want.end.kind === "oversize") stopWindow("oversize", want.end.at);
      },
      onBadType: (type) => {
        invariant(stoppedAt < 0, "bad type after the reader stopped");
        stoppedAt = chunkEnd;
        got.end = { kind: "badType", type, at: want.end.kind === "badType" ? want.end.at : -1 };
        if (want.end.kind === "badType") stopWindow("bad type byte", want.end.at);
      },
      limit: () => input.limit,
    },
    true,
    frameType,
  );
  let fed = 0;
  const maxAlloc = trackAllocations(() => {
    for (const c of input.chunks) {
      chunkStart = chunkEnd;
      chunkEnd += c.length;
      fed += c.length;
      reader.feed(c);
    }
  });
  invariant(
    (got.header === null) === (want.header === null) &&
      (got.header === null || got.header.equals(want.header as Buffer)),
    "header differs",
  );
  sameFrames(got.frames, want.frames, "frames");
  invariant(
    got.end.kind === want.end.kind,
    () => `ended ${got.end.kind}, model says ${want.end.kind}`,
  );
  if (want.end.kind === "oversize" && got.end.kind === "oversize") {
    invariant(got.end.length === want.end.length, "oversize length differs");
  }
  if (want.end.kind === "badType" && got.end.kind === "badType") {
    invariant(got.end.type === want.end.type, "bad type byte differs");
  }
  invariant(reader.stopped === (want.end.kind !== "incomplete"), "stopped flag wrong");
  // No allocation sized by an unchecked length: within the limit, and within what arrived.
  if (input.limit > 0) {
    invariant(maxAlloc <= Math.max(input.limit, 8), () => `allocated ${maxAlloc} > limit`);
  }
  invariant(
    maxAlloc <= Math.max(PREALLOC_MAX, 2 * fed),
    () => `allocated ${maxAlloc} bytes after receiving ${fed}`,
  );
}

const LIMITS = [0, 0, 1, 16, 100, 1024, 1 << 20];

/** A valid stream: header + frames (each with the type byte when `frameType` is set). */
function encode(header: Buffer, payloads: readonly Buffer[], frameType?: number): Buffer {
  const parts: Buffer[] = [header];
  for (const p of payloads) {
    if (frameType !== undefined) parts.push(Buffer.from([frameType]));
    parts.push(u64be(p.length), p);
  }
  return Buffer.concat(parts);
}

function generate(rng: Rng, frameType: number | undefined): FrameInput {
  const limit = rng.pick(LIMITS);
  const header = rng.chance(0.8) ? Buffer.from([0, 0x53, 0x50, 0, 0, 0x31, 0, 0]) : rng.bytes(8);
  const payloads: Buffer[] = [];
  const n = rng.int(6);
  for (let i = 0; i < n; i++) {
    // Rarely a payload past PREALLOC_MAX, to exercise the growing buffer.
    const size = rng.chance(0.001) ? PREALLOC_MAX + rng.int(3 * PREALLOC_MAX) : rng.size(300);
    payloads.push(rng.bytes(size));
  }
  let stream = encode(header, payloads, frameType);
  const mode = rng.int(10);
  if (mode < 3) {
    // valid as is
  } else if (mode < 8) {
    stream = mutate(stream, rng);
  } else if (mode < 9) {
    // A valid prefix, then a huge announced length and a few bytes of it.
    const huge = u64be(rng.pick(INTERESTING_LENGTHS));
    const type = frameType === undefined ? [] : [frameType];
    stream = Buffer.concat([stream, Buffer.from(type), huge, rng.bytes(rng.int(40))]);
  } else {
    stream = rng.bytes(rng.size(200));
  }
  return { stream, chunks: chunkStream(stream, rng), limit };
}

function arbitrary(frameType: number | undefined): fc.Arbitrary<FrameInput> {
  const header = fc.oneof(
    fc.constant(Buffer.from([0, 0x53, 0x50, 0, 0, 0x31, 0, 0])),
    fc.uint8Array({ minLength: 8, maxLength: 8 }).map((a) => Buffer.from(a)),
  );
  const payloads = fc.array(
    fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
    { maxLength: 5 },
  );
  const valid = fc.tuple(header, payloads).map(([h, ps]) => encode(h, ps, frameType));
  const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 });
  const mutated = fc
    .tuple(valid, edits, fc.option(fc.tuple(fc.nat(), fc.constantFrom(...INTERESTING_LENGTHS))))
    .map(([s, es, splice]) => {
      const b = Buffer.from(s);
      for (const [at, v] of es) if (b.length > 0) b[at % b.length] = v;
      if (!splice) return b;
      const at = splice[0] % (b.length + 1);
      return Buffer.concat([b.subarray(0, at), u64be(splice[1]), b.subarray(at + 8)]);
    });
  const random = fc.uint8Array({ maxLength: 120 }).map((a) => Buffer.from(a));
  return fc
    .record({
      stream: fc.oneof(valid, mutated, random),
      cuts: fc.array(fc.nat(), { maxLength: 12 }),
      limit: fc.constantFrom(...LIMITS),
    })
    .map(({ stream, cuts, limit }) => ({ stream, chunks: cutStream(stream, cuts), limit }));
}

/** `FrameReader` without a type byte (TCP, TLS). */
export const tcpFrames: FuzzTarget<FrameInput> = {
  name: "tcp-frames",
  about: "TCP framer vs model decoder, random chunking, oversize before payload, bounded alloc",
  weight: 3,
  arbitrary: arbitrary(undefined),
  generate: (rng) => generate(rng, undefined),
  check: (input) => checkFrames(input, undefined),
};

/** `FrameReader` with the IPC type byte 0x01 (SP-IPC-5, SP-IPC-6). */
export const ipcFrames: FuzzTarget<FrameInput> = {
  name: "ipc-frames",
  about: "IPC framer (type byte 1) vs model decoder, bad type byte stops at once",
  weight: 2,
  arbitrary: arbitrary(1),
  generate: (rng) => generate(rng, 1),
  check: (input) => checkFrames(input, 1),
};
