/**
 * Machine states for the transcript view of the HTML report.
 *
 * Two sources, both tied to the generated machines in spec/:
 * - entries a case recorded with {@link Transcript.state} (path cases record
 *   the model's state before every step), carried forward for their `who`;
 * - for every raw stream connection the suite opened or accepted, a shadow
 *   of the IUT's `tcp-pipe` machine, run with xstate from what crossed the
 *   wire: it receives `header` once both 8-byte headers are known (its
 *   guards read the bytes the suite sent and the protocol the IUT announced)
 *   and `disconnect` or `close` when either side ends the connection.
 *
 * The shadow says where the spec puts the IUT's end of the connection given
 * the traffic; a reader compares it with what the IUT did next (for example
 * the IUT keeping a connection the shadow already closed).
 */
import { type AnyActorRef, createActor } from "xstate";
import { protocols, SP_HEADER_MAGIC } from "../../spec/constants.ts";
import { createTcpPipeMachine, type TcpPipeEvent } from "../../spec/machines/tcp-pipe.ts";
import type { TranscriptEntry } from "../harness/transcript.ts";
import { parseChunk } from "./decode.ts";

interface HeaderPair {
  ours: number[] | null;
  theirs: number[] | null;
}

/** The header bytes the IUT received (ours) and the protocol it announced (theirs). */
function guardsFor(h: HeaderPair) {
  // Read lazily: the headers arrive after the guards are handed to the machine.
  const ours = () => h.ours ?? [];
  const proto = (b: number[]) => ((b[4] ?? 0) << 8) | (b[5] ?? 0);
  return {
    magicValid: () => SP_HEADER_MAGIC.every((m, i) => ours()[i] === m),
    reservedZero: () => ours()[6] === 0 && ours()[7] === 0,
    peerCompatible: () => {
      const mine = Object.values(protocols).find((p) => p.number === proto(h.theirs ?? []));
      return mine !== undefined && mine.peer === proto(ours());
    },
  };
}

/** One connection's shadow: the header bytes seen so far and the actor once started. */
class Shadow {
  readonly headers: HeaderPair = { ours: null, theirs: null };
  private readonly acc = { ">>": [] as number[], "<<": [] as number[] };
  private readonly actor: AnyActorRef;
  private sentHeader = false;

  constructor() {
    const noop = () => {};
    const machine = createTcpPipeMachine({
      actions: { sendHeader: noop, closeConnection: noop, attachPipe: noop, detachPipe: noop },
      guards: guardsFor(this.headers),
      // The shadow never waits: the report is built after the fact.
      delays: { handshakeTimeout: 2 ** 31 - 1 },
    });
    this.actor = createActor(machine).start();
  }

  get state(): string {
    return `tcp-pipe:${String(this.actor.getSnapshot().value)}`;
  }

  /** Feeds bytes of one direction; sends `header` once both headers are complete. */
  bytes(dir: ">>" | "<<", chunk: number[]): void {
    const acc = this.acc[dir];
    if (acc.length < 8) acc.push(...chunk.slice(0, 8 - acc.length));
    if (acc.length === 8) {
      if (dir === ">>") this.headers.ours ??= acc;
      else this.headers.theirs ??= acc;
    }
    if (!this.sentHeader && this.headers.ours && this.headers.theirs) {
      this.sentHeader = true;
      this.send({ type: "header" });
    }
  }

  send(e: TcpPipeEvent): void {
    this.actor.send(e);
  }

  stop(): void {
    this.actor.stop();
  }
}

/** Events the raw stream peers of conformance/harness/wire.ts write. */
const OPENED = /^(connected to |accepted a connection|accepted an IPC connection)/;
const CLOSED_BY_SUITE = /^closed by the suite/;
const CLOSED_BY_IUT = /^connection (closed|error)/;

/**
 * Returns, for each entry, the machine state that holds after it for the
 * entry's `who`, or undefined when no machine is tracked for it.
 *
 * @example
 * machineStates([
 *   { t: 0, who: "peer1", dir: "--", text: "connected to 127.0.0.1:4000 from port 5000" },
 *   { t: 1, who: "peer1", dir: ">>", text: "00 53 50 00 00 30 00 00" },
 *   { t: 2, who: "peer1", dir: "<<", text: "00 53 50 00 00 31 00 00" },
 * ]); // ["tcp-pipe:handshake", "tcp-pipe:handshake", "tcp-pipe:active"]
 */
export function machineStates(entries: readonly TranscriptEntry[]): (string | undefined)[] {
  const recorded = new Map<string, string>();
  const shadows = new Map<string, Shadow>();
  /** Connections that are not raw SP streams (WebSocket peers): no shadow. */
  const skip = new Set<string>();
  const out = entries.map((e) => {
    if (e.state !== undefined) {
      recorded.set(e.who, e.state);
      return e.state;
    }
    if (e.dir === "--" && /^(upgrade |WebSocket server|101,)/.test(e.text)) skip.add(e.who);
    if (skip.has(e.who)) return recorded.get(e.who);
    let shadow = shadows.get(e.who);
    if (e.dir === "--") {
      if (OPENED.test(e.text) && shadow === undefined) {
        shadow = new Shadow();
        shadows.set(e.who, shadow);
      } else if (shadow && CLOSED_BY_SUITE.test(e.text)) shadow.send({ type: "disconnect" });
      else if (shadow && CLOSED_BY_IUT.test(e.text)) shadow.send({ type: "close" });
      return shadow?.state ?? recorded.get(e.who);
    }
    if (shadow === undefined) return recorded.get(e.who);
    const chunk = parseChunk(e.text);
    if (chunk) shadow.bytes(e.dir, chunk.head);
    return shadow.state;
  });
  for (const s of shadows.values()) s.stop();
  return out;
}
