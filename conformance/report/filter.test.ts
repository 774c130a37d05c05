import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import {
  filterScript,
  globToRegExp,
  matchFilter,
  parseFilter,
  type RowFacts,
  selectedVerdicts,
  toggleVerdict,
  tokenizeFilter,
} from "./filter.ts";

const rows: RowFacts[] = [
  {
    id: "reqrep/rep-backtrace-unchanged",
    title: "REP returns the backtrace unchanged",
    kind: "example",
    requirements: ["SP-REQREP-13", "SP-TCP-1"],
    results: [
      { iut: "nng", verdict: "pass" },
      { iut: "nanomsg", verdict: "fail", expected: true },
    ],
  },
  {
    id: "reqrep/req-resend",
    title: "REQ resends after the timeout",
    kind: "property",
    requirements: ["SP-REQREP-1"],
    results: [
      { iut: "nng", verdict: "fail", unexpected: true },
      { iut: "nanomsg", verdict: "warn" },
    ],
  },
  {
    id: "pair/pair1-poly",
    title: "PAIR v1 polyamorous mode",
    kind: "example",
    requirements: ["SP-PAIR-4"],
    results: [
      { iut: "nng", verdict: "pass" },
      { iut: "nanomsg", verdict: "unsupported" },
    ],
  },
  {
    id: "tcp/deep/nested-case",
    title: "a case two segments deep",
    kind: "malformed",
    requirements: ["SP-TCP-13"],
    results: [{ iut: "nng", verdict: "flaky", unexpected: true }],
  },
];

/** Ids of the rows that pass the filter text. */
const ids = (text: string) =>
  rows.filter((r) => matchFilter(parseFilter(text), r)).map((r) => r.id);

describe("filter words", () => {
  it("splits on spaces, keeping quoted phrases together", () => {
    expect(tokenizeFilter('  verdict:fail  "two words"  x ')).toEqual([
      "verdict:fail",
      '"two words"',
      "x",
    ]);
  });

  it("parses keys and aliases, and reports words it cannot use", () => {
    const f = parseFilter("v:FAIL,warn req:SP-X-1 f:reqrep verdict:fial iut: kind:property");
    expect(f.terms.map((t) => [t.key, t.values])).toEqual([
      ["verdict", ["fail", "warn"]],
      ["req", ["sp-x-1"]],
      ["family", ["reqrep"]],
      ["kind", ["property"]],
    ]);
    expect(f.errors).toHaveLength(2);
    expect(f.errors[0]).toContain("unknown verdict fial");
    expect(f.errors[1]).toContain("needs a value");
  });

  it("an empty filter shows everything", () => {
    expect(ids("")).toHaveLength(rows.length);
    expect(ids("   ")).toHaveLength(rows.length);
  });
});

