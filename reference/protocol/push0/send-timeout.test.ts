import { afterEach, describe, expect, it } from "vitest";
import { SPError } from "../../core/errors.ts";
import { pull0 } from "../pull0/pull.ts";
import { type Push0Socket, push0 } from "./push.ts";

let push: Push0Socket | undefined;
afterEach(async () => {
  await push?.close();
});

/** Settles to the error code, or "ok". */
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e) => (e instanceof SPError ? e.code : String(e)),
  );

describe("push send timeouts (SP-PIPELINE-5)", () => {
  it("a later send with a shorter timeout fails at its own deadline, not after the older one", async () => {
    push = push0();
    push.setOption("send-timeout", 600);
    const started = performance.now();
    const slow = outcome(push.send("slow"));
    push.setOption("send-timeout", 100);
    const quick = await outcome(push.send("quick"));
    const quickAt = performance.now() - started;
    expect(quick).toBe("ETIMEDOUT");
    // Generous bound: well before the older send's 600 ms.
    expect(quickAt).toBeLessThan(450);
    expect(await slow).toBe("ETIMEDOUT");
  });

  it("the sends that remain keep their order and go out once a peer comes", async () => {
    push = push0();
    push.setOption("send-timeout", 3000);
    const first = outcome(push.send("first"));
    push.setOption("send-timeout", 50);
    const dropped = outcome(push.send("dropped"));
    push.setOption("send-timeout", 3000);
    const last = outcome(push.send("last"));
    expect(await dropped).toBe("ETIMEDOUT");
    const pull = pull0({ recvTimeout: 2000 });
    try {
      const { url } = await pull.listen("tcp://127.0.0.1:0");
      push.dial(url);
      expect([await first, await last]).toEqual(["ok", "ok"]);
      const got = [String(await pull.recv()), String(await pull.recv())];
      expect(got).toEqual(["first", "last"]);
    } finally {
      await pull.close();
    }
  });
});
