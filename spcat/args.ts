/**
 * A small command-line parser with nngcat's rules.
 *
 * nngcat's option handling is part of the compatibility surface of `spcat`, so
 * this parser follows it rather than POSIX `getopt`:
 *
 * - A long option may be abbreviated to any prefix that selects one option.
 *   An exact name always wins (`--sub` is not ambiguous with `--subscribe`).
 *   A prefix that selects several options is an error that names them.
 * - A long option takes its value as `--opt=val`, `--opt:val` or `--opt val`.
 * - A short option is one letter; its value is glued (`-L5678`) or the next
 *   argument (`-L 5678`). Short options are never clustered (`-Aq` is invalid).
 * - A flag given a value (`--ascii=x`, `-Ax`) is invalid.
 * - Parsing stops at the first argument that is not an option; a lone `-` is
 *   consumed and stops parsing; `--` is consumed and stops parsing.
 *
 * @module
 */

/** One row of the declarative option table. */
export interface OptionSpec<K extends string = string> {
  /** Long name without the dashes, e.g. `listen`. Aliases are separate rows with the same key. */
  readonly name: string;
  /** What the option means to the program; aliases share it. */
  readonly key: K;
  /** Single-letter short form, e.g. `L` for `-L`. */
  readonly short?: string;
  /** Placeholder of the value (`URL`, `SEC`); present exactly when the option takes a value. */
  readonly value?: string;
  /** One line of help; rows without help are aliases listed with their main row. */
  readonly help?: string;
}

/** One option as it was found on the command line. */
export interface ParsedOption<K extends string = string> {
  /** The table row that matched. */
  readonly spec: OptionSpec<K>;
  /** The value, for options that take one. */
  readonly value?: string;
  /** The argument as written (for error messages), e.g. `--list=tcp://…`. */
  readonly raw: string;
}

/** Result of {@link parseArgs}. */
export interface ParseResult<K extends string = string> {
  /** Options in command-line order. */
  readonly options: ParsedOption<K>[];
  /** Arguments left after parsing stopped (nngcat ignores them). */
  readonly rest: string[];
}

/** Why parsing failed. */
export type ArgErrorKind = "invalid" | "ambiguous" | "noarg";

/** A command-line error; `message` is the text to print on stderr. */
export class ArgError extends Error {
  /** Which rule was broken. */
  readonly kind: ArgErrorKind;
  /** For `ambiguous`: the long names the prefix selects, `--` included. */
  readonly candidates: readonly string[];

  constructor(kind: ArgErrorKind, message: string, candidates: readonly string[] = []) {
    super(message);
    this.name = "ArgError";
    this.kind = kind;
    this.candidates = candidates;
  }
}

/** Finds the long option named by `name` (exact, else a unique prefix). */
function matchLong<K extends string>(
  table: readonly OptionSpec<K>[],
  name: string,
  raw: string,
): OptionSpec<K> {
  const exact = table.find((o) => o.name === name);
  if (exact !== undefined) return exact;
  const hits = name === "" ? [] : table.filter((o) => o.name.startsWith(name));
  const first = hits[0];
  if (first !== undefined && hits.every((o) => o.key === first.key)) return first;
  if (hits.length === 0) throw new ArgError("invalid", `Option ${raw} is invalid.`);
  const names = hits.map((o) => `--${o.name}`);
  throw new ArgError(
    "ambiguous",
    `Option ${raw} is ambiguous (specify in full): it could be ${names.join(", ")}.`,
    names,
  );
}

/**
 * Parses `argv` (without the program name) against `table`.
 *
 * @throws {@link ArgError} for an unknown, ambiguous or incomplete option.
 * @example
 * ```ts
 * const { options } = parseArgs(["--list=tcp://127.0.0.1:0", "-Dhi"], table);
 * ```
 */
export function parseArgs<K extends string>(
  argv: readonly string[],
  table: readonly OptionSpec<K>[],
): ParseResult<K> {
  const options: ParsedOption<K>[] = [];
  let i = 0;
  while (i < argv.length) {
    const raw = argv[i] as string;
    if (!raw.startsWith("-")) break;
    if (raw === "-" || raw === "--") {
      i++;
      break;
    }
    let spec: OptionSpec<K>;
    let inline: string | undefined;
    if (raw.startsWith("--")) {
      const body = raw.slice(2);
      const cut = body.search(/[=:]/);
      const name = cut < 0 ? body : body.slice(0, cut);
      spec = matchLong(table, name, raw);
      if (cut >= 0) inline = body.slice(cut + 1);
    } else {
      const letter = raw.slice(1, 2);
      const found = table.find((o) => o.short === letter);
      if (found === undefined) throw new ArgError("invalid", `Option ${raw} is invalid.`);
      spec = found;
      if (raw.length > 2) inline = raw.slice(2);
    }
    if (spec.value === undefined) {
      if (inline !== undefined) throw new ArgError("invalid", `Option ${raw} is invalid.`);
      options.push({ spec, raw });
      i++;
      continue;
    }
    if (inline !== undefined) {
      options.push({ spec, value: inline, raw });
      i++;
      continue;
    }
    const next = argv[i + 1];
    if (next === undefined) throw new ArgError("noarg", `Option ${raw} requires argument.`);
    options.push({ spec, value: next, raw });
    i += 2;
  }
  return { options, rest: argv.slice(i) };
}

/**
 * Renders the help lines of a table: one line per row with help, aliases
 * (rows without help, same key) listed after it.
 */
export function renderHelp<K extends string>(table: readonly OptionSpec<K>[]): string[] {
  const lines: string[] = [];
  for (const row of table) {
    if (row.help === undefined) continue;
    const forms = [row, ...table.filter((o) => o.key === row.key && o !== row && !o.help)];
    const names = forms.map((o) => `--${o.name}`);
    for (const o of forms) if (o.short !== undefined) names.push(`-${o.short}`);
    const left = `  ${names.join(", ")}${row.value === undefined ? "" : ` <${row.value}>`}`;
    lines.push(
      left.length < 34 ? `${left.padEnd(34)}${row.help}` : `${left}\n${" ".repeat(34)}${row.help}`,
    );
  }
  return lines;
}
