/**
 * Per-case transcript: every byte the raw peers write or read (hex), every
 * adapter request and answer, and notes, each with a time offset from the
 * start of the case. Attached to a failure so a reader can replay it by eye.
 */
import { hex } from "./sp.ts";

/** One transcript line. */
export interface TranscriptEntry {
  /** Milliseconds since the case started. */
  t: number;
  /** Who: a peer label (`peer1`), `iut`, or `case`. */
  who: string;
  /** `>>` written by the suite, `<<` received by the suite, `--` event or note. */
  dir: ">>" | "<<" | "--";
  text: string;
  /**
   * Machine state recorded at this step, as `machine:state` (e.g. `req:waiting`):
   * the state of the spec machine the case models for `who` from here on.
   */
  state?: string;
}

/** Collects {@link TranscriptEntry} lines for one case. */
export class Transcript {
  private readonly start = performance.now();
  readonly entries: TranscriptEntry[] = [];

  private add(who: string, dir: TranscriptEntry["dir"], text: string): void {
    this.entries.push({ t: performance.now() - this.start, who, dir, text });
  }

  out(who: string, bytes: Uint8Array): void {
    this.add(who, ">>", hex(bytes));
  }

  in(who: string, bytes: Uint8Array): void {
    this.add(who, "<<", hex(bytes));
  }

  event(who: string, text: string): void {
    this.add(who, "--", text);
  }

  /**
   * Records that, per the spec machine the case follows, `who` is now in
   * `machine:state` (path cases record the model's state before each step).
   */
  state(who: string, state: string, text = `state ${state}`): void {
    this.entries.push({ t: performance.now() - this.start, who, dir: "--", text, state });
  }

  /** Renders the transcript, one entry per line. */
  format(): string {
    return this.entries
      .map((e) => `${`+${e.t.toFixed(1)}ms`.padStart(10)} ${e.who.padEnd(6)} ${e.dir} ${e.text}`)
      .join("\n");
  }
}
