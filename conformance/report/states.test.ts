import { describe, expect, it } from "vitest";
import type { TranscriptEntry } from "../harness/transcript.ts";
import { machineStates } from "./states.ts";

const REQ_HDR = "00 53 50 00 00 30 00 00";
const REP_HDR = "00 53 50 00 00 31 00 00";
const at = (who: string, dir: TranscriptEntry["dir"], text: string): TranscriptEntry => ({
  t: 0,
  who,
  dir,
  text,
});

describe("transcript machine states", () => {
  it("a good handshake moves the shadow tcp-pipe from handshake to active, a close ends it", () => {
    const s = machineStates([
      at("peer1", "--", "connected to 127.0.0.1:4000 from port 5000"),
      at("peer1", ">>", REQ_HDR),
      at("peer1", "<<", REP_HDR),
      at("peer1", "--", "closed by the suite"),
    ]);
    expect(s).toEqual([
      "tcp-pipe:handshake",
      "tcp-pipe:handshake",
      "tcp-pipe:active",
      "tcp-pipe:closed",
    ]);
  });

  it("a bad magic or an incompatible protocol takes the shadow to closed at the header", () => {
    const bad = machineStates([
      at("p", "--", "accepted a connection from port 1"),
      at("p", "<<", REP_HDR),
      at("p", ">>", "00 53 51 00 00 30 00 00"),
    ]);
    expect(bad.at(-1)).toBe("tcp-pipe:closed");
    const incompatible = machineStates([
      at("p", "--", "accepted a connection from port 1"),
      at("p", ">>", "00 53 50 00 00 20 00 00"),
      at("p", "<<", REP_HDR),
    ]);
    expect(incompatible.at(-1)).toBe("tcp-pipe:closed");
  });

  it("states recorded by a case are carried forward for their `who`, other lines get none", () => {
    const s = machineStates([
      { ...at("iut", "--", "path step 1"), state: "req:idle" },
      at("iut", "--", "→ send"),
      at("case", "--", "note: x"),
      { ...at("iut", "--", "path end"), state: "req:waiting" },
    ]);
    expect(s).toEqual(["req:idle", "req:idle", undefined, "req:waiting"]);
  });

  it("WebSocket peers get no tcp-pipe shadow", () => {
    const s = machineStates([
      at("ws1", "--", "upgrade ws://127.0.0.1:1/x offering [rep.sp.nanomsg.org]"),
      at("ws1", ">>", REQ_HDR),
    ]);
    expect(s).toEqual([undefined, undefined]);
  });
});
