import { describe, expect, it } from "vitest";
import { pull0 } from "../protocol/pull0/pull.ts";
import { push0 } from "../protocol/push0/push.ts";

describe("linger", () => {
  it("close with linger delivers what was sent just before and returns within the bound", async () => {
    const pull = pull0({ recvTimeout: 3000 });
    const { url } = await pull.listen("tcp://127.0.0.1:0");
    const push = push0({ linger: 500 });
    await push.dial(url).connected;
    const big = Buffer.alloc(64 * 1024, 7);
    for (let i = 0; i < 20; i++) await push.send(big);
    const t0 = Date.now();
    await push.close();
    expect(Date.now() - t0).toBeLessThan(1500);
    let got = 0;
    for (let i = 0; i < 20; i++) got += (await pull.recv()).length;
    expect(got).toBe(20 * big.length);
    await pull.close();
  });

  it("rejects a negative linger with EINVAL", () => {
    expect(() => push0({ linger: -1 })).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });
});