describe("matching rows", () => {
  it("verdict: any result with that verdict; commas are alternatives", () => {
    expect(ids("verdict:fail")).toEqual(["reqrep/rep-backtrace-unchanged", "reqrep/req-resend"]);
    expect(ids("verdict:unsupported,flaky")).toEqual(["pair/pair1-poly", "tcp/deep/nested-case"]);
  });

  it("expected and unexpected are verdict values too", () => {
    expect(ids("verdict:expected")).toEqual(["reqrep/rep-backtrace-unchanged"]);
    expect(ids("verdict:unexpected")).toEqual(["reqrep/req-resend", "tcp/deep/nested-case"]);
  });

  it("verdict and iut words hold for one and the same result", () => {
    expect(ids("iut:nng verdict:fail")).toEqual(["reqrep/req-resend"]);
    expect(ids("iut:nanomsg verdict:fail")).toEqual(["reqrep/rep-backtrace-unchanged"]);
    expect(ids("verdict:fail verdict:expected")).toEqual(["reqrep/rep-backtrace-unchanged"]);
  });

  it("a requirement id matches exactly, not as a prefix of a longer number", () => {
    expect(ids("SP-REQREP-1")).toEqual(["reqrep/req-resend"]);
    expect(ids("sp-reqrep-13")).toEqual(["reqrep/rep-backtrace-unchanged"]);
    expect(ids("SP-TCP-1")).toEqual(["reqrep/rep-backtrace-unchanged"]);
    expect(ids("req:SP-TCP-13")).toEqual(["tcp/deep/nested-case"]);
  });

  it("requirement globs and families", () => {
    expect(ids("SP-REQREP-*")).toEqual(["reqrep/rep-backtrace-unchanged", "reqrep/req-resend"]);
    expect(ids("SP-REQREP")).toEqual(ids("SP-REQREP-*"));
    expect(ids("SP-TCP-1*")).toEqual(["reqrep/rep-backtrace-unchanged", "tcp/deep/nested-case"]);
    expect(ids("req:SP-PAIR-4,SP-TCP-13")).toEqual(["pair/pair1-poly", "tcp/deep/nested-case"]);
  });

  it("family: and id globs, with * inside a segment and ** across", () => {
    expect(ids("family:reqrep")).toEqual(["reqrep/rep-backtrace-unchanged", "reqrep/req-resend"]);
    expect(ids("reqrep/*")).toEqual(ids("family:reqrep"));
    expect(ids("tcp/*")).toEqual([]);
    expect(ids("tcp/**")).toEqual(["tcp/deep/nested-case"]);
    expect(ids("*/req-???end")).toEqual(["reqrep/req-resend"]);
    expect(ids("id:backtrace")).toEqual(["reqrep/rep-backtrace-unchanged"]);
  });

  it("free words search id and title, all of them must match", () => {
    expect(ids("backtrace")).toEqual(["reqrep/rep-backtrace-unchanged"]);
    expect(ids("polyamorous")).toEqual(["pair/pair1-poly"]);
    expect(ids("REQ timeout")).toEqual(["reqrep/req-resend"]);
    expect(ids('"two segments"')).toEqual(["tcp/deep/nested-case"]);
    expect(ids("reqrep polyamorous")).toEqual([]);
  });

  it("words combine with AND; - negates", () => {
    expect(ids("family:reqrep verdict:warn")).toEqual(["reqrep/req-resend"]);
    expect(ids("-family:reqrep")).toEqual(["pair/pair1-poly", "tcp/deep/nested-case"]);
    expect(ids("-verdict:pass")).toEqual([
      "reqrep/rep-backtrace-unchanged",
      "reqrep/req-resend",
      "pair/pair1-poly",
      "tcp/deep/nested-case",
    ]);
    expect(ids("iut:nng -verdict:pass")).toEqual(["reqrep/req-resend", "tcp/deep/nested-case"]);
    expect(ids("!SP-REQREP-*")).toEqual(["pair/pair1-poly", "tcp/deep/nested-case"]);
    expect(ids("kind:property")).toEqual(["reqrep/req-resend"]);
  });

  it("globs escape the other regular-expression characters", () => {
    expect(globToRegExp("a.b(c)*", true).test("a.b(c)x")).toBe(true);
    expect(globToRegExp("a.b*", true).test("axb")).toBe(false);
    expect(globToRegExp("a*", true).test("a/b")).toBe(false);
    expect(globToRegExp("a*", false).test("a/b")).toBe(true);
  });
});

describe("verdict chips", () => {
  it("toggle the first verdict word and keep the other words as typed", () => {
    expect(toggleVerdict("", "fail")).toBe("verdict:fail");
    expect(toggleVerdict("reqrep/* verdict:fail", "warn")).toBe("reqrep/* verdict:fail,warn");
    expect(toggleVerdict('"a b" v:fail,warn', "fail")).toBe('"a b" verdict:warn');
    expect(toggleVerdict("verdict:fail x", "fail")).toBe("x");
    expect(toggleVerdict("-verdict:pass", "fail")).toBe("-verdict:pass verdict:fail");
  });

  it("show as pressed the values of that word", () => {
    expect(selectedVerdicts("x verdict:fail,expected")).toEqual(["fail", "expected"]);
    expect(selectedVerdicts("-verdict:pass")).toEqual([]);
    expect(selectedVerdicts("is:warn verdict:fail")).toEqual(["warn"]);
  });
});

describe("the page's copy of the filter", () => {
  type Api = {
    parse(text: string): unknown;
    match(filter: unknown, row: RowFacts): boolean;
    toggle(text: string, verdict: string): string;
    selected(text: string): string[];
  };
  const api = runInNewContext(`${filterScript("SPFilter")};SPFilter`, {}) as Api;

  it("runs on its own, with nothing from this module in scope", () => {
    expect(typeof api.parse).toBe("function");
    expect(typeof api.match).toBe("function");
  });

  it("gives the same answers as the module", () => {
    const queries = [
      "",
      "verdict:fail",
      "iut:nng verdict:fail",
      "SP-REQREP",
      "SP-REQREP-1",
      "reqrep/*",
      "tcp/**",
      "-verdict:pass backtrace",
      '"two segments"',
      "verdict:expected,unexpected",
    ];
    for (const q of queries) {
      const page = rows.filter((r) => api.match(api.parse(q), r)).map((r) => r.id);
      expect(page, q).toEqual(ids(q));
    }
    expect(api.toggle("x", "warn")).toBe("x verdict:warn");
    expect(api.selected("verdict:warn")).toEqual(["warn"]);
  });

  it("survives esbuild's keepNames helper (as under tsx)", () => {
    // tsx wraps inner functions in __name(fn, "name"); the page defines a no-op.
    const src = filterScript("SPFilter").replace(
      "return {",
      "const probe=__name(()=>1,'probe');probe();return {",
    );
    const wrapped = runInNewContext(`${src};SPFilter`, {}) as Api;
    expect(wrapped.selected("v:fail")).toEqual(["fail"]);
  });
});
