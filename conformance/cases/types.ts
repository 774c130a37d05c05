/**
 * The shape of a conformance case and the context it runs in. One definition
 * per case serves both the CLI runner and vitest.
 */
import type { CatPlan } from "../adapters/cat/plan.ts";
import type { IutSocket, OpenOptions } from "../adapters/iut.ts";
import type { Endpoint, Hosts } from "../harness/hosts.ts";
import type { Transcript } from "../harness/transcript.ts";
import type { WirePeer, WireServer } from "../harness/wire.ts";

/**
 * Outcome of a case for one IUT:
 * - `pass`: every MUST and SHOULD checked held;
 * - `fail`: a MUST did not hold (or the IUT died);
 * - `warn`: the MUSTs held but a SHOULD did not;
 * - `info`: nothing was violated; the case only reports behaviour the drafts leave open;
 * - `unsupported`: the IUT lacks a protocol, transport, option or feature the case needs.
 */
export type Verdict = "pass" | "fail" | "warn" | "info" | "unsupported";

/** `example`: a scripted scenario; `property`: generated inputs; `malformed`: bad input on purpose. */
export type CaseKind = "example" | "property" | "malformed";

/** Capabilities a case needs from the IUT (compared with the adapter's `hello`). */
export interface CaseNeeds {
  protocols: string[];
  transports: string[];
  /** nng option names the case sets. */
  options?: string[];
  /** Optional adapter features the case uses (ADAPTER.md §3.2): `raw`, `device`, `contexts`, `pipes`, `stats`, `dialers`. */
  features?: string[];
}

/** One conformance case. */
export interface ConformanceCase {
  /** Stable id, `<area>/<slug>`, e.g. `reqrep/rep-backtrace-unchanged`. */
  id: string;
  title: string;
  /** Requirement ids the case checks (`SP-REQREP-13`). */
  requirements: string[];
  kind: CaseKind;
  needs: CaseNeeds;
  /** Machine transition ids the case drives (CONTRACTS §1), e.g. `req:waiting:after:resendTime`. */
  covers?: string[];
  /** Upper bound for the whole case; default 10 s. */
  timeoutMs?: number;
  /**
   * How an nngcat-like CLI expresses the case in cat mode (adapters/cat/plan.ts);
   * absent: cat mode reports the case `unsupported`.
   */
  cat?: CatPlan;
  run(ctx: CaseContext): Promise<void>;
}

/** The IUT as a case sees it: sockets opened here are closed after the case. */
export interface CaseIut {
  readonly name: string;
  /** Opens a socket; `{ raw: true }` opens the raw variant (feature `raw`). */
  open(protocol: string, opts?: OpenOptions): Promise<IutSocket>;
  /** Starts a device between raw sockets `a` and `b` (or a reflector on `a`), feature `device`. */
  device(a: IutSocket, b?: IutSocket): Promise<void>;
  /** The counters of `sock` (feature `stats`), with at least `bad-input`. */
  stats(sock: IutSocket): Promise<Record<string, number>>;
  /** True when the IUT declares optional feature `name`. */
  hasFeature(name: string): boolean;
  /**
   * A second, independent instance of the IUT (another adapter process),
   * shut down after the case; its operations appear in the transcript as
   * `iut2`. Throws IutUnsupportedError (verdict `unsupported`) when the IUT
   * cannot start one.
   */
  sibling(): Promise<CaseIut>;
}

/** Everything a case may use. */
export interface CaseContext {
  iut: CaseIut;
  /** Seed for anything random (fast-check, generated ids). */
  seed: number;
  /** fast-check replay path from `--replay`, if any. */
  replayPath: string | undefined;
  /** The id of the running case (for replay hints). */
  caseId: string;
  transcript: Transcript;
  /**
   * The IUT's host and the suite's host of this run (`--iut-host`,
   * `--suite-host`; both 127.0.0.1 by default). Cases never write an address
   * themselves: they build URLs with {@link iutUrl} and {@link suiteUrl}.
   */
  hosts: Hosts;
  /**
   * A URL for an IUT socket to listen on: `scheme://<IUT host>:<port><path>`,
   * port 0 (the IUT picks one) unless given. `iutUrl("ws", "/sp")` →
   * `ws://127.0.0.1:0/sp`; IPv6 hosts come bracketed.
   */
  iutUrl(scheme: string, path?: string, port?: number): string;
  /** A URL for an IUT socket to dial the suite at: `scheme://<suite host>:<port><path>`. */
  suiteUrl(scheme: string, port: number, path?: string): string;
  /**
   * Where the suite reaches the IUT for `target`: the port of a URL the IUT
   * answered to `listen` (or a port number) on the IUT's host.
   */
  iutEndpoint(target: string | number): Endpoint;
  /** Opens a raw TCP connection to the IUT at `target` (see {@link iutEndpoint}). */
  connect(target: string | number, label?: string): Promise<WirePeer>;
  /** Starts a raw TCP listener on the suite's host for the IUT to dial. */
  server(label?: string): Promise<WireServer>;
  /** Ends the case with verdict `fail`. */
  fail(message: string): never;
  /** Records a SHOULD that did not hold (verdict `warn` unless the case fails). */
  warn(message: string): void;
  /** Records behaviour the drafts leave open (verdict `info` unless warn or fail). */
  info(message: string): void;
  /** Adds a note to the result without affecting the verdict. */
  note(message: string): void;
}

/** Thrown by {@link CaseContext.fail}. */
export class CaseFailure extends Error {
  override name = "CaseFailure";
}
