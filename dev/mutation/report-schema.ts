/**
 * The parts of a StrykerJS JSON report (mutation-testing-report-schema) that
 * the mutation tools read, and the replaced text of a mutant.
 */

/** One mutant as the JSON report holds it (the fields we use). */
export interface ReportMutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
  coveredBy?: string[];
  static?: boolean;
}

/** The parts of the JSON report we read. */
export interface MutationReport {
  files: Record<string, { source: string; mutants: ReportMutant[] }>;
}

/** The replaced text of a mutant, as the survivors list shows it. */
export function replacedText(lines: readonly string[], m: ReportMutant): string {
  const { start, end } = m.location;
  const first = lines[start.line - 1] ?? "";
  const text =
    start.line === end.line
      ? first.slice(start.column - 1, end.column - 1)
      : `${first.slice(start.column - 1)} …`;
  return text.trim();
}
