/**
 * The SP header check, end to end through a real `TcpPipe` (its tcp-pipe
 * actor, guards and frame reader) over an in-memory socket: a stream of
 * bytes in random chunks either attaches the pipe (valid header from the
 * right peer) and delivers exactly the model's frames, or closes the
 * connection with a typed EPROTO / EMSGSIZE and a counted statistic.
 */
import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import fc from "fast-check";
import { SPError } from "../../../reference/core/errors.ts";
import { resolveOptions } from "../../../reference/core/options.ts";
import type { Pipe } from "../../../reference/core/pipe.ts";
import type { PipeHost } from "../../../reference/core/transport.ts";
import { TcpPipe } from "../../../reference/transport/tcp/pipe.ts";
import { chunkStream, cutStream, mutate, type Rng, u64be } from "../rng.ts";
import { type FuzzTarget, invariant, sameFrames } from "../target.ts";

/** Bytes a REQ-side pipe receives, cut into chunks. */
export interface HeaderInput {
  readonly stream: Buffer;
  readonly chunks: readonly Buffer[];
}

const REQ = 0x30;
const REP = 0x31;
const LIMIT = 256;
const GOOD = Buffer.from([0, 0x53, 0x50, 0, 0, REP, 0, 0]);

/** Just enough of a `net.Socket` for a TcpPipe; `destroy` reports 'close' at once. */
class MemorySocket extends EventEmitter {
  destroyed = false;
  writableLength = 0;
  remoteAddress = "memory";
  remotePort = 0;
  readonly written: Buffer[] = [];
  setNoDelay(): this {
    return this;
  }
  write(b: Uint8Array): boolean {
    this.written.push(Buffer.from(b));
    return true;
  }
  cork(): void {}
  uncork(): void {}
  end(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      this.emit("close");
    }
    return this;
  }
}

class MemoryHost implements PipeHost {
  readonly identity = { self: REQ, peer: REP, name: "req", peerName: "rep" };
  readonly options = resolveOptions({ recvMaxSize: LIMIT, handshakeTimeout: 60_000 });
  readonly stats = new Map<string, number>();
  attached: Pipe | null = null;
  detached = false;
  readonly frames: Buffer[] = [];
  isPeerCompatible(peer: number): boolean {
    return peer === REP;
  }
  attachPipe(pipe: Pipe): void {
    this.attached = pipe;
    pipe.onMessage = (m) => this.frames.push(Buffer.from(m));
  }
  detachPipe(): void {
    this.detached = true;
  }
  count(stat: string): void {
    this.stats.set(stat, (this.stats.get(stat) ?? 0) + 1);
  }
}

/** What the pipe must do with `stream`, decided on the whole buffer. */
function expected(stream: Buffer): {
  attach: boolean;
  closeCode?: "EPROTO" | "EMSGSIZE";
  stat?: string;
  frames: Buffer[];
} {
  if (stream.length < 8) return { attach: false, frames: [] };
  const h = stream.subarray(0, 8);
  const magic = h[0] === 0 && h[1] === 0x53 && h[2] === 0x50 && h[3] === 0;
  // SP-TCP-3, SP-TCP-5, SP-TCP-6
  if (!magic || h[6] !== 0 || h[7] !== 0 || h.readUInt16BE(4) !== REP) {
    return { attach: false, closeCode: "EPROTO", stat: "rxBadHeader", frames: [] };
  }
  const frames: Buffer[] = [];
  let off = 8;
  while (stream.length - off >= 8) {
    const len = stream.readUInt32BE(off) * 2 ** 32 + stream.readUInt32BE(off + 4);
    off += 8;
    if (len > LIMIT) return { attach: true, closeCode: "EMSGSIZE", stat: "rxOversize", frames };
    if (stream.length - off < len) break;
    frames.push(stream.subarray(off, off + len));
    off += len;
  }
  return { attach: true, frames };
}

async function check(input: HeaderInput): Promise<void> {
  const socket = new MemorySocket();
  const host = new MemoryHost();
  const pipe = new TcpPipe({ socket: socket as unknown as Socket, host });
  try {
    invariant(socket.written[0]?.readUInt16BE(4) === REQ, "our header was not sent first");
    for (const c of input.chunks) socket.emit("data", c);
    const want = expected(input.stream);
    invariant(
      (host.attached !== null) === want.attach,
      () => `attached=${host.attached !== null}, expected ${want.attach}`,
    );
    sameFrames(host.frames, want.frames, "delivered");
    if (want.closeCode) {
      invariant(pipe.isClosed, "offending connection left open");
      invariant(socket.destroyed, "offending socket not destroyed");
      const reason = await pipe.closed;
      invariant(
        reason instanceof SPError && reason.code === want.closeCode,
        () => `close reason ${String(reason)}, expected ${want.closeCode}`,
      );
      invariant(host.stats.get(want.stat as string) === 1, `${want.stat} not counted once`);
    } else {
      invariant(!pipe.isClosed, "a well-behaved connection was closed");
    }
  } finally {
    socket.destroy(); // ends the actor (and its handshake timer)
  }
  invariant(pipe.isClosed, "pipe still open after disconnect");
  invariant(host.detached === (host.attached !== null), "attach and detach do not pair up");
}

function headerVariant(rng: Rng): Buffer {
  const h = Buffer.from(GOOD);
  switch (rng.int(6)) {
    case 0: {
      const i = rng.int(4);
      h[i] = (h[i] as number) ^ (1 << rng.int(8)); // bad magic or version byte
      break;
    }
    case 1:
      h.writeUInt16BE(rng.pick([0x10, 0x11, 0x20, 0x21, 0x30, 0x50, 0x51, 0x60, 0x62, 0x63]), 4);
      break;
    case 2:
      h[6 + rng.int(2)] = 1 + rng.int(255); // reserved bytes
      break;
    case 3:
      return rng.bytes(8);
    default:
  }
  return h;
}

function generate(rng: Rng): HeaderInput {
  const parts: Buffer[] = [headerVariant(rng)];
  for (let i = rng.int(4); i > 0; i--) {
    const body = rng.bytes(rng.chance(0.1) ? LIMIT + 1 + rng.int(64) : rng.size(LIMIT));
    parts.push(u64be(body.length), body);
  }
  let stream: Buffer = Buffer.concat(parts);
  if (rng.chance(0.3)) stream = mutate(stream, rng);
  return { stream, chunks: chunkStream(stream, rng) };
}

const arbitrary: fc.Arbitrary<HeaderInput> = fc
  .record({
    header: fc.oneof(
      fc.constant(GOOD),
      fc.uint8Array({ minLength: 8, maxLength: 8 }).map((a) => Buffer.from(a)),
      fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
        const h = Buffer.from(GOOD);
        h[i] = v;
        return h;
      }),
    ),
    bodies: fc.array(fc.uint8Array({ maxLength: LIMIT + 8 }), { maxLength: 3 }),
    cuts: fc.array(fc.nat(), { maxLength: 8 }),
  })
  .map(({ header, bodies, cuts }) => {
    const stream = Buffer.concat([
      header,
      ...bodies.flatMap((b) => [u64be(b.length), Buffer.from(b)]),
    ]);
    return { stream, chunks: cutStream(stream, cuts) };
  });

/** SP header check and first frames through a real TcpPipe. */
export const spHeader: FuzzTarget<HeaderInput> = {
  name: "sp-header",
  about: "TcpPipe over an in-memory socket: header guards, typed close reason, stats, frames",
  weight: 0.25,
  async: true,
  arbitrary,
  generate,
  check,
};
