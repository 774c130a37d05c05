/** Naming helpers shared by the emitters. */

/** `tcp-pipe` → `TcpPipe`. */
export function pascalCase(id: string): string {
  return id
    .split(/[-_]/)
    .filter((p) => p !== "")
    .map((p) => (p[0] ?? "").toUpperCase() + p.slice(1))
    .join("");
}

/** `tcp-pipe` → `tcpPipe`. */
export function camelCase(id: string): string {
  const p = pascalCase(id);
  return (p[0] ?? "").toLowerCase() + p.slice(1);
}

/** JSON string literal (double quotes, as biome formats them). */
export const str = (s: string): string => JSON.stringify(s);

/** Unique values in order of first appearance. */
export function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}
