/**
 * The scenario catalogue: names (fixed; the JSON and BENCHMARKS.md use them),
 * what each measures and its message counts for full and `--quick` runs.
 */

/** Counts for a full run and for `--quick`. */
export interface Sized {
  full: number;
  quick: number;
}

/** One benchmark scenario. */
export type Scenario =
  | {
      name: string;
      kind: "throughput";
      transport: "tcp" | "ipc" | "inproc";
      size: number;
      count: Sized;
    }
  | {
      name: string;
      kind: "latency";
      transport: "tcp";
      size: number;
      count: Sized;
      warm: Sized;
      /** Measured runs without `--runs` (default 5). */
      runs?: number;
    }
  | {
      name: string;
      kind: "fanout";
      transport: "tcp";
      size: number;
      /** Messages published per subscriber count. */
      variants: { subscribers: number; count: Sized }[];
      /** Measured runs without `--runs` (default 5). */
      runs?: number;
    }
  | {
      name: string;
      kind: "slowworker";
      transport: "tcp" | "ipc";
      size: number;
      /** Messages the PUSH sends per measured run (the warm-up sends a tenth). */
      count: Sized;
      /** The slow worker sleeps this long after each message it reads. */
      delayMs: number;
      /** Bound of one run, from "go" until both workers together have every message. */
      timeoutMs: number;
      /** Measured runs without `--runs` (default 5). */
      runs?: number;
    }
  | {
      name: string;
      kind: "noread";
      transport: "tcp";
      /** Payload bytes of each frame the writer sends. */
      size: number;
      /** When the PULL reports its RSS, ms after the writer starts; the first is `rssBytes`. */
      checkpointsMs: { full: number[]; quick: number[] };
      /** The PULL process is killed once its RSS passes this many bytes. */
      capBytes: number;
    }
  | {
      name: string;
      kind: "subs";
      keys: "random16" | "prefix";
      subscriptions: number[];
      quickMax: number;
    }
  | { name: string; kind: "conformance" };

const thr = (
  transport: "tcp" | "ipc" | "inproc",
  size: number,
  full: number,
  quick: number,
): Scenario => ({
  name: `pushpull-${transport}-${size}`,
  kind: "throughput",
  transport,
  size,
  count: { full, quick },
});

/**
 * Every scenario, in the order they run.
 *
 * @example
 * ```ts
 * scenarios.map((s) => s.name); // ["pushpull-tcp-64", ...]
 * ```
 */
export const scenarios: readonly Scenario[] = [
  thr("tcp", 64, 200_000, 5_000),
  thr("tcp", 1024, 100_000, 3_000),
  thr("tcp", 4096, 50_000, 2_000),
  thr("tcp", 65536, 5_000, 300),
  thr("ipc", 64, 200_000, 5_000),
  thr("inproc", 64, 100_000, 5_000),
  {
    name: "reqrep-tcp-64-rtt",
    kind: "latency",
    transport: "tcp",
    size: 64,
    count: { full: 10_000, quick: 300 },
    warm: { full: 500, quick: 50 },
  },
  {
    name: "pubsub-fanout-tcp-64",
    kind: "fanout",
    transport: "tcp",
    size: 64,
    // Fifteen (variant, implementation) pairs of two processes each, a 200 ms settle
    // per run: three measured runs keep the scenario near a minute.
    runs: 3,
    variants: [
      { subscribers: 1, count: { full: 100_000, quick: 2_000 } },
      { subscribers: 10, count: { full: 20_000, quick: 500 } },
      { subscribers: 100, count: { full: 2_000, quick: 100 } },
    ],
  },
  ...(["tcp", "ipc"] as const).map(
    (transport): Scenario => ({
      name: `pipeline-slow-worker-${transport}`,
      kind: "slowworker",
      transport,
      size: 4096,
      // --quick sends 1000 (not 2000): still several times what the buffers in the way hold,
      // so a flow-controlled PUSH still shows it, and the fair-split case takes ~10 s, not ~20 s.
      count: { full: 2_000, quick: 1_000 },
      delayMs: 20,
      timeoutMs: 60_000,
      runs: 3,
    }),
  ),
  {
    name: "pull-noread-rss",
    kind: "noread",
    transport: "tcp",
    size: 65536,
    checkpointsMs: { full: [8_000, 30_000], quick: [2_000] },
    capBytes: 2 * 2 ** 30,
  },
  {
    name: "subs-random16",
    kind: "subs",
    keys: "random16",
    subscriptions: [1, 1_000, 1_000_000, 10_000_000],
    quickMax: 1_000,
  },
  {
    name: "subs-prefix",
    kind: "subs",
    keys: "prefix",
    subscriptions: [1, 1_000, 1_000_000, 10_000_000],
    quickMax: 1_000,
  },
  { name: "conformance-wall", kind: "conformance" },
];
