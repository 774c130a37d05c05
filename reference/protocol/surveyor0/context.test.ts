import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../../testkit/raw-peer.ts";
import type { SocketBase } from "../../core/socket.ts";
import { respondent0 } from "../respondent0/respondent.ts";
import { surveyor0 } from "./surveyor.ts";

const open: SocketBase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe("SURVEYOR contexts", () => {
  it("two surveys run at once on two contexts and each gets only its own responses", async () => {
    const surveyor = surveyor0({ surveyTime: 2000, recvTimeout: 3000 });
    open.push(surveyor);
    const { url } = await surveyor.listen("tcp://127.0.0.1:0");
    const voters = [respondent0(), respondent0()];
    open.push(...voters);
    for (const v of voters) {
      await v.dial(url).connected;
      void (async () => {
        for await (const q of v) await v.send(`answer to ${q}`);
      })();
    }
    await waitFor(() => surveyor.stats().socket.pipesOpen === 2, 3000, "respondents");
    const a = surveyor.openContext();
    const b = surveyor.openContext();
    await a.send("A");
    await b.send("B");
    const gotA = [await a.recv(), await a.recv()].map(String);
    const gotB = [await b.recv(), await b.recv()].map(String);
    expect(gotA).toEqual(["answer to A", "answer to A"]);
    expect(gotB).toEqual(["answer to B", "answer to B"]);
  });

  it("a new survey on one context cancels only that context's survey", async () => {
    const surveyor = surveyor0({ surveyTime: 2000 });
    open.push(surveyor);
    const a = surveyor.openContext();
    const b = surveyor.openContext();
    await a.send("first");
    await b.send("other");
    const pa = a.recv();
    const pb = b.recv().catch((e: unknown) => e);
    await a.send("second");
    await expect(pa).rejects.toMatchObject({ code: "ECANCELED" });
    await surveyor.close();
    expect(await pb).toMatchObject({ code: "ECLOSED" });
  });
});
