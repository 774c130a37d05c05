import { describe, expect, it } from "vitest";
import { globMatch, parseArgs } from "./args.ts";

describe("bench arguments", () => {
  it("defaults to five runs, no filter, no JSON", () => {
    expect(parseArgs([])).toEqual({
      json: undefined,
      quick: false,
      filter: undefined,
      runs: 5,
      help: false,
    });
  });

  it("--quick means one run unless --runs says otherwise", () => {
    expect(parseArgs(["--quick"]).runs).toBe(1);
    expect(parseArgs(["--quick", "--runs", "3"]).runs).toBe(3);
  });

  it("reads --json, --filter and --runs, also in --flag=value form", () => {
    const a = parseArgs(["--json", "out.json", "--filter=pushpull-*", "--runs=7"]);
    expect(a).toMatchObject({ json: "out.json", filter: "pushpull-*", runs: 7 });
  });

  it("rejects unknown flags, missing values and bad run counts", () => {
    expect(() => parseArgs(["--fast"])).toThrow(/unknown argument --fast/);
    expect(() => parseArgs(["--json"])).toThrow(/--json needs a value/);
    expect(() => parseArgs(["--runs", "0"])).toThrow(/positive integer/);
    expect(() => parseArgs(["--runs", "2.5"])).toThrow(/positive integer/);
  });

  it("glob matches whole scenario names with * and ?", () => {
    expect(globMatch("pushpull-*", "pushpull-tcp-64")).toBe(true);
    expect(globMatch("pushpull-tcp-6?", "pushpull-tcp-64")).toBe(true);
    expect(globMatch("tcp", "pushpull-tcp-64")).toBe(false);
    expect(globMatch("subs-random16", "subs-random16")).toBe(true);
    expect(globMatch(undefined, "anything")).toBe(true);
  });

  it("glob treats regular-expression characters literally", () => {
    expect(globMatch("a.b", "axb")).toBe(false);
    expect(globMatch("a.b", "a.b")).toBe(true);
  });
});
