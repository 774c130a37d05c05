/**
 * The filter language of the HTML report's search box, as pure functions.
 *
 * The same functions run in two places: here, under vitest, and in the
 * page, where {@link filterScript} pastes their source text into the inline
 * script. So they must stay self-contained: no imports, no module-level
 * values, no references to anything but each other and the built-ins.
 *
 * Syntax (words are separated by spaces; every word must hold, i.e. AND):
 *
 * - `verdict:fail` (also `v:`, `is:`): a result of the case has that verdict;
 *   `verdict:fail,warn` is either; besides the verdicts there are
 *   `expected` (a non-pass verdict the expectations file predicts) and
 *   `unexpected` (the result fails the run).
 * - `iut:nng`: restricts the verdict words to that IUT's result; verdict and
 *   iut words together must hold for one and the same result.
 * - `SP-REQREP-13`, `SP-REQREP-*`, `SP-REQREP` (a whole family), or the same
 *   after `req:`: the case cites a matching requirement.
 * - `family:reqrep` (also `f:`): the case id's first segment.
 * - `reqrep/*`, `**` across segments, `?` one character: a glob that must
 *   match the whole case id (as `--filter`); `id:text` matches anywhere.
 * - `kind:property`: the case kind.
 * - any other word, or a "quoted phrase": found in the case id or title.
 * - `-word` or `!word` negates a word; matching ignores case.
 */

/** What the filter knows of one (case, IUT) result. */
export interface ResultFacts {
  iut: string;
  verdict: string;
  /** A non-pass verdict that the expectations file predicts. */
  expected?: boolean;
  /** The result fails the run: unexpected fail, flaky or unexpected pass. */
  unexpected?: boolean;
}

/** What the filter knows of one case row. */
export interface RowFacts {
  id: string;
  title: string;
  kind?: string;
  requirements: string[];
  results: ResultFacts[];
}

/** What a filter word tests. */
export type TermKey = "verdict" | "iut" | "req" | "family" | "id" | "kind" | "text";

/** One parsed word of the filter. */
export interface FilterTerm {
  key: TermKey;
  /** Alternatives (lower case); the word holds when one of them does. */
  values: string[];
  negate: boolean;
  /** The word as typed. */
  raw: string;
}

/** A parsed filter: the words that count and what was wrong with the others. */
export interface Filter {
  terms: FilterTerm[];
  errors: string[];
}

/** The values `verdict:` accepts, in the order the chips show them. */
export function filterVerdicts(): string[] {
  return ["pass", "fail", "warn", "info", "unsupported", "flaky", "expected", "unexpected"];
}

/** Maps a `key:` prefix (any case) to what it tests; undefined for an unknown one. */
export function filterKey(name: string): TermKey | undefined {
  const keys: Record<string, TermKey> = {
    verdict: "verdict",
    v: "verdict",
    is: "verdict",
    iut: "iut",
    req: "req",
    r: "req",
    requirement: "req",
    family: "family",
    f: "family",
    id: "id",
    kind: "kind",
  };
  const key = name.toLowerCase();
  return Object.hasOwn(keys, key) ? keys[key] : undefined;
}

/** Splits filter text into words; spaces inside double quotes do not split. */
export function tokenizeFilter(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && /\s/.test(ch)) {
      if (word !== "") words.push(word);
      word = "";
    } else {
      word += ch;
    }
  }
  if (word !== "") words.push(word);
  return words;
}

/**
 * A glob as an anchored, case-insensitive expression. With `segments`,
 * `*` and `?` stay within one `/` segment and `**` crosses them (as the
 * runner's `--filter`); without, `*` is any text.
 */
export function globToRegExp(glob: string, segments: boolean): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === "*" && glob.charAt(i + 1) === "*") {
      source += ".*";
      i++;
    } else if (c === "*") {
      source += segments ? "[^/]*" : ".*";
    } else if (c === "?") {
      source += segments ? "[^/]" : ".";
    } else {
      source += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
  }
  return new RegExp(`^${source}$`, "i");
}

