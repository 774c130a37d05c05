/**
 * Faults: a peer killed mid-frame, a listener restarted, a REP killed and
 * restarted under random fast-check schedules (every request gets exactly
 * one reply), and a PUSH whose pipe dies with messages waiting in the socket.
 */
import fc from "fast-check";
import { afterEach, describe, expect, test } from "vitest";
import type { SocketBase } from "../../reference/core/socket.ts";
import { pull0, push0, rep0, req0 } from "../../reference/index.ts";
import { frame, must, RawPeer, spHeader } from "../../testkit/raw-peer.ts";
import { sleep, waitFor } from "../../testkit/wait.ts";
import { capturePipeEvents, echoRep, goodRoundTrip } from "./wire.ts";

const open: SocketBase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** Totals over every schedule of the kill/restart property, for RELIABILITY.md. */
const faultFigures = { schedules: 0, kills: 0, requests: 0, replies: 0, lost: 0, served: 0 };

describe("faults", () => {
  test("a peer killed mid-frame costs only its own connection", async () => {
    const { rep } = echoRep();
    open.push(rep);
    const events = capturePipeEvents(rep);
    const { url } = await rep.listen("tcp://127.0.0.1:0");
    for (let i = 0; i < 5; i++) {
      const peer = await RawPeer.connect(url);
      peer.write(spHeader(0x30));
      peer.write(frame(Buffer.alloc(4000, 0x80)).subarray(0, 8 + 100 * (i + 1)));
      await waitFor(() => events.filter((e) => e.type === "add").length === i + 1, 2000, "attach");
      peer.kill(); // RST, as a killed process
      await waitFor(
        () => events.filter((e) => e.type === "remove").length === i + 1,
        2000,
        "detach",
      );
    }
    expect(await goodRoundTrip(url)).toBeLessThan(2000);
    expect(rep.stats().socket.protocolErrors).toBe(0);
  });

  test("a restarted listener is found again by the dialer", async () => {
    const { rep } = echoRep();
    open.push(rep);
    const first = await rep.listen("tcp://127.0.0.1:0");
    const req = req0({ reconnectMin: 20, reconnectMax: 100, recvTimeout: 5000 });
    open.push(req);
    await req.dial(first.url).connected;
    await req.send("before");
    expect((await req.recv()).toString()).toBe("reply:before");
    await first.close();
    await waitFor(() => rep.stats().socket.pipesOpen === 0, 2000, "pipes closed with the listener");
    const again = await rep.listen(first.url);
    expect(again.url).toBe(first.url);
    await req.send("after");
    expect((await req.recv()).toString()).toBe("reply:after");
  });

  test("REQ: every request gets exactly one reply while its REP is killed and restarted", async () => {
    // A fixed port that every REP incarnation binds again.
    const probe = rep0();
    const url = (await probe.listen("tcp://127.0.0.1:0")).url;
    await probe.close();
    const schedule = fc.record({
      requests: fc.integer({ min: 3, max: 8 }),
      replyDelayMs: fc.integer({ min: 0, max: 15 }),
      kills: fc.array(
        fc.record({
          afterMs: fc.integer({ min: 0, max: 60 }),
          downMs: fc.integer({ min: 0, max: 60 }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(schedule, async ({ requests, replyDelayMs, kills }) => {
        let served = 0;
        const start = async () => {
          const rep = rep0();
          await rep.listen(url);
          void (async () => {
            try {
              for await (const m of rep) {
                served++;
                await sleep(replyDelayMs);
                await rep.send(Buffer.concat([Buffer.from("reply:"), m]));
              }
            } catch {
              // killed
            }
          })();
          return rep;
        };
        let rep = await start();
        const req = req0({
          resendTime: 150,
          reconnectMin: 10,
          reconnectMax: 40,
          recvTimeout: 8000,
        });
        try {
          req.dial(url);
          let done = false;
          const killer = (async () => {
            for (const k of kills) {
              await sleep(k.afterMs);
              if (done) return;
              await rep.close(); // its pipes go down, with or without a reply in flight
              faultFigures.kills++;
              await sleep(k.downMs);
              rep = await start();
            }
          })();
          let replies = 0;
          for (let i = 0; i < requests; i++) {
            await req.send(`q${i}`);
            // Exactly one reply per request, and it is the reply to this request.
            expect((await req.recv()).toString()).toBe(`reply:q${i}`);
            replies++;
          }
          done = true;
          await killer;
          faultFigures.schedules++;
          faultFigures.requests += requests;
          faultFigures.replies += replies;
          faultFigures.lost += requests - replies;
          faultFigures.served += served;
        } finally {
          await req.close();
          await rep.close();
        }
      }),
      { numRuns: 10 },
    );
    console.log(
      `faults: ${faultFigures.schedules} schedules, ${faultFigures.kills} REP kills, ${faultFigures.requests} requests, ${faultFigures.replies} replies, ${faultFigures.lost} lost, ${faultFigures.served} served on the wire (resends included)`,
    );
    expect(faultFigures.lost).toBe(0);
  });

  test("PUSH: messages waiting in the socket when its pipe dies go to another pipe", async () => {
    const push = push0();
    open.push(push);
    const { url } = await push.listen("tcp://127.0.0.1:0");
    // A PULL peer that never reads: its pipe fills up and stops being writable.
    const stuck = await RawPeer.connect(url);
    stuck.socket.pause();
    stuck.write(spHeader(0x51));
    await waitFor(() => push.peerCount === 1, 2000, "stuck peer attached");
    const big = (seq: number) => {
      const b = Buffer.alloc(64 * 1024);
      b.writeUInt32BE(seq, 0);
      return b;
    };
    let seq = 0;
    let blocked: Promise<void> | undefined;
    while (blocked === undefined && seq < 2000) {
      const p = push.send(big(seq++));
      const state = await Promise.race([p.then(() => "sent"), sleep(30).then(() => "blocked")]);
      if (state === "blocked") blocked = p;
    }
    const handedToStuck = seq - 1;
    expect(blocked).toBeDefined();
    // More sends queue behind the blocked one, in the socket.
    const waiting = [must(blocked)];
    const firstWaiting = seq - 1;
    for (let i = 0; i < 5; i++) waiting.push(push.send(big(seq++)));
    stuck.kill();
    await waitFor(() => push.peerCount === 0, 2000, "stuck pipe removed");
    const pull = pull0({ reconnectMin: 20 });
    open.push(pull);
    pull.dial(url);
    await Promise.all(waiting);
    const got: number[] = [];
    for (let i = firstWaiting; i < seq; i++) got.push((await pull.recv()).readUInt32BE(0));
    expect(got).toEqual(Array.from({ length: seq - firstWaiting }, (_, i) => firstWaiting + i));
    console.log(
      `push: ${handedToStuck} messages were handed to the dead pipe (gone with it); ${got.length} waiting in the socket went to the new pipe, 0 lost`,
    );
  });
});
