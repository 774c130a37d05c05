/**
 * One-way protocols at the type level: a SUB or PULL socket (and raw SUB,
 * PULL) has no callable `send`, a PUB or PUSH socket (and raw PUB, PUSH) no
 * callable `recv`, and `for await` over them does not compile. Each `@ts-expect-error` below is checked by
 * `tsc --noEmit -p .`: if the call compiled, the directive itself would be
 * the error. At run time the calls (and calls through `SocketBase`, which
 * every socket still is) reject with ENOTSUP.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SPError } from "../core/errors.ts";
import type { SocketBase } from "../core/socket.ts";
import { pub0 } from "./pub0/pub.ts";
import { xpub0 } from "./pub0/xpub.ts";
import { pull0 } from "./pull0/pull.ts";
import { xpull0 } from "./pull0/xpull.ts";
import { push0 } from "./push0/push.ts";
import { xpush0 } from "./push0/xpush.ts";
import type { RawSocket } from "./raw/raw-socket.ts";
import { sub0 } from "./sub0/sub.ts";
import { xsub0 } from "./sub0/xsub.ts";

const open: SocketBase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
function track<T extends SocketBase>(s: T): T {
  open.push(s);
  return s;
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e) => (e instanceof SPError ? e.code : String(e)),
  );

describe("one-way sockets", () => {
  it("receive-only sockets have no callable send", async () => {
    const sub = track(sub0());
    const pull = track(pull0());
    const xsub = track(xsub0());
    const xpull = track(xpull0());
    // @ts-expect-error a SUB socket cannot send
    expect(await codeOf(sub.send("x"))).toBe("ENOTSUP");
    // @ts-expect-error a PULL socket cannot send
    expect(await codeOf(pull.send("x", { timeoutMs: 10 }))).toBe("ENOTSUP");
    // @ts-expect-error a raw SUB socket cannot send
    expect(await codeOf(xsub.send("x"))).toBe("ENOTSUP");
    // @ts-expect-error a raw PULL socket cannot sendMsg
    expect(await codeOf(xpull.sendMsg({ body: "x" }))).toBe("ENOTSUP");
    // They receive as usual.
    expect(await codeOf(sub.recv({ timeoutMs: 0 }))).toBe("ETIMEDOUT");
    expect(await codeOf(xpull.recvMsg({ timeoutMs: 0 }))).toBe("ETIMEDOUT");
  });

  it("send-only sockets have no callable recv", async () => {
    const pub = track(pub0());
    const push = track(push0());
    const xpub = track(xpub0());
    const xpush = track(xpush0());
    // @ts-expect-error a PUB socket cannot receive
    expect(await codeOf(pub.recv())).toBe("ENOTSUP");
    // @ts-expect-error a PUSH socket cannot receive
    expect(await codeOf(push.recv({ timeoutMs: 10 }))).toBe("ENOTSUP");
    // @ts-expect-error a raw PUB socket cannot recvMsg
    expect(await codeOf(xpub.recvMsg())).toBe("ENOTSUP");
    // @ts-expect-error a raw PUSH socket cannot receive
    expect(await codeOf(xpush.recv())).toBe("ENOTSUP");
    // They send as usual.
    expect(await codeOf(pub.send("x"))).toBe("ok");
    expect(await codeOf(xpub.sendMsg({ body: "x" }))).toBe("ok");
  });

  it("send-only sockets cannot be iterated: for await does not compile, and rejects with ENOTSUP", async () => {
    const pub = track(pub0());
    const push = track(push0());
    const xpub = track(xpub0());
    const xpush = track(xpush0());
    const loops = [
      async () => {
        // @ts-expect-error a PUB socket is not an async iterable
        for await (const _ of pub) break;
      },
      async () => {
        // @ts-expect-error a PUSH socket is not an async iterable
        for await (const _ of push) break;
      },
      async () => {
        // @ts-expect-error a raw PUB socket is not an async iterable
        for await (const _ of xpub) break;
      },
      async () => {
        // @ts-expect-error a raw PUSH socket is not an async iterable
        for await (const _ of xpush) break;
      },
    ];
    for (const loop of loops) expect(await codeOf(loop())).toBe("ENOTSUP");
    // Through SocketBase the loop compiles; its first step answers ENOTSUP.
    const asBase: SocketBase = push;
    const viaBase = async () => {
      for await (const _ of asBase) break;
    };
    expect(await codeOf(viaBase())).toBe("ENOTSUP");
    // Once closed, the loop ends quietly, as every socket's does.
    await push.close();
    expect(await codeOf(viaBase())).toBe("ok");
  });

  it("every one of them is still a SocketBase, whose send and recv answer ENOTSUP", async () => {
    const generic: SocketBase[] = [sub0(), pull0(), pub0(), push0()].map(track);
    const raw: RawSocket[] = [xsub0(), xpull0(), xpub0(), xpush0()].map(track);
    const [sub, pull, pub, push] = generic as [SocketBase, SocketBase, SocketBase, SocketBase];
    expect(await codeOf(sub.send("x"))).toBe("ENOTSUP");
    expect(await codeOf(pull.send("x"))).toBe("ENOTSUP");
    expect(await codeOf(pub.recv())).toBe("ENOTSUP");
    expect(await codeOf(push.recv())).toBe("ENOTSUP");
    const [xsub, , xpub] = raw as [RawSocket, RawSocket, RawSocket, RawSocket];
    expect(await codeOf(xsub.sendMsg({ body: "x" }))).toBe("ENOTSUP");
    expect(await codeOf(xpub.recvMsg())).toBe("ENOTSUP");
  });
});
