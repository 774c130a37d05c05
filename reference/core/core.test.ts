import { describe, expect, it } from "vitest";
import { SPError } from "./errors.ts";
import { lookupOption, optionTable, resolveOptions } from "./options.ts";
import { RingQueue } from "./queue.ts";
import { formatUrl, parseUrl } from "./url.ts";

describe("ring queue", () => {
  it("keeps FIFO order while wrapping and growing", () => {
    const q = new RingQueue<number>();
    const seen: number[] = [];
    for (let i = 0; i < 100; i++) {
      q.push(i);
      if (i % 3 === 0) seen.push(q.shift() as number);
    }
    while (!q.isEmpty()) seen.push(q.shift() as number);
    expect(seen).toEqual([...Array(100).keys()]);
  });

  it("refuses pushes beyond its capacity", () => {
    const q = new RingQueue<string>(2);
    expect([q.push("a"), q.push("b"), q.push("c")]).toEqual([true, true, false]);
    expect(q.drain()).toEqual(["a", "b"]);
  });
});

describe("options", () => {
  it("defaults follow the drafts and nng names map to ours", () => {
    const o = resolveOptions();
    expect(o).toMatchObject({
      recvMaxSize: 1048576,
      maxTtl: 8,
      resendTime: 60000,
      reconnectMin: 100,
    });
    expect(lookupOption("req:resend-time").name).toBe("resendTime");
    expect(optionTable.map((s) => s.nngName)).toContain("ttl-max");
  });

  it.each([
    [{ maxTtl: 0 }],
    [{ maxTtl: 256 }],
    [{ tcpNoDelay: 2 }],
    [{ recvTimeout: -2 }],
    [{ resendTime: 1.5 }],
    [{ bogus: 1 }],
  ])("rejects %j with EINVAL", (bad) => {
    expect(() => resolveOptions(bad as never)).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });
});

describe("urls", () => {
  it("parses IPv4, bracketed IPv6, names and wildcards", () => {
    expect(parseUrl("tcp://127.0.0.1:5555", false)).toMatchObject({
      host: "127.0.0.1",
      port: 5555,
    });
    expect(parseUrl("tcp://[::1]:80", false)).toMatchObject({ host: "::1", port: 80 });
    expect(parseUrl("tcp://example.org:1", false)).toMatchObject({ host: "example.org" });
    expect(parseUrl("tcp://*:0", true)).toMatchObject({ host: "", port: 0 });
    expect(formatUrl("tcp", "::1", 9)).toBe("tcp://[::1]:9");
  });

  it.each([
    ["tcp://127.0.0.1", false],
    ["tcp://127.0.0.1:0", false],
    ["tcp://:5", false],
    ["tcp://::1:5", false],
    ["tcp://[::1:5", false],
    ["tcp://h:99999", true],
    ["tcp://h:5/path", true],
    ["127.0.0.1:5", true],
  ])("rejects %s with EADDRINVAL", (text, forListen) => {
    expect(() => parseUrl(text, forListen)).toThrow(SPError);
    expect(() => parseUrl(text, forListen)).toThrow(
      expect.objectContaining({ code: "EADDRINVAL" }),
    );
  });
});