/** Parses filter text; words that make no sense go to `errors` and do not filter. */
export function parseFilter(text: string): Filter {
  const terms: FilterTerm[] = [];
  const errors: string[] = [];
  const verdicts = filterVerdicts();
  for (const raw of tokenizeFilter(text)) {
    let body = raw;
    let negate = false;
    if (body.length > 1 && (body.startsWith("-") || body.startsWith("!"))) {
      negate = true;
      body = body.slice(1);
    }
    const keyed = /^([A-Za-z]+):(.*)$/.exec(body);
    const key = keyed ? filterKey(keyed[1] ?? "") : undefined;
    if (keyed && key) {
      let values = (keyed[2] ?? "")
        .replace(/"/g, "")
        .split(",")
        .map((v) => v.trim().toLowerCase())
        .filter((v) => v !== "");
      if (values.length === 0) {
        errors.push(`${raw}: needs a value`);
        continue;
      }
      if (key === "verdict") {
        const bad = values.filter((v) => !verdicts.includes(v));
        if (bad.length > 0) {
          errors.push(`${raw}: unknown verdict ${bad.join(", ")} (one of ${verdicts.join(", ")})`);
        }
        values = values.filter((v) => verdicts.includes(v));
        if (values.length === 0) continue;
      }
      terms.push({ key, values, negate, raw });
    } else if (/^SP-/i.test(body)) {
      terms.push({ key: "req", values: [body.toLowerCase()], negate, raw });
    } else if (/[*?]/.test(body)) {
      terms.push({ key: "id", values: [body.toLowerCase()], negate, raw });
    } else {
      const word = body.replace(/"/g, "").toLowerCase();
      if (word !== "") terms.push({ key: "text", values: [word], negate, raw });
    }
  }
  return { terms, errors };
}

/** Does a requirement id match a `req` value (exact id, glob, or a family prefix)? */
export function matchRequirement(value: string, id: string): boolean {
  const lower = id.toLowerCase();
  if (/[*?]/.test(value)) return globToRegExp(value, false).test(lower);
  if (/\d$/.test(value)) return lower === value;
  const prefix = value.endsWith("-") ? value : `${value}-`;
  return lower.startsWith(prefix);
}

/** Does a row-level word (anything but verdict and iut) hold for a row, before negation? */
export function matchRowTerm(term: FilterTerm, row: RowFacts): boolean {
  const id = row.id.toLowerCase();
  return term.values.some((v) => {
    switch (term.key) {
      case "text":
        return id.includes(v) || row.title.toLowerCase().includes(v);
      case "id":
        return /[*?]/.test(v) ? globToRegExp(v, true).test(id) : id.includes(v);
      case "family":
        return globToRegExp(v, true).test(id.split("/")[0] ?? "");
      case "req":
        return row.requirements.some((r) => matchRequirement(v, r));
      case "kind":
        return (row.kind ?? "").toLowerCase() === v;
      default:
        return false;
    }
  });
}

/** Does a verdict or iut word hold for one result, before negation? */
export function matchResultTerm(term: FilterTerm, result: ResultFacts): boolean {
  return term.values.some((v) => {
    if (term.key === "iut") return globToRegExp(v, false).test(result.iut);
    if (v === "expected") return result.expected === true;
    if (v === "unexpected") return result.unexpected === true;
    return result.verdict === v;
  });
}

/**
 * Does a row pass the filter? Row words must all hold; verdict and iut
 * words must all hold for at least one result of the row.
 */
export function matchFilter(filter: Filter, row: RowFacts): boolean {
  const perResult: FilterTerm[] = [];
  for (const term of filter.terms) {
    if (term.key === "verdict" || term.key === "iut") perResult.push(term);
    else if (matchRowTerm(term, row) === term.negate) return false;
  }
  if (perResult.length === 0) return true;
  return row.results.some((r) => perResult.every((t) => matchResultTerm(t, r) !== t.negate));
}

/** Index of the word the verdict chips read and edit: the first plain `verdict:` word; -1 if none. */
export function verdictWordIndex(words: string[]): number {
  return words.findIndex((w) => {
    const keyed = /^([A-Za-z]+):/.exec(w);
    return keyed !== null && filterKey(keyed[1] ?? "") === "verdict";
  });
}

/** The verdicts the chips show as pressed for this filter text. */
export function selectedVerdicts(text: string): string[] {
  const words = tokenizeFilter(text);
  const at = verdictWordIndex(words);
  if (at < 0) return [];
  const word = words[at] ?? "";
  const known = filterVerdicts();
  return word
    .slice(word.indexOf(":") + 1)
    .replace(/"/g, "")
    .split(",")
    .map((v) => v.trim().toLowerCase())
    .filter((v) => known.includes(v));
}

/**
 * The filter text after toggling one chip: adds the verdict to the chips'
 * `verdict:` word (creating it at the end) or removes it (dropping the word
 * when it empties). Other words are kept as typed.
 */
export function toggleVerdict(text: string, verdict: string): string {
  const words = tokenizeFilter(text);
  const at = verdictWordIndex(words);
  if (at < 0) return [...words, `verdict:${verdict}`].join(" ");
  const now = selectedVerdicts(text);
  const next = now.includes(verdict) ? now.filter((v) => v !== verdict) : [...now, verdict];
  if (next.length === 0) words.splice(at, 1);
  else words[at] = `verdict:${next.join(",")}`;
  return words.join(" ");
}

/** Any of the functions above. */
type PageFunction = (...args: never[]) => unknown;

/** The functions the page needs, in the order they are pasted. */
const PAGE_FUNCTIONS: readonly PageFunction[] = [
  filterVerdicts,
  filterKey,
  tokenizeFilter,
  globToRegExp,
  parseFilter,
  matchRequirement,
  matchRowTerm,
  matchResultTerm,
  matchFilter,
  verdictWordIndex,
  selectedVerdicts,
  toggleVerdict,
];

/**
 * The name a function's source text declares. A bundler may have renamed
 * the function (and every call to it, consistently), so the page refers to
 * the functions by the names in their text, not by `fn.name`.
 */
function declaredName(source: string): string {
  const m = /^function\s*([\w$]+)\s*\(/.exec(source);
  if (!m?.[1])
    throw new Error(`filter function is not a plain declaration: ${source.slice(0, 60)}`);
  return m[1];
}

/**
 * JavaScript that defines `const <name> = {parse, match, toggle, selected,
 * tokenize, verdicts}` from the functions above, for the page's inline script.
 * `__name` is defined as a no-op because tsx (esbuild keepNames) wraps inner
 * functions in calls to a helper of that name, which the page lacks.
 */
export function filterScript(name = "SPFilter"): string {
  const sources = PAGE_FUNCTIONS.map((f) => f.toString());
  const ref = (f: PageFunction) => declaredName(sources[PAGE_FUNCTIONS.indexOf(f)] ?? "");
  const api = {
    parse: ref(parseFilter),
    match: ref(matchFilter),
    toggle: ref(toggleVerdict),
    selected: ref(selectedVerdicts),
    tokenize: ref(tokenizeFilter),
    verdicts: ref(filterVerdicts),
  };
  const members = Object.entries(api)
    .map(([k, v]) => `${k}:${v}`)
    .join(",");
  return `const ${name}=(()=>{const __name=(f)=>f;\n${sources.join("\n")}\nreturn {${members}};})();`;
}
