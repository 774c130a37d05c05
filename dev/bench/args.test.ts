import { describe, expect, it } from "vitest";
import { globMatch, parseArgs } from "./args.ts";
import { scenarios } from "./scenarios.ts";

describe("bench arguments", () => {
  it("defaults to the scenarios' own run counts, every implementation, no filter, no JSON", () => {
    expect(parseArgs([])).toEqual({
      json: undefined,
      quick: false,
      filter: undefined,
      runs: undefined,
      impl: undefined,
      help: false,
    });
  });

  it("--runs overrides the run count, also with --quick", () => {
    expect(parseArgs(["--quick"]).runs).toBeUndefined();
    expect(parseArgs(["--quick", "--runs", "3"]).runs).toBe(3);
  });

  it("--impl takes a comma-separated list of implementations", () => {
    expect(parseArgs(["--impl", "reference, nanomsg,raw"]).impl).toEqual([
      "reference",
      "nanomsg",
      "raw",
    ]);
    expect(() => parseArgs(["--impl", ","])).toThrow(/at least one/);
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

  it("the flow-control filters select their scenarios and nothing else", () => {
    const pick = (glob: string) =>
      scenarios.filter((s) => globMatch(glob, s.name)).map((s) => s.name);
    expect(pick("pipeline-slow-worker*")).toEqual([
      "pipeline-slow-worker-tcp",
      "pipeline-slow-worker-ipc",
    ]);
    expect(pick("pull-noread-rss*")).toEqual(["pull-noread-rss"]);
    expect(pick("pubsub-fanout-*")).toEqual(["pubsub-fanout-tcp-64"]);
  });
});
