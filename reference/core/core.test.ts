import { describe, expect, it } from "vitest";
import { SPError } from "./errors.ts";
import { resolveOptions } from "./options.ts";
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
  it("generic defaults follow the drafts; protocol options are not generic", () => {
    const o = resolveOptions({ "recv-timeout": 5 } as never);
    expect(o).toMatchObject({ recvMaxSize: 1048576, reconnectMin: 100, recvTimeout: 5 });
    expect(o).not.toHaveProperty("resendTime");
    expect(o).not.toHaveProperty("maxTtl");
  });

  it.each([
    [{ tcpNoDelay: 2 }],
    [{ recvTimeout: -2 }],
    [{ reconnectMin: 1.5 }],
    [{ resendTime: 100 }],
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
