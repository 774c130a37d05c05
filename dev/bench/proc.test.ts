import { describe, expect, it } from "vitest";
import { startDriver } from "./proc.ts";

describe("bench child processes", () => {
  it("take consumes answer lines one by one; latest sees the last progress line", async () => {
    const d = startDriver([
      "sh",
      "-c",
      "echo 'progress 1'; echo 'rss {\"a\":1}'; echo 'progress 2'; echo 'rss {\"a\":2}'; read x",
    ]);
    try {
      expect(await d.take("rss", 5000)).toBe('{"a":1}');
      expect(await d.take("rss", 5000)).toBe('{"a":2}');
      expect(d.latest("progress")).toBe("2");
      expect(d.latest("nothing")).toBeUndefined();
      expect(d.exitCode).toBeUndefined();
      await expect(d.take("rss", 100)).rejects.toThrow(/no "rss" within 100 ms/);
    } finally {
      await d.stop(50);
    }
    expect(d.exitCode).not.toBeUndefined();
  });
});
