import { afterEach, describe, expect, it } from "vitest";
import { surveyorCompiled } from "../../../spec/machines/surveyor.ts";
import {
  frame,
  must,
  type RawPeer,
  RawServer,
  spHeader,
  waitFor,
  words,
} from "../../../testkit/raw-peer.ts";
import { SPError } from "../../core/errors.ts";
import { respondent0 } from "../respondent0/respondent.ts";
import { nextSurveyId, type Surveyor0Socket, type SurveyorMachine, surveyor0 } from "./surveyor.ts";

const RESPONDENT = 0x63;
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function expectCode(p: Promise<unknown>, code: string) {
  await expect(p).rejects.toSatisfy((e) => e instanceof SPError && e.code === code);
}

/** A surveyor dialing a raw respondent that has answered the handshake. */
async function surveyorWithRawPeer(
  opts = {},
): Promise<{ surveyor: Surveyor0Socket; peer: RawPeer }> {
  const srv = await RawServer.start();
  open.push(srv);
  const surveyor = surveyor0({ recvTimeout: 3000, ...opts });
  open.push(surveyor);
  const d = surveyor.dial(srv.url);
  await waitFor(() => srv.peers.length === 1);
  const peer = must(srv.peers[0]);
  peer.write(spHeader(RESPONDENT));
  await d.connected;
  return { surveyor, peer };
}

/** Reads the n-th survey frame the raw peer got and splits off its id. */
async function nthSurvey(peer: RawPeer, n: number): Promise<{ id: number; body: string }> {
  await waitFor(() => peer.frames.length > n);
  const f = must(peer.frames[n]);
  return { id: f.readUInt32BE(0), body: f.subarray(4).toString() };
}

const response = (id: number, body: string) => frame(Buffer.concat([words(id), Buffer.from(body)]));

