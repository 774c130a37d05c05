/**
 * Command-line arguments of `npm run bench` (pure parsing, no side effects).
 */

/** What the runner was asked to do. */
export interface BenchArgs {
  /** Where to write the JSON report, if anywhere. */
  json: string | undefined;
  /** Tiny message counts, one run per scenario, subscriptions up to 1k. */
  quick: boolean;
  /** Glob over scenario names (`*` any run of characters, `?` one character). */
  filter: string | undefined;
  /**
   * Measured runs per scenario and implementation (after the warm-up); undefined =
   * 1 with `--quick`, else each scenario's own number (scenarios.ts, default 5).
   */
  runs: number | undefined;
  /** Only these implementations (comma list of `impls` names); undefined = all. */
  impl: string[] | undefined;
  /** Print usage and exit. */
  help: boolean;
}

/** Usage text printed by `--help` and on a bad argument. */
export const usage = `usage: npm run bench -- [--json FILE] [--quick] [--filter GLOB] [--runs N] [--impl LIST]
  --json FILE    also write the results as JSON to FILE
  --quick        tiny message counts, 1 run, subscriptions up to 1k (CI smoke run)
  --filter GLOB  only scenarios whose name matches GLOB (e.g. 'pushpull-*')
  --runs N       measured runs per scenario and implementation (default: the scenario's, mostly 5; --quick: 1)
  --impl LIST    only these implementations, comma-separated (e.g. reference,nanomsg,raw);
                 for same-run A/B comparisons`;

/**
 * Parses argv (without node and the script). Throws an Error with a readable
 * message on an unknown flag or a bad value. `--flag=value` is accepted too.
 *
 * @example
 * ```ts
 * parseArgs(["--quick", "--filter", "reqrep-*"]);
 * // { json: undefined, quick: true, filter: "reqrep-*", runs: undefined, impl: undefined, help: false }
 * ```
 */
export function parseArgs(argv: readonly string[]): BenchArgs {
  const out: BenchArgs = {
    json: undefined,
    quick: false,
    filter: undefined,
    runs: undefined,
    impl: undefined,
    help: false,
  };
  let runs: number | undefined;
  const list = argv.flatMap((a) => {
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    return eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a];
  });
  for (let i = 0; i < list.length; i++) {
    const flag = list[i] as string;
    const value = (): string => {
      const v = list[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--json":
        out.json = value();
        break;
      case "--quick":
        out.quick = true;
        break;
      case "--filter":
        out.filter = value();
        break;
      case "--runs": {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1)
          throw new Error(`--runs needs a positive integer, got ${v}`);
        runs = n;
        break;
      }
      case "--impl": {
        const v = value();
        const names = v
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean);
        if (names.length === 0) throw new Error("--impl needs at least one implementation");
        out.impl = names;
        break;
      }
      case "--help":
      case "-h":
        out.help = true;
        break;
      default:
        throw new Error(`unknown argument ${flag}`);
    }
  }
  out.runs = runs;
  return out;
}

/**
 * True when `name` matches the glob (`*` any run, `?` one character), whole name.
 * No glob matches everything.
 *
 * @example
 * ```ts
 * globMatch("pushpull-*", "pushpull-tcp-64"); // true
 * ```
 */
export function globMatch(glob: string | undefined, name: string): boolean {
  if (glob === undefined || glob === "") return true;
  const re = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`).test(name);
}
