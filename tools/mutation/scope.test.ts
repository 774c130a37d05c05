/** The mutation scope: files per protocol and the cases each scope runs. */

import { existsSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { allCases } from "../../conformance/cases/index.ts";
import {
  ALL_PROTOCOLS,
  casesFor,
  DEFAULT_PROTOCOLS,
  filesFor,
  isTransportCase,
  parseProtocols,
} from "./scope.ts";

describe("mutation scope", () => {
  test("every listed file exists and no test or raw variant is mutated", () => {
    for (const f of filesFor(ALL_PROTOCOLS)) {
      expect(existsSync(f), f).toBe(true);
      expect(f).not.toMatch(/\.test\.ts$|\/x[a-z]+\.ts$|\/raw\//);
    }
  });

  test("shared helpers are listed once", () => {
    const files = filesFor(["pair1", "bus0"]);
    expect(files.filter((f) => f.endsWith("pair0/inbox.ts"))).toHaveLength(1);
  });

  test("the default scope runs protocol cases of its protocols, not transport ones", () => {
    const cases = casesFor(allCases, DEFAULT_PROTOCOLS);
    expect(cases.length).toBeGreaterThan(30);
    expect(cases.some(isTransportCase)).toBe(false);
    expect(cases.some((c) => c.id.startsWith("survey/"))).toBe(false);
    const withTransport = casesFor(allCases, DEFAULT_PROTOCOLS, true);
    expect(withTransport.some(isTransportCase)).toBe(true);
  });

  test("parseProtocols: empty is the default, all is everything, unknown names fail", () => {
    expect(parseProtocols(undefined)).toEqual(DEFAULT_PROTOCOLS);
    expect(parseProtocols("all")).toEqual(ALL_PROTOCOLS);
    expect(parseProtocols("req0, rep0")).toEqual(["req0", "rep0"]);
    expect(() => parseProtocols("req9")).toThrow(/unknown protocol/);
  });
});