describe("surveyor0", () => {
  it("surveyor collects responses from every respondent until the deadline", async () => {
    const surveyor = surveyor0({ surveyTime: 300, recvTimeout: 3000 });
    open.push(surveyor);
    const respondents = [respondent0(), respondent0()];
    open.push(...respondents);
    for (const [i, r] of respondents.entries()) {
      const { url } = await r.listen("tcp://127.0.0.1:0");
      await surveyor.dial(url).connected;
      void (async () => {
        const q = await r.recv();
        await r.send(`${q.toString()} -> ${i}`);
      })();
    }
    const started = Date.now();
    await surveyor.send("roll call");
    const got = [(await surveyor.recv()).toString(), (await surveyor.recv()).toString()];
    expect(got.sort()).toEqual(["roll call -> 0", "roll call -> 1"]);
    await expectCode(surveyor.recv(), "ETIMEDOUT");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("recv after the deadline fails with ETIMEDOUT", async () => {
    const surveyor = surveyor0({ surveyTime: 100, recvTimeout: 3000 });
    open.push(surveyor);
    await surveyor.send("anyone?"); // no pipe: discarded, but the deadline runs
    const started = Date.now();
    await expectCode(surveyor.recv(), "ETIMEDOUT");
    expect(Date.now() - started).toBeLessThan(2000);
    // The survey is over: a further recv has no survey to wait for.
    await expectCode(surveyor.recv(), "ESTATE");
  });

  it("recv without a survey fails with ESTATE", async () => {
    const surveyor = surveyor0();
    open.push(surveyor);
    await expectCode(surveyor.recv(), "ESTATE");
  });

  it("sends exactly [id] body with the top bit set, and the next survey gets id + 1", async () => {
    const { surveyor, peer } = await surveyorWithRawPeer({ surveyTime: 5000 });
    await surveyor.send("one");
    await surveyor.send("two");
    const a = await nthSurvey(peer, 0);
    const b = await nthSurvey(peer, 1);
    expect(must(peer.frames[0]).length).toBe(4 + 3);
    expect(a.id & 0x80000000).not.toBe(0);
    expect(b.id).toBe(nextSurveyId(a.id));
    expect([a.body, b.body]).toEqual(["one", "two"]);
    expect(nextSurveyId(0xffffffff)).toBe(0x80000000);
  });

  it("a late response is dropped", async () => {
    const { surveyor, peer } = await surveyorWithRawPeer({ surveyTime: 150 });
    await surveyor.send("quick");
    const first = await nthSurvey(peer, 0);
    await expectCode(surveyor.recv(), "ETIMEDOUT");
    peer.write(response(first.id, "too late"));
    await waitFor(() => surveyor.getStats().rxDropped === 1);
    await surveyor.send("again");
    const second = await nthSurvey(peer, 1);
    peer.write(response(first.id, "stale"));
    peer.write(response(second.id, "in time"));
    expect((await surveyor.recv()).toString()).toBe("in time");
    expect(surveyor.getStats().rxDropped).toBe(2);
  });

  it("a new survey cancels the old one", async () => {
    const { surveyor, peer } = await surveyorWithRawPeer({ surveyTime: 5000 });
    await surveyor.send("old");
    const old = await nthSurvey(peer, 0);
    peer.write(response(old.id, "unread answer to old"));
    expect((await surveyor.recv()).toString()).toBe("unread answer to old");
    const waiting = surveyor.recv();
    await surveyor.send("new");
    await expectCode(waiting, "ECANCELED");
    const fresh = await nthSurvey(peer, 1);
    peer.write(response(old.id, "late answer to old"));
    peer.write(response(fresh.id, "answer to new"));
    expect((await surveyor.recv()).toString()).toBe("answer to new");
    expect(surveyor.getStats().rxDropped).toBe(1);
  });

  it("responses kept before recv are discarded when a new survey starts", async () => {
    const { surveyor, peer } = await surveyorWithRawPeer({ surveyTime: 5000 });
    await surveyor.send("old");
    const old = await nthSurvey(peer, 0);
    peer.write(response(old.id, "kept"));
    await new Promise((r) => setTimeout(r, 50));
    await surveyor.send("new");
    const fresh = await nthSurvey(peer, 1);
    peer.write(response(fresh.id, "fresh"));
    expect((await surveyor.recv()).toString()).toBe("fresh");
  });

  it("ignores a response without the top bit and closes a pipe that sends under 4 bytes", async () => {
    const { surveyor, peer } = await surveyorWithRawPeer({ surveyTime: 5000 });
    await surveyor.send("q");
    const s = await nthSurvey(peer, 0);
    peer.write(response(s.id & 0x7fffffff, "no top bit"));
    peer.write(response(s.id, "good"));
    expect((await surveyor.recv()).toString()).toBe("good");
    expect(surveyor.getStats().rxDropped).toBe(1);
    peer.write(frame(Buffer.from([0x80, 0])));
    await peer.waitEnded();
    expect(surveyor.getStats().rxMalformed).toBe(1);
  });

  it("close fails a pending recv with ECLOSED", async () => {
    const surveyor = surveyor0({ surveyTime: 5000 });
    open.push(surveyor);
    await surveyor.send("q");
    const pending = surveyor.recv();
    await surveyor.close();
    await expectCode(pending, "ECLOSED");
    await expectCode(surveyor.recv(), "ECLOSED");
  });

  it("the survey-time option applies to the next survey", async () => {
    const surveyor = surveyor0({ recvTimeout: 3000 });
    open.push(surveyor);
    expect(surveyor.getOption("surveyor:survey-time")).toBe(1000);
    surveyor.setOption("surveyor:survey-time", 80);
    const started = Date.now();
    await surveyor.send("q");
    await expectCode(surveyor.recv(), "ETIMEDOUT");
    expect(Date.now() - started).toBeLessThan(900);
  });
});

describe("the surveyor machine decides", () => {
  it("a surveyor on a machine without the deadline row never times a survey out", async () => {
    // The same compiled table, but `surveying` starts no timer.
    const noDeadline: SurveyorMachine = { ...surveyorCompiled, after: {} };
    const surveyor = surveyor0(
      { surveyTime: 50, recvTimeout: 400 },
      { surveyorCompiled: noDeadline },
    );
    open.push(surveyor);
    await surveyor.send("q");
    // Only the recv timeout ends the wait; the survey is still in progress afterwards.
    await expectCode(surveyor.recv(), "ETIMEDOUT");
    await expectCode(surveyor.recv(), "ETIMEDOUT");
  });
});
