/**
 * Case ids as the user writes them: `--filter` patterns and the keys of
 * expectations files. A renamed case keeps answering to its old ids for a
 * while (conformance/cases/aliases.ts maps old id → new id), so a CI job or
 * an expectations file written before the rename keeps working.
 *
 * Every function takes the alias map as a parameter, so tests can use their
 * own; the runner passes `caseAliases`.
 */

/** Old case id → the id it was renamed to. */
export type AliasMap = Readonly<Record<string, string>>;

/**
 * Turns one `--filter` value into a predicate on ids. With `*` (within one
 * `/` segment), `**` (across segments) or `?` (one character) it is a glob
 * that must match the whole id; plain text matches anywhere in the id.
 *
 * @example
 * globMatcher("reqrep/*")("reqrep/rep-ttl"); // true
 * globMatcher("ttl")("reqrep/rep-ttl"); // true
 */
export function globMatcher(pattern: string): (id: string) => boolean {
  if (!/[*?]/.test(pattern)) return (id) => id.includes(pattern);
  const source = pattern
    .split(/(\*\*|\*|\?)/)
    .map((part) => {
      if (part === "**") return ".*";
      if (part === "*") return "[^/]*";
      if (part === "?") return ".";
      return part.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    })
    .join("");
  const re = new RegExp(`^${source}$`);
  return (id) => re.test(id);
}

/**
 * The id a case has today: follows old → new links (a case renamed twice
 * has a chain). An id that is not an alias is returned as it is.
 */
export function currentId(id: string, aliases: AliasMap): string {
  let at = id;
  const seen = new Set<string>([at]);
  while (Object.hasOwn(aliases, at)) {
    const next = aliases[at] as string;
    if (seen.has(next)) throw new Error(`case aliases form a cycle through ${next}`);
    seen.add(next);
    at = next;
  }
  return at;
}

/** For every current id that has old names, those names (in the map's order). */
export function formerIds(aliases: AliasMap): Map<string, string[]> {
  const byCurrent = new Map<string, string[]>();
  for (const old of Object.keys(aliases)) {
    const now = currentId(old, aliases);
    byCurrent.set(now, [...(byCurrent.get(now) ?? []), old]);
  }
  return byCurrent;
}

/**
 * The case selection of several `--filter` values: their union. A case is
 * selected when a pattern matches its id or one of its old ids. No pattern
 * selects every case.
 *
 * @example
 * const keep = caseFilter(["pair/*", "old-name"], { "old-name": "reqrep/new-name" });
 * keep("reqrep/new-name"); // true
 */
export function caseFilter(
  patterns: readonly string[],
  aliases: AliasMap,
): (id: string) => boolean {
  if (patterns.length === 0) return () => true;
  const matchers = patterns.map(globMatcher);
  const former = formerIds(aliases);
  return (id) => {
    const names = [id, ...(former.get(id) ?? [])];
    return matchers.some((m) => names.some(m));
  };
}

/** The patterns that select none of `ids` (likely typos, worth a warning). */
export function unmatchedPatterns(
  patterns: readonly string[],
  ids: readonly string[],
  aliases: AliasMap,
): string[] {
  return patterns.filter((p) => !ids.some(caseFilter([p], aliases)));
}

/**
 * Re-keys a map keyed by case id (an expectations file's `cases`) by current
 * ids. When an old id and its new id are both present, the entry under the
 * new id wins; when several old ids lead to one case, the first one wins.
 * Each entry that is dropped that way gets a note.
 */
export function byCurrentId<T>(
  entries: Readonly<Record<string, T>>,
  aliases: AliasMap,
): { entries: Record<string, T>; notes: string[] } {
  const out: Record<string, T> = {};
  const from = new Map<string, string>();
  const notes: string[] = [];
  // Entries under current ids first, so they win over any alias.
  const keys = Object.keys(entries);
  const ordered = [
    ...keys.filter((k) => !Object.hasOwn(aliases, k)),
    ...keys.filter((k) => Object.hasOwn(aliases, k)),
  ];
  for (const key of ordered) {
    const id = currentId(key, aliases);
    const taken = from.get(id);
    if (taken !== undefined) {
      notes.push(`${key} is an old id of ${id}, which is already listed as ${taken}; ignored`);
      continue;
    }
    from.set(id, key);
    out[id] = entries[key] as T;
  }
  return { entries: out, notes };
}
