import { afterEach, describe, expect, it } from "vitest";
import { frame, must, RawPeer, spHeader, waitFor, words } from "../../../testkit/raw-peer.ts";
import { SPError } from "../../core/errors.ts";
import { type Respondent0Socket, respondent0 } from "./respondent.ts";

const SURVEYOR = 0x62;
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function setup(opts = {}): Promise<{ r: Respondent0Socket; url: string }> {
  const r = respondent0({ recvTimeout: 2000, ...opts });
  open.push(r);
  const { url } = await r.listen("tcp://127.0.0.1:0");
  return { r, url };
}

/** A raw surveyor-side peer that has sent its header. */
async function surveyorPeer(url: string): Promise<RawPeer> {
  const p = await RawPeer.connect(url);
  open.push(p);
  p.write(spHeader(SURVEYOR));
  return p;
}

const survey = (ws: number[], body: string) =>
  frame(Buffer.concat([words(...ws), Buffer.from(body)]));

async function expectCode(p: Promise<unknown>, code: string) {
  await expect(p).rejects.toSatisfy((e) => e instanceof SPError && e.code === code);
}

describe("respondent0", () => {
  it("respondent returns the backtrace unchanged", async () => {
    const { r, url } = await setup();
    const p = await surveyorPeer(url);
    p.write(survey([3, 0x7fffffff, 0x8000abcd], "who?"));
    expect((await r.recv()).toString()).toBe("who?");
    await r.send("me");
    await waitFor(() => p.frames.length === 1);
    expect(p.frames[0]).toEqual(
      Buffer.concat([words(3, 0x7fffffff, 0x8000abcd), Buffer.from("me")]),
    );
  });

  it("respondent contexts answer two surveyors in the reverse order, each on its own pipe", async () => {
    const { r, url } = await setup();
    const a = await surveyorPeer(url);
    const b = await surveyorPeer(url);
    const c1 = r.openContext();
    const c2 = r.openContext();
    const got1 = c1.recv();
    const got2 = c2.recv();
    a.write(survey([5, 0x80000a01], "from a"));
    await expect(got1).resolves.toEqual(Buffer.from("from a"));
    b.write(survey([0x80000b02], "from b"));
    await expect(got2).resolves.toEqual(Buffer.from("from b"));
    await c2.send("to b");
    await c1.send("to a");
    await waitFor(() => a.frames.length === 1 && b.frames.length === 1);
    expect(a.frames[0]).toEqual(Buffer.concat([words(5, 0x80000a01), Buffer.from("to a")]));
    expect(b.frames[0]).toEqual(Buffer.concat([words(0x80000b02), Buffer.from("to b")]));
    // SP-REQREP-36 (via SP-SURVEY's REP-like contexts): a closed context's recv fails, takes nothing.
    const waiting = c1.recv();
    c1.close();
    await expectCode(waiting, "ECLOSED");
    a.write(survey([0x80000a03], "next"));
    await expect(c2.recv()).resolves.toEqual(Buffer.from("next"));
  });

  it("respondent drops a survey over max hops", async () => {
    const { r, url } = await setup({ maxTtl: 3 });
    const p = await surveyorPeer(url);
    p.write(survey([1, 2, 3, 0x80000004], "too far"));
    p.write(survey([1, 2, 0x80000005], "at the limit"));
    expect((await r.recv()).toString()).toBe("at the limit");
    expect(r.getStats().rxTtlExceeded).toBe(1);
    await r.send("ok");
    await waitFor(() => p.frames.length === 1);
    expect(must(p.frames[0]).readUInt32BE(8)).toBe(0x80000005);
    expect(p.ended).toBe(false);
  });

  it("respondent closes only the pipe that sends a survey without a survey id", async () => {
    const { r, url } = await setup();
    const bad = await surveyorPeer(url);
    const good = await surveyorPeer(url);
    bad.write(frame(Buffer.concat([words(1, 2), Buffer.from("x")])));
    await bad.waitEnded();
    expect(r.getStats().rxMalformed).toBe(1);
    good.write(survey([0x80000001], "fine"));
    expect((await r.recv()).toString()).toBe("fine");
    await r.send("yes");
    await waitFor(() => good.frames.length === 1);
  });

  it("respondent send without a survey fails with ESTATE", async () => {
    const { r, url } = await setup();
    await expectCode(r.send("unasked"), "ESTATE");
    const p = await surveyorPeer(url);
    p.write(survey([0x80000002], "q"));
    await r.recv();
    await r.send("a");
    await expectCode(r.send("again"), "ESTATE");
  });

  it("a new recv abandons the held survey", async () => {
    const { r, url } = await setup();
    const p = await surveyorPeer(url);
    p.write(survey([0x80000010], "first"));
    p.write(survey([0x80000011], "second"));
    expect((await r.recv()).toString()).toBe("first");
    expect((await r.recv()).toString()).toBe("second");
    await r.send("to second");
    await waitFor(() => p.frames.length === 1);
    expect(must(p.frames[0]).readUInt32BE(0)).toBe(0x80000011);
  });

  it("a response for a surveyor that is gone is dropped and send succeeds", async () => {
    const { r, url } = await setup();
    const p = await surveyorPeer(url);
    p.write(survey([0x80000020], "q"));
    await r.recv();
    p.close();
    await waitFor(() => (r as unknown as { pipes: Set<unknown> }).pipes.size === 0);
    await r.send("nobody listens");
    expect(r.getStats().txDropped).toBe(1);
  });

  it("close fails a pending recv with ECLOSED", async () => {
    const { r } = await setup();
    const pending = r.recv();
    await r.close();
    await expectCode(pending, "ECLOSED");
  });
});
