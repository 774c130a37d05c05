/**
 * Which draft-table transitions the reference really walks while each
 * conformance case runs, next to what the case claims in `covers`
 * (CONTRACTS §1: a case may claim only transitions it drives).
 *
 * Each case runs against the reference in this process
 * (conformance/adapters/reference/inprocess.ts) with a transition recorder
 * installed (reference/core/spec-actor.ts). A case is run inside its own
 * async context, and every spec actor remembers the context it was created
 * in (a socket opened by the case, a pipe of a connection the case made), so
 * a transition counts for the case that made the actor, and only while that
 * case runs (its cleanup included). An actor made outside any case's context
 * counts for the case running then if only one is (see {@link needsToRunAlone}
 * for where that happens), otherwise apart (`unattributed`).
 *
 * A case is *untraced* when its run in-process says nothing about its claims:
 * it needs a second IUT process (ctx.iut.sibling(), which the in-process IUT
 * cannot start), lacks a capability, or did not pass. Untraced cases are
 * listed with the reason, never counted as walked or as wrong.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { InProcessReferenceIut } from "../../conformance/adapters/reference/inprocess.ts";
import type { ConformanceCase, Verdict } from "../../conformance/cases/types.ts";
import { type CaseOutcome, executeCase } from "../../conformance/runner/execute.ts";
import { recordTransitions } from "../../reference/core/spec-actor.ts";
import { allTransitions } from "../../spec/machines/index.ts";

/** What one case claims and what the reference walked while it ran. */
export interface CaseWalk {
  id: string;
  verdict: Verdict;
  /** Why the case is untraced; absent when its walk was recorded and counts. */
  untraced?: string;
  /** The case's `covers`. */
  claimed: string[];
  /** Table rows the reference walked during the case, sorted. */
  walked: string[];
  /** Claimed but not walked: wrong claims (empty for untraced cases). */
  missing: string[];
  /** Walked but not claimed. */
  unclaimed: string[];
  /** Transitions that match no row of the generated tables (a stale table?). */
  unknown: string[];
  durationMs: number;
}

/** Options of {@link TransitionWalker}. */
export interface WalkOptions {
  seed: number;
  /** Overrides each case's own time bound (ms), for a quick look. */
  timeoutMs?: number;
}

const known = new Set(allTransitions.map((t) => t.id));
const verdictsThatCount: readonly Verdict[] = ["pass", "warn", "info"];

/**
 * Runs cases against the in-process reference with the transition recorder
 * installed. Several runs may be in flight at once (each gets its own
 * in-process IUT; attribution follows the async context). Call {@link close}
 * when done.
 *
 * @example
 * ```ts
 * const walker = new TransitionWalker();
 * const w = await walker.run(someCase, { seed: 1 });
 * console.log(w.missing); // claimed transitions the reference did not walk
 * await walker.close();
 * ```
 */
export class TransitionWalker {
  private readonly idle: InProcessReferenceIut[] = [];
  private readonly all: InProcessReferenceIut[] = [];
  private readonly context = new AsyncLocalStorage<string>();
  private readonly uninstall: () => void;
  /** Walked ids of the cases running now, by case id. */
  private readonly running = new Map<string, { walked: Set<string>; unknown: Set<string> }>();
  /** Transitions of actors made outside any case, by id. */
  readonly unattributed = new Map<string, number>();
  /** Transitions of a case's actors after that case ended, by `case id → id`. */
  readonly late = new Map<string, number>();

  constructor() {
    this.uninstall = recordTransitions(
      (id, info) => {
        const owner = typeof info.tag === "string" ? info.tag : undefined;
        if (owner === undefined) {
          this.unattributed.set(id, (this.unattributed.get(id) ?? 0) + 1);
          return;
        }
        const run = this.running.get(owner);
        if (!run) {
          const key = `${owner} → ${id}`;
          this.late.set(key, (this.late.get(key) ?? 0) + 1);
        } else if (info.known && known.has(id)) run.walked.add(id);
        else run.unknown.add(id);
      },
      { tag: () => this.context.getStore() ?? this.soleRunning() },
    );
  }

