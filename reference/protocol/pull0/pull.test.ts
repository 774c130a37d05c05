import { afterEach, describe, expect, it } from "vitest";
import { frame, RawPeer, spHeader, waitFor } from "../../../testkit/raw-peer.ts";
import { SPError } from "../../core/errors.ts";
import type { SocketBase } from "../../core/socket.ts";
import { push0 } from "../push0/push.ts";
import { pull0 } from "./pull.ts";

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

describe("pull0", () => {
  it("pull accepts from several pushers", async () => {
    const pull = pull0({ recvTimeout: 2000 });
    open.push(pull);
    const { url } = await pull.listen("tcp://127.0.0.1:0");
    const pushers = [push0(), push0(), push0()];
    open.push(...pushers);
    for (const p of pushers) await p.dial(url).connected;
    await Promise.all(pushers.map((p, i) => p.send(`from ${i}`)));
    const got = new Set<string>();
    for (let i = 0; i < 3; i++) got.add((await pull.recv()).toString());
    expect(got).toEqual(new Set(["from 0", "from 1", "from 2"]));
  });

  it("pull delivers the whole payload and never writes back", async () => {
    const pull = pull0({ recvTimeout: 2000 });
    open.push(pull);
    const { url } = await pull.listen("tcp://127.0.0.1:0");
    const raw = await RawPeer.connect(url);
    open.push(raw);
    raw.write(spHeader(0x50));
    raw.write(frame(Buffer.from([0x80, 0, 0, 1, 0x41])));
    expect([...(await pull.recv())]).toEqual([0x80, 0, 0, 1, 0x41]);
    await new Promise((r) => setTimeout(r, 50));
    expect(raw.frames.length).toBe(0);
    await waitFor(() => raw.header !== null);
    expect(raw.header?.readUInt16BE(4)).toBe(0x51);
  });

  it("pull send fails with ENOTSUP and close fails a pending recv", async () => {
    const pull = pull0();
    open.push(pull);
    await expect((pull as SocketBase).send("x")).rejects.toSatisfy(
      (e) => e instanceof SPError && e.code === "ENOTSUP",
    );
    const r = expect(pull.recv()).rejects.toSatisfy(
      (e) => e instanceof SPError && e.code === "ECLOSED",
    );
    await pull.close();
    await r;
  });
});
