/** The command line of `npm run faults`. */

export interface Args {
  /** Fault ids to run; empty means all. */
  faults: string[];
  jobs: number;
  list: boolean;
  allowUncaught: boolean;
  /** Run every case family against each fault, not only the fault's own. */
  allFamilies: boolean;
  /** Keep the scratch copies (their paths are printed). */
  keep: boolean;
}

export const USAGE =
  "npm run faults -- [--fault ID]... [--jobs N] [--list] [--allow-uncaught] [--all-families] [--keep]";

/** Parses argv (without node and the script). Throws on a bad argument. */
export function parseArgs(argv: readonly string[]): Args {
  const a: Args = {
    faults: [],
    jobs: 2,
    list: false,
    allowUncaught: false,
    allFamilies: false,
    keep: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === "--fault") a.faults.push(value());
    else if (arg === "--jobs") a.jobs = Number(value());
    else if (arg === "--list") a.list = true;
    else if (arg === "--allow-uncaught") a.allowUncaught = true;
    else if (arg === "--all-families") a.allFamilies = true;
    else if (arg === "--keep") a.keep = true;
    else throw new Error(`unknown argument ${arg}\nusage: ${USAGE}`);
  }
  if (!Number.isInteger(a.jobs) || a.jobs < 1 || a.jobs > 8) {
    throw new Error("--jobs needs an integer from 1 to 8");
  }
  return a;
}