  /** Runs `c` and returns its walk. Never throws for a failing case. */
  async run(c: ConformanceCase, opts: WalkOptions): Promise<CaseWalk> {
    if (this.running.has(c.id)) throw new Error(`${c.id} is running already`);
    const walked = new Set<string>();
    const unknown = new Set<string>();
    this.running.set(c.id, { walked, unknown });
    const iut = this.idle.pop() ?? this.fresh();
    const bounded = opts.timeoutMs === undefined ? c : { ...c, timeoutMs: opts.timeoutMs };
    let o: CaseOutcome;
    try {
      o = await this.context.run(c.id, () =>
        executeCase(bounded, iut, { seed: opts.seed, keepTranscripts: false }),
      );
    } finally {
      this.running.delete(c.id);
      this.idle.push(iut);
    }
    const claimed = [...(c.covers ?? [])];
    const untraced = untracedReason(o);
    const walkedList = [...walked].sort();
    return {
      id: c.id,
      verdict: o.verdict,
      ...(untraced !== undefined ? { untraced } : {}),
      claimed,
      walked: walkedList,
      missing: untraced === undefined ? claimed.filter((id) => !walked.has(id)) : [],
      unclaimed: walkedList.filter((id) => !claimed.includes(id)),
      unknown: [...unknown].sort(),
      durationMs: o.durationMs,
    };
  }

  /**
   * Runs `cases` with at most `lanes` in flight, calling `onWalk` as each
   * ends; resolves with the walks in the order of `cases`. Cases for which
   * `alone` holds (by default those over ws:// or wss://, see
   * {@link needsToRunAlone}) run afterwards, one at a time.
   */
  async runAll(
    cases: readonly ConformanceCase[],
    opts: WalkOptions & {
      lanes?: number;
      onWalk?: (w: CaseWalk) => void;
      alone?: (c: ConformanceCase) => boolean;
    },
  ): Promise<CaseWalk[]> {
    const alone = opts.alone ?? needsToRunAlone;
    const byId = new Map<string, CaseWalk>();
    const inLanes = async (list: readonly ConformanceCase[], lanes: number) => {
      let next = 0;
      const lane = async () => {
        while (next < list.length) {
          const w = await this.run(list[next++] as ConformanceCase, opts);
          byId.set(w.id, w);
          opts.onWalk?.(w);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, lanes) }, lane));
    };
    await inLanes(
      cases.filter((c) => !alone(c)),
      opts.lanes ?? 1,
    );
    await inLanes(cases.filter(alone), 1);
    return cases.map((c) => byId.get(c.id) as CaseWalk);
  }

  /** The one case running now, if exactly one is. */
  private soleRunning(): string | undefined {
    if (this.running.size !== 1) return undefined;
    return this.running.keys().next().value;
  }

  /** Closes what the cases left open and removes the recorder. */
  async close(): Promise<void> {
    await Promise.allSettled(this.all.map((iut) => iut.shutdown()));
    this.uninstall();
  }

  private fresh(): InProcessReferenceIut {
    const iut = new InProcessReferenceIut();
    this.all.push(iut);
    return iut;
  }
}

/**
 * True for cases over ws:// or wss://: node's HTTP server emits `upgrade`
 * outside the async context of the server's creator (its parsers are
 * pooled), so a listener's WebSocket pipes cannot be told apart by context;
 * such cases run alone and their untagged actors count for the one running.
 */
export function needsToRunAlone(c: ConformanceCase): boolean {
  return c.needs.transports.some((t) => t === "ws" || t === "wss");
}

function untracedReason(o: CaseOutcome): string | undefined {
  if (verdictsThatCount.includes(o.verdict)) return undefined;
  // executeCase keeps the reason of a thrown IutUnsupportedError in the transcript only.
  const said = o.reason ?? /UNSUPPORTED (.*)/.exec(o.transcript ?? "")?.[1] ?? "no reason given";
  if (o.verdict === "unsupported") {
    return /second instance/.test(said)
      ? "starts a second IUT process (ctx.iut.sibling()), which the in-process reference cannot"
      : `unsupported in-process: ${said}`;
  }
  return `${o.verdict} in-process: ${said.split("\n")[0]}`;
}

/** Per-transition summary of many walks: who claims it and who walks it. */
export interface TransitionSummary {
  id: string;
  claimedBy: string[];
  walkedBy: string[];
  /** Claimed by some case, walked by none of the traced ones. */
  claimedOnly: boolean;
}

/** Summarises walks per transition of the tables, in table order. */
export function summarise(walks: readonly CaseWalk[]): TransitionSummary[] {
  return allTransitions.map((t) => {
    const claimedBy = walks.filter((w) => w.claimed.includes(t.id)).map((w) => w.id);
    const walkedBy = walks.filter((w) => w.walked.includes(t.id)).map((w) => w.id);
    return { id: t.id, claimedBy, walkedBy, claimedOnly: claimedBy.length > 0 && !walkedBy.length };
  });
}
