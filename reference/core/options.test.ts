import { describe, expect, it } from "vitest";
import {
  coreOptions,
  maxTtlOption,
  type OptionRows,
  OptionSet,
  resolveOptions,
  validateOption,
} from "./options.ts";

const code = (c: string) => expect.objectContaining({ code: c });

const rows = {
  maxTtl: maxTtlOption,
  topic: { type: "bytes", nngName: "x:topic", doc: "a byte-valued row" },
  mode: {
    type: "number",
    nngName: "x:mode",
    default: 1,
    min: 0,
    max: 1,
    readOnly: true,
    doc: "a read-only row",
  },
} as const satisfies OptionRows;

describe("an option set", () => {
  const set = new OptionSet("demo", rows, new Set(["req:resend-time", "resendTime"]));

  it("lists the generic rows, then the protocol's own", () => {
    expect(set.specs.map((s) => s.name)).toEqual([
      ...Object.keys(coreOptions),
      "maxTtl",
      "topic",
      "mode",
    ]);
    expect(set.specs.filter((s) => s.generic)).toHaveLength(Object.keys(coreOptions).length);
  });

  it("finds a row by our name or nng's", () => {
    expect(set.find("ttl-max").name).toBe("maxTtl");
    expect(set.find("recv-size-max").name).toBe("recvMaxSize");
    expect(set.has("x:topic")).toBe(true);
    expect(set.has("resendTime")).toBe(false);
  });

  it("answers ENOTSUP for another protocol's option and EINVAL for an unknown one", () => {
    expect(() => set.find("req:resend-time")).toThrow(code("ENOTSUP"));
    expect(() => set.find("bogus")).toThrow(code("EINVAL"));
    expect(() => set.findReadable("topic")).toThrow(code("ENOTSUP"));
  });

  it("resolves defaults and checked overrides", () => {
    const o = set.resolve({ "ttl-max": 3, recvTimeout: 10 });
    expect(o).toMatchObject({ maxTtl: 3, recvTimeout: 10, mode: 1, recvMaxSize: 1048576 });
    expect(o).not.toHaveProperty("topic");
    expect(() => set.resolve({ maxTtl: 0 })).toThrow(code("EINVAL"));
    expect(() => set.resolve({ maxTtl: 256 })).toThrow(code("EINVAL"));
    expect(() => set.resolve({ topic: 1 })).toThrow(code("EINVAL"));
    expect(() => set.resolve({ mode: 0 })).toThrow(code("ENOTSUP"));
    expect(set.resolve({ mode: 1 }).mode).toBe(1);
  });
});

describe("option values", () => {
  it("are integers in the row's range", () => {
    expect(validateOption(maxTtlOption, 15)).toBe(15);
    expect(() => validateOption(maxTtlOption, 2.5)).toThrow(code("EINVAL"));
    expect(() => validateOption(maxTtlOption, "3")).toThrow(code("EINVAL"));
  });

  it("of the generic set alone come from resolveOptions", () => {
    expect(resolveOptions({ linger: 5 })).toMatchObject({ linger: 5, tcpNoDelay: 1 });
  });
});
