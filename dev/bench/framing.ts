/**
 * u64 big-endian length-prefixed framing for the raw Node baseline (no SP header).
 */

/**
 * Calls `onFrame` for each complete frame, reassembling across chunks: a frame
 * split over chunks is copied once into its own buffer; whole frames inside a
 * chunk are delivered as views.
 *
 * @example
 * ```ts
 * socket.on("data", frameReader((msg) => count++));
 * ```
 */
export function frameReader(onFrame: (payload: Buffer) => void): (chunk: Buffer) => void {
  const head = Buffer.alloc(8);
  let headHave = 0;
  let body: Buffer | null = null;
  let bodyHave = 0;
  return (chunk) => {
    let off = 0;
    while (off < chunk.length) {
      if (body === null) {
        if (headHave === 0 && chunk.length - off >= 8) {
          const len = chunk.readUInt32BE(off + 4) + chunk.readUInt32BE(off) * 2 ** 32;
          if (chunk.length - off - 8 >= len) {
            onFrame(chunk.subarray(off + 8, off + 8 + len));
            off += 8 + len;
            continue;
          }
          head.set(chunk.subarray(off, off + 8));
          headHave = 8;
          off += 8;
        } else {
          const take = Math.min(8 - headHave, chunk.length - off);
          chunk.copy(head, headHave, off, off + take);
          headHave += take;
          off += take;
          if (headHave < 8) return;
        }
        body = Buffer.allocUnsafe(head.readUInt32BE(4) + head.readUInt32BE(0) * 2 ** 32);
        bodyHave = 0;
      }
      const take = Math.min(body.length - bodyHave, chunk.length - off);
      chunk.copy(body, bodyHave, off, off + take);
      bodyHave += take;
      off += take;
      if (bodyHave === body.length) {
        const done = body;
        body = null;
        headHave = 0;
        onFrame(done);
      }
    }
  };
}
