import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArgError, type OptionSpec, parseArgs, renderHelp } from "./args.ts";
import { optionTable } from "./options.ts";

type K = "listen" | "list" | "dial" | "ascii" | "count" | "verbose";
const table: OptionSpec<K>[] = [
  { name: "listen", key: "listen", value: "url", help: "listen" },
  { name: "list", key: "list", help: "exact name that prefixes another" },
  { name: "bind", key: "listen", value: "url" },
  { name: "dial", key: "dial", value: "url", help: "dial" },
  { name: "ascii", short: "A", key: "ascii", help: "ascii" },
  { name: "count", short: "C", key: "count", value: "n", help: "count" },
  { name: "verbose", short: "v", key: "verbose", help: "verbose" },
];

function keys(argv: string[]): [string, string | undefined][] {
  return parseArgs(argv, table).options.map((o) => [o.spec.key, o.value]);
}

function failure(argv: string[], t: readonly OptionSpec[] = table): ArgError {
  try {
    parseArgs(argv, t);
  } catch (e) {
    if (e instanceof ArgError) return e;
    throw e;
  }
  throw new Error(`parse of ${argv.join(" ")} did not fail`);
}

describe("parseArgs", () => {
  it("takes values as --opt=val, --opt:val and --opt val", () => {
    expect(keys(["--dial=tcp://a:1", "--dial:tcp://b:2", "--dial", "tcp://c:3"])).toEqual([
      ["dial", "tcp://a:1"],
      ["dial", "tcp://b:2"],
      ["dial", "tcp://c:3"],
    ]);
  });

  it("keeps everything after the first = or : in the value", () => {
    expect(keys(["--dial=tcp://127.0.0.1:5=x"])).toEqual([["dial", "tcp://127.0.0.1:5=x"]]);
    expect(keys(["--dial="])).toEqual([["dial", ""]]);
  });

  it("accepts unambiguous prefixes and prefers an exact name", () => {
    expect(keys(["--di", "u", "--asc", "--verb"])).toEqual([
      ["dial", "u"],
      ["ascii", undefined],
      ["verbose", undefined],
    ]);
    expect(keys(["--list"])).toEqual([["list", undefined]]);
    expect(keys(["--liste=u"])).toEqual([["listen", "u"]]);
  });

  it("reports an ambiguous prefix and names the candidates", () => {
    const e = failure(["--li", "x"]);
    expect(e.kind).toBe("ambiguous");
    expect(e.message).toContain("Option --li is ambiguous");
    expect(e.candidates).toEqual(["--listen", "--list"]);
  });

  it("treats a prefix shared only by aliases of one option as unambiguous", () => {
    const t: OptionSpec[] = [
      { name: "sub", key: "s" },
      { name: "sub0", key: "s" },
    ];
    expect(parseArgs(["--su"], t).options.map((o) => o.spec.name)).toEqual(["sub"]);
  });

  it("takes short values glued or separate", () => {
    expect(keys(["-C5", "-C", "6", "-A", "-v"])).toEqual([
      ["count", "5"],
      ["count", "6"],
      ["ascii", undefined],
      ["verbose", undefined],
    ]);
  });

  it("rejects unknown options, clustered flags and values given to flags", () => {
    for (const argv of [["--nope"], ["-Z"], ["-Av"], ["--ascii=1"], ["--verbose:x"]]) {
      const e = failure(argv);
      expect(e.kind).toBe("invalid");
      expect(e.message).toBe(`Option ${argv[0]} is invalid.`);
    }
  });

  it("rejects a missing value", () => {
    for (const argv of [["--dial"], ["-C"], ["--ascii", "--count"]]) {
      const e = failure(argv);
      expect(e.kind).toBe("noarg");
      expect(e.message).toBe(`Option ${argv[argv.length - 1]} requires argument.`);
    }
  });

  it("takes the next argument as the value even when it looks like an option", () => {
    expect(keys(["--dial", "--ascii"])).toEqual([["dial", "--ascii"]]);
  });

  it("stops at the first non-option and at - or --", () => {
    expect(parseArgs(["-A", "x", "-v"], table).rest).toEqual(["x", "-v"]);
    expect(parseArgs(["-A", "-", "-v"], table).rest).toEqual(["-v"]);
    expect(parseArgs(["--", "-v"], table)).toEqual({ options: [], rest: ["-v"] });
  });

  it("resolves every unique prefix of every spcat option to that option", () => {
    const unique = optionTable.flatMap((o) =>
      Array.from({ length: o.name.length }, (_, i) => o.name.slice(0, i + 1))
        .filter((p) => {
          const exact = optionTable.find((x) => x.name === p);
          if (exact !== undefined) return exact.key === o.key;
          return optionTable.filter((x) => x.name.startsWith(p)).every((x) => x.key === o.key);
        })
        .map((p) => ({ p, o })),
    );
    fc.assert(
      fc.property(fc.constantFrom(...unique), ({ p, o }) => {
        const argv = o.value === undefined ? [`--${p}`] : [`--${p}`, "v"];
        const [got] = parseArgs(argv, optionTable).options;
        expect(got?.spec.key).toBe(o.key);
      }),
    );
  });

  it("keeps nngcat's ambiguities (e.g. --re, --pu) and aliases (--req, --rep, --sub)", () => {
    expect(failure(["--re"], optionTable).kind).toBe("ambiguous");
    expect(failure(["--pu"], optionTable).candidates).toEqual(["--push0", "--pull0", "--pub0"]);
    const keysOf = (a: string[]) => parseArgs(a, optionTable).options.map((o) => o.spec.key);
    expect(keysOf(["--req", "--rep", "--sub", "--list=u", "--connect=u", "--bind", "u"])).toEqual([
      "req0",
      "rep0",
      "sub0",
      "listen",
      "dial",
      "listen",
    ]);
  });
});

describe("renderHelp", () => {
  it("lists main rows with their aliases, short forms and value names", () => {
    const lines = renderHelp(table).join("\n");
    expect(lines).toContain("--listen, --bind <url>");
    expect(lines).toContain("--count, -C <n>");
    expect(lines).not.toMatch(/^\s+--bind/m);
  });
});
