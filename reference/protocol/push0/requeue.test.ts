import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../../testkit/raw-peer.ts";
import { SPError } from "../../core/errors.ts";
import type { Pipe } from "../../core/pipe.ts";
import type { SocketBase } from "../../core/socket.ts";
import { type Pull0Socket, pull0 } from "../pull0/pull.ts";
import { push0 } from "./push.ts";

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

function track<T extends { close(): unknown }>(x: T): T {
  open.push(x);
  return x;
}

/** The pipes a socket holds now (a protected field; tests only). */
function pipesOf(s: SocketBase): Pipe[] {
  return [...(s as unknown as { pipes: Set<Pipe> }).pipes];
}

async function recvAll(pull: Pull0Socket, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await pull.recv()).readUInt32BE(0));
  return out;
}

function numbered(i: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(i, 0);
  return b;
}

describe("push0 re-routes what a dead pipe never wrote (SP-PIPELINE-18)", () => {
  it("tcp: messages still queued on a pipe that dies reach the other pull, none lost", async () => {
    const push = track(push0());
    const a = track(pull0({ recvTimeout: 2000 }));
    const b = track(pull0({ recvTimeout: 2000 }));
    const urlA = (await a.listen("tcp://127.0.0.1:0")).url;
    const urlB = (await b.listen("tcp://127.0.0.1:0")).url;
    await push.dial(urlA).connected;
    await push.dial(urlB).connected;
    await waitFor(() => push.peerCount === 2, 2000, "two pulls attached");
    const n = 40;
    // Round robin hands half of them to each pipe; nothing is written before this tick ends.
    const sends = Array.from({ length: n }, (_, i) => push.send(numbered(i)));
    (pipesOf(push)[0] as Pipe).close(new SPError("EPROTO", "killed by the test"));
    expect(push.peerCount).toBe(1);
    await Promise.all(sends);
    // The dead pipe wrote nothing; the live one carries all n, each exactly once.
    const first = await recvAll(b, 1).catch(() => [] as number[]);
    const pull = first.length === 1 ? b : a;
    const got = [...first, ...(await recvAll(pull, n - first.length))].sort((x, y) => x - y);
    expect(got).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(push.getStats().txRequeued).toBe(n / 2);
  });

  it("inproc: messages not yet delivered when the receiving end dies reach the other pull", async () => {
    const push = track(push0());
    const a = track(pull0({ recvTimeout: 2000 }));
    const b = track(pull0({ recvTimeout: 2000 }));
    await a.listen("inproc://requeue-a");
    await b.listen("inproc://requeue-b");
    await push.dial("inproc://requeue-a").connected;
    await push.dial("inproc://requeue-b").connected;
    await waitFor(() => push.peerCount === 2, 2000, "two pulls attached");
    const n = 20;
    const sends = Array.from({ length: n }, (_, i) => push.send(numbered(i)));
    // Kill a's end of its pipe before its batch is delivered.
    const aEnd = pipesOf(a)[0] as Pipe;
    aEnd.close(new SPError("EPROTO", "killed by the test"));
    await Promise.all(sends);
    const got = (await recvAll(b, n)).sort((x, y) => x - y);
    expect(got).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(a.queued).toBe(0);
  });

  it("a requeued message waits for a pipe when none is left, then goes out", async () => {
    const push = track(push0());
    const a = track(pull0({ recvTimeout: 2000 }));
    const url = (await a.listen("tcp://127.0.0.1:0")).url;
    await push.dial(url).connected;
    await waitFor(() => push.peerCount === 1, 2000, "pull attached");
    const sends = Array.from({ length: 5 }, (_, i) => push.send(numbered(i)));
    (pipesOf(push)[0] as Pipe).close(new SPError("EPROTO", "killed by the test"));
    await Promise.all(sends);
    expect(push.peerCount).toBe(0);
    // The dialer reconnects; the five go out on the new pipe, in order.
    expect(await recvAll(a, 5)).toEqual([0, 1, 2, 3, 4]);
  });
});
