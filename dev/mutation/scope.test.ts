/** The mutation scope: files per protocol and the cases each scope runs. */

import { existsSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { InProcessReferenceIut } from "../../conformance/adapters/reference/inprocess.ts";
import { allCases } from "../../conformance/cases/index.ts";
import { missingCapabilities } from "../../conformance/runner/execute.ts";
import {
  ALL_PROTOCOLS,
  casesFor,
  DEFAULT_PROTOCOLS,
  filesFor,
  isTransportCase,
  parseProtocols,
} from "./scope.ts";

describe("mutation scope", () => {
  test("every listed file exists and no test is mutated", () => {
    for (const f of filesFor(ALL_PROTOCOLS)) {
      expect(existsSync(f), f).toBe(true);
      expect(f).not.toMatch(/\.test\.ts$/);
    }
  });

  test("raw variants and their helpers come with the protocol unless raw is off", () => {
    const files = filesFor(["req0", "pair1"]);
    expect(files).toEqual(
      expect.arrayContaining([
        "reference/protocol/req0/xreq.ts",
        "reference/protocol/raw/backtrace-raw.ts",
        "reference/protocol/pair1/xpair.ts",
        "reference/protocol/raw/raw-pair.ts",
      ]),
    );
    // The base of every raw socket is left out, as reference/core/ is.
    expect(files).not.toContain("reference/protocol/raw/raw-socket.ts");
    const cooked = filesFor(["req0", "pair1"], false);
    for (const f of cooked) expect(f).not.toMatch(/\/x[a-z]+\.ts$|\/raw\//);
  });

  test("shared helpers are listed once", () => {
    const files = filesFor(["pair1", "bus0"]);
    expect(files.filter((f) => f.endsWith("pair0/pipe-ready.ts"))).toHaveLength(1);
  });

  test("the default scope runs protocol cases of its protocols, not transport ones", () => {
    const cases = casesFor(allCases, DEFAULT_PROTOCOLS);
    expect(cases.length).toBeGreaterThan(30);
    expect(cases.some(isTransportCase)).toBe(false);
    expect(cases.some((c) => c.id.startsWith("survey/"))).toBe(false);
    const withTransport = casesFor(allCases, DEFAULT_PROTOCOLS, true);
    expect(withTransport.some(isTransportCase)).toBe(true);
  });

  test("cases needing optional features run: the in-process IUT declares them all", () => {
    const iut = new InProcessReferenceIut();
    const cases = casesFor(allCases, DEFAULT_PROTOCOLS);
    const withFeatures = cases.filter((c) => (c.needs.features ?? []).length > 0);
    expect(withFeatures.length).toBeGreaterThan(5);
    for (const c of withFeatures) expect(missingCapabilities(c, iut), c.id).toEqual([]);
  });

  test("parseProtocols: empty is the default, all is everything, unknown names fail", () => {
    expect(parseProtocols(undefined)).toEqual(DEFAULT_PROTOCOLS);
    expect(parseProtocols("all")).toEqual(ALL_PROTOCOLS);
    expect(parseProtocols("req0, rep0")).toEqual(["req0", "rep0"]);
    expect(() => parseProtocols("req9")).toThrow(/unknown protocol/);
  });
});
