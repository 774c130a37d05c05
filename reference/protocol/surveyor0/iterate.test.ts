/**
 * `for await` over a SURVEYOR (or one of its contexts) ends at the survey's
 * deadline instead of throwing ETIMEDOUT.
 */
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../../testkit/raw-peer.ts";
import { SPError } from "../../core/errors.ts";
import type { SocketBase } from "../../core/socket.ts";
import { respondent0 } from "../respondent0/respondent.ts";
import { type Surveyor0Socket, surveyor0 } from "./surveyor.ts";

const open: SocketBase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

let seq = 0;
/** A surveyor with `n` respondents that answer every survey with `yes <question>`. */
async function surveyorWithVoters(n: number, opts = {}): Promise<Surveyor0Socket> {
  const surveyor = surveyor0({ surveyTime: 150, ...opts });
  open.push(surveyor);
  const url = `inproc://iterate-${process.pid}-${seq++}`;
  await surveyor.listen(url);
  for (let i = 0; i < n; i++) {
    const v = respondent0();
    open.push(v);
    await v.dial(url).connected;
    void (async () => {
      for await (const q of v) await v.send(`yes ${q}`);
    })();
  }
  await waitFor(() => surveyor.stats().socket.pipesOpen === n, 2000, "voters attached");
  return surveyor;
}

const codeOf = (e: unknown) => (e instanceof SPError ? e.code : String(e));

describe("for await over a SURVEYOR", () => {
  it("collects the responses and ends quietly at the deadline", async () => {
    const surveyor = await surveyorWithVoters(2);
    await surveyor.send("lunch?");
    const t0 = performance.now();
    const answers: string[] = [];
    for await (const a of surveyor) answers.push(a.toString());
    expect(answers).toEqual(["yes lunch?", "yes lunch?"]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
    // The socket is still usable: a new survey, a new loop.
    await surveyor.send("dinner?");
    const again: string[] = [];
    for await (const a of surveyor) again.push(a.toString());
    expect(again).toEqual(["yes dinner?", "yes dinner?"]);
  });

  it("ends when the deadline passed while the loop's body ran", async () => {
    const surveyor = await surveyorWithVoters(2);
    await surveyor.send("slow?");
    const answers: string[] = [];
    for await (const a of surveyor) {
      answers.push(a.toString());
      await new Promise((r) => setTimeout(r, 250)); // past the 150 ms deadline
    }
    expect(answers).toEqual(["yes slow?"]);
  });

  it("ends with no response at all", async () => {
    const surveyor = await surveyorWithVoters(0);
    await surveyor.send("anyone?");
    let n = 0;
    for await (const _ of surveyor) n++;
    expect(n).toBe(0);
  });

  it("still throws what is not the deadline: ESTATE with no survey, a shorter recvTimeout", async () => {
    const idle = await surveyorWithVoters(0);
    const noSurvey = await (async () => {
      for await (const _ of idle) return "got one";
      return "ended";
    })().catch(codeOf);
    expect(noSurvey).toBe("ESTATE");

    const impatient = await surveyorWithVoters(0, { surveyTime: 2000, recvTimeout: 30 });
    await impatient.send("q");
    const early = await (async () => {
      for await (const _ of impatient) return "got one";
      return "ended";
    })().catch(codeOf);
    expect(early).toBe("ETIMEDOUT");
  });

  it("a new survey that replaces the one the loop waits on makes the loop throw ECANCELED", async () => {
    const surveyor = await surveyorWithVoters(0, { surveyTime: 2000 });
    await surveyor.send("first");
    const loop = (async () => {
      for await (const _ of surveyor) return "got one";
      return "ended";
    })().catch(codeOf);
    await new Promise((r) => setTimeout(r, 20));
    await surveyor.send("second");
    expect(await loop).toBe("ECANCELED");
  });

  it("ends when the socket closes", async () => {
    const surveyor = await surveyorWithVoters(0, { surveyTime: 5000 });
    await surveyor.send("q");
    const loop = (async () => {
      for await (const _ of surveyor) return "got one";
      return "ended";
    })();
    await new Promise((r) => setTimeout(r, 20));
    await surveyor.close();
    expect(await loop).toBe("ended");
  });

  it("contexts: each context's loop ends at its own survey's deadline", async () => {
    const surveyor = await surveyorWithVoters(2, { surveyTime: 150 });
    const a = surveyor.openContext();
    const b = surveyor.openContext();
    await a.send("A");
    await b.send("B");
    const collect = async (ctx: AsyncIterable<Buffer>) => {
      const out: string[] = [];
      for await (const m of ctx) out.push(m.toString());
      return out;
    };
    const [gotA, gotB] = await Promise.all([collect(a), collect(b)]);
    expect(gotA).toEqual(["yes A", "yes A"]);
    expect(gotB).toEqual(["yes B", "yes B"]);
  });
});
