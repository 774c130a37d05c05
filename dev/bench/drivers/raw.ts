/**
 * Raw Node baseline driver: the same modes and output lines as the C drivers
 * (see common.h) over plain `net` sockets with length-prefixed framing
 * (u64 big-endian length + payload), no SP header and no protocol layer.
 * Senders coalesce: each batch of frames is copied into one buffer and written
 * once, yielding to the event loop between batches. Latency is a ping-pong of
 * framed messages with TCP_NODELAY. Only pull/push/rep/req exist here, plus the
 * SP writer of `pull-noread-rss`:
 *
 *   spflood URL SIZE   dial, send the SP header of a PUSH (protocol 0x50), "ready", then
 *                      write SIZE-byte frames (u64 length + payload) as fast as the socket
 *                      takes them (one write in flight, the next on "drain"); answer each
 *                      "stat" line on stdin with "stat {bytesAccepted}", the bytes whose
 *                      write completed (handed to the kernel); exit when stdin ends.
 */

import { connect, createServer, type NetConnectOpts, type Socket } from "node:net";
import { createInterface } from "node:readline";
import { frameReader } from "../framing.ts";

const now = () => process.hrtime.bigint();
const say = (line: string) => process.stdout.write(`${line}\n`);

/** tcp://host:port or ipc:///path as net options. */
function endpoint(url: string): { host: string; port: number } | { path: string } {
  if (url.startsWith("ipc://")) return { path: url.slice(6) };
  const m = /^tcp:\/\/(.+):(\d+)$/.exec(url);
  if (!m) {
    say(`unavailable the raw baseline has no transport for ${url}`);
    process.exit(3);
  }
  return { host: m[1] as string, port: Number(m[2]) };
}

function frame(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(8 + payload.length);
  out.writeUInt32BE(0, 0);
  out.writeUInt32BE(payload.length, 4);
  payload.copy(out, 8);
  return out;
}

function listen(url: string, onSocket: (s: Socket) => void): Promise<void> {
  const server = createServer({ noDelay: true }, onSocket);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(endpoint(url), () => resolve());
  });
}

function dial(url: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ ...endpoint(url), noDelay: true } as NetConnectOpts);
    s.once("connect", () => resolve(s)).once("error", reject);
  });
}

async function pull(url: string, count: number): Promise<void> {
  let seen = 0;
  let first = 0n;
  let bytes = 0;
  await listen(url, (sock) => {
    sock.on(
      "data",
      frameReader((m) => {
        if (seen === 0) first = now();
        bytes += m.length;
        if (++seen === count) {
          say(`result ${JSON.stringify({ count, elapsedNs: Number(now() - first), bytes })}`);
          process.exit(0);
        }
      }),
    );
  });
  say("ready");
}

async function push(url: string, size: number, count: number): Promise<void> {
  const sock = await dial(url);
  say("ready");
  const payload = Buffer.alloc(size, "d");
  const perBatch = Math.max(1, Math.floor(262144 / (size + 8)));
  let sent = 0;
  while (sent < count) {
    const n = Math.min(perBatch, count - sent);
    const batch = Buffer.allocUnsafe(n * (size + 8));
    for (let i = 0; i < n; i++) {
      const off = i * (size + 8);
      batch.writeUInt32BE(0, off);
      batch.writeUInt32BE(size, off + 4);
      payload.copy(batch, off + 8);
    }
    sent += n;
    sock.write(batch);
    // Keep up to 1 MiB in flight: the stream's own high-water mark is 16 KiB,
    // and waiting for a full drain after every batch would empty the pipe.
    const ok = sock.writableLength < 1 << 20;
    await new Promise<void>((resolve) =>
      ok ? setImmediate(resolve) : sock.once("drain", resolve),
    );
  }
  say("sent");
  process.stdin.on("end", () => process.exit(0)).resume();
}

async function rep(url: string): Promise<void> {
  await listen(url, (sock) => {
    sock.on(
      "data",
      frameReader((m) => sock.write(frame(m))),
    );
  });
  say("ready");
}

async function req(url: string, size: number, count: number, warm: number): Promise<void> {
  const sock = await dial(url);
  say("ready");
  const payload = Buffer.alloc(size, "d");
  const samples: number[] = [];
  let i = 0;
  let t0 = now();
  const next = () => {
    t0 = now();
    sock.write(frame(payload));
  };
  sock.on(
    "data",
    frameReader(() => {
      if (i >= warm) samples.push(Number(now() - t0));
      if (++i === warm + count) {
        say(`result ${JSON.stringify({ samplesNs: samples })}`);
        process.exit(0);
      }
      next();
    }),
  );
  next();
}

/** SP header of a PUSH peer: "\0SP\0", protocol 0x0050, two reserved bytes. */
const pushHeader = Buffer.from([0x00, 0x53, 0x50, 0x00, 0x00, 0x50, 0x00, 0x00]);

async function spflood(url: string, size: number): Promise<void> {
  const sock = await dial(url);
  sock.on("data", () => {}); // the PULL's header; nothing else comes
  sock.on("error", () => process.exit(0));
  sock.write(pushHeader);
  const framed = frame(Buffer.alloc(size, "d"));
  let bytesAccepted = 0;
  const accepted = (err?: Error | null) => {
    if (!err) bytesAccepted += framed.length;
  };
  const pump = () => {
    while (sock.write(framed, accepted)) {}
  };
  sock.on("drain", pump);
  createInterface({ input: process.stdin })
    .on("line", (line) => {
      if (line.startsWith("stat")) say(`stat ${JSON.stringify({ bytesAccepted })}`);
    })
    .on("close", () => process.exit(0));
  say("ready");
  pump();
}

const [mode, url = "", a3 = "0", a4 = "0", a5 = "0"] = process.argv.slice(2);
const modes: Record<string, () => Promise<void>> = {
  pull: () => pull(url, Number(a4)),
  push: () => push(url, Number(a3), Number(a4)),
  rep: () => rep(url),
  req: () => req(url, Number(a3), Number(a4), Number(a5)),
  spflood: () => spflood(url, Number(a3)),
};
const run = modes[mode ?? ""];
if (!run) {
  say(`unavailable the raw baseline has no ${mode} mode (it covers push/pull and ping-pong only)`);
  process.exit(3);
}
run().catch((e: unknown) => {
  process.stderr.write(`raw driver: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(2);
});
