/**
 * Shapes produced by the draft reader. Line numbers are 1-based and refer to
 * the Markdown source of the draft.
 */

/** A problem found while reading a draft (structure, not policy). */
export interface Diagnostic {
  readonly line: number;
  readonly message: string;
}

/** A heading of the draft. `part` is the kramdown-rfc part it belongs to. */
export interface Section {
  readonly title: string;
  readonly level: number;
  readonly line: number;
  readonly anchor: string | null;
  readonly part: "front" | "abstract" | "middle" | "back";
}

/** The BCP 14 key words, longest first so that `MUST NOT` wins over `MUST`. */
export const BCP14_KEYWORDS = [
  "MUST NOT",
  "SHALL NOT",
  "SHOULD NOT",
  "NOT RECOMMENDED",
  "MUST",
  "REQUIRED",
  "SHALL",
  "SHOULD",
  "RECOMMENDED",
  "MAY",
  "OPTIONAL",
] as const;
export type Bcp14Keyword = (typeof BCP14_KEYWORDS)[number];

/** A sentence that contains at least one BCP 14 key word and ends with an id. */
export interface Requirement {
  readonly id: string;
  readonly keywords: readonly Bcp14Keyword[];
  /** The sentence without its id tag, whitespace collapsed. */
  readonly text: string;
  readonly line: number;
  /** Title of the innermost heading above the sentence ("Abstract" in the abstract). */
  readonly section: string;
}

/** A sentence found in prose, with or without key words and tags. */
export interface Sentence {
  readonly text: string;
  readonly line: number;
  readonly section: string;
  readonly keywords: readonly Bcp14Keyword[];
  /** Ids in the sentence's tag(s), e.g. `["SP-TCP-3"]`. */
  readonly ids: readonly string[];
}

/** One row of a machine table. */
export interface MachineRow {
  readonly line: number;
  readonly state: string;
  /** An event name, `entry`, `always` or `after:NAME`. */
  readonly event: string;
  /** Guard as written (`name` or `!name`), or null. */
  readonly guard: string | null;
  readonly actions: readonly string[];
  readonly next: string | null;
  readonly requirements: readonly string[];
}

/** A machine table (`{: #machine-<id>}`). */
export interface MachineTable {
  readonly id: string;
  readonly title: string | null;
  /** Line of the table's header row. */
  readonly line: number;
  readonly rows: readonly MachineRow[];
}

/** A row of the `{: #protocol-numbers}` table. */
export interface ProtocolEntry {
  readonly key: string;
  readonly number: number;
  readonly peer: number;
  readonly name: string;
  readonly peerName: string;
  readonly line: number;
}

/** A row of the `{: #defaults}` table. */
export interface DefaultEntry {
  readonly name: string;
  readonly value: number;
  readonly requirements: readonly string[];
  readonly line: number;
}

/** A row of the `{: #wire-constants}` table (a byte string). */
export interface WireConstant {
  readonly name: string;
  readonly bytes: readonly number[];
  readonly requirements: readonly string[];
  readonly line: number;
}

/** A fenced block (figure or example). */
export interface Figure {
  readonly line: number;
  readonly lines: readonly { readonly line: number; readonly text: string }[];
}

/** A requirement id cited somewhere other than its defining sentence. */
export interface Citation {
  readonly id: string;
  readonly line: number;
  readonly where: string;
}

/** Everything the reader extracts from one draft. */
export interface Draft {
  /** Path as given to the reader. */
  readonly file: string;
  readonly frontMatter: Record<string, unknown> | null;
  /** `docname` without its version suffix, e.g. `draft-sp-reqrep`. */
  readonly name: string;
  /** Requirement id prefix derived from the docname, e.g. `SP-REQREP`. */
  readonly prefix: string;
  readonly sections: readonly Section[];
  readonly sentences: readonly Sentence[];
  readonly requirements: readonly Requirement[];
  readonly machines: readonly MachineTable[];
  readonly protocols: readonly ProtocolEntry[];
  readonly defaults: readonly DefaultEntry[];
  readonly wireConstants: readonly WireConstant[];
  readonly figures: readonly Figure[];
  readonly citations: readonly Citation[];
  /** Ids listed in `<!-- retired-ids: ... -->` comments. */
  readonly retired: readonly string[];
  /** Lines of the implementation-status markers. */
  readonly statusMarkers: { readonly begin: number[]; readonly end: number[] };
  /** Key words found in cells of tables (requirements belong in prose). */
  readonly keywordCells: readonly { readonly line: number; readonly keyword: string }[];
  /** Structural problems (bad tables, YAML errors). */
  readonly issues: readonly Diagnostic[];
}
