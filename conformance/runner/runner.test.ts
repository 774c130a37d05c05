import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../adapters/build.ts";
import { catName, parseHexLine } from "../adapters/cat/cat.ts";
import { AdapterClient } from "../adapters/client.ts";
import type { ConformanceCase } from "../cases/types.ts";
import { decodeTranscript } from "../report/decode.ts";
import { renderHtml } from "../report/html.ts";
import { type SchemaNode, validate } from "../schema/validate.ts";
import type { CaseOutcome } from "./execute.ts";
import { executeCase } from "./execute.ts";
import { aggregate } from "./matrix.ts";
import { mergeResults } from "./merge.ts";
import { type CaseRow, type Results, summarize, writeReports } from "./report.ts";
import { fnv1a, inShard, parseShard } from "./shard.ts";

const schema = JSON.parse(
  readFileSync(join(projectRoot, "conformance", "schema", "results-1.json"), "utf8"),
) as SchemaNode;

const outcome = (
  verdict: CaseOutcome["verdict"],
  extra: Partial<CaseOutcome> = {},
): CaseOutcome => ({
  verdict,
  notes: [],
  durationMs: 5,
  died: false,
  ...extra,
});

function sample(): Results {
  const cases: CaseRow[] = [
    {
      id: "reqrep/a-case",
      title: "A <b>title</b> & more",
      requirements: ["SP-TCP-1"],
      kind: "example",
      covers: ["req:idle:send"],
      results: {
        one: { verdict: "pass", expected: "pass", durationMs: 3 },
        two: {
          verdict: "fail",
          expected: "pass",
          durationMs: 4,
          reason: "<script>alert(1)</script>",
          transcript: "x",
          events: [
            { t: 0.5, who: "peer1", dir: ">>", text: "00 53 50 00 00 30 00 00" },
            { t: 1, who: "peer1", dir: ">>", text: "00 00 00 00 00 00 00 02 61 62" },
            { t: 2, who: "iut", dir: "--", text: '→ {"id":3,"op":"recv"}' },
          ],
          stderr: "boom",
        },
      },
    },
    {
      id: "survey/b-case",
      title: "B",
      requirements: ["SP-SURVEY-1"],
      kind: "malformed",
      results: {
        one: { verdict: "warn", expected: "warn", durationMs: 1, reason: "SHOULD" },
        two: { verdict: "pass", expected: "fail", durationMs: 1 },
      },
    },
  ];
  return {
    schemaVersion: 1,
    iuts: [
      { name: "one", version: "1" },
      { name: "two", version: "2" },
    ],
    seed: 7,
    cases,
    coverage: {
      requirements: { total: 3, mustTotal: 2, mustCovered: 1, uncovered: ["SP-X-1"] },
      machines: { req: { transitions: 4, covered: 1, uncovered: ["req:idle:recv"] } },
    },
    durationMs: 12,
    run: { jobs: 2, repeat: 1, shard: { index: 1, count: 2 }, seeds: [7] },
    summary: summarize(cases),
  };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("results.json", () => {
  it("a written report validates against schema/results-1.json", () => {
    const dir = mkdtempSync(join(tmpdir(), "sp-report-"));
    dirs.push(dir);
    writeReports(dir, sample());
    const doc = JSON.parse(readFileSync(join(dir, "results.json"), "utf8"));
    expect(validate(schema, doc)).toEqual([]);
    expect(readFileSync(join(dir, "junit.xml"), "utf8")).toContain('type="unexpected-pass"');
  });

  it("the schema check catches a wrong verdict and a missing field", () => {
    const doc = JSON.parse(JSON.stringify(sample()));
    doc.cases[0].results.one.verdict = "great";
    delete doc.seed;
    const errors = validate(schema, doc);
    expect(errors.some((e) => e.includes("$.cases[0].results.one.verdict"))).toBe(true);
    expect(errors).toContain("$: missing seed");
  });

  it("the summary counts unexpected fails and unexpected passes as failed", () => {
    const s = summarize(sample().cases);
    expect(s).toMatchObject({ passed: 1, failed: 2, unexpectedFail: 1, unexpectedPass: 1 });
  });
});

describe("shards", () => {
  it("every case lands in exactly one shard, the same one each time", () => {
    const ids = Array.from({ length: 40 }, (_, i) => `fam/case-${i}`);
    for (const id of ids) {
      const hits = [1, 2, 3].filter((index) => inShard(id, { index, count: 3 }));
      expect(hits).toHaveLength(1);
    }
    expect(fnv1a("reqrep/x")).toBe(fnv1a("reqrep/x"));
    expect(() => parseShard("3/2")).toThrow(/1 ≤ i ≤ n/);
  });
});

describe("merge", () => {
  it("joins the cases and IUTs of several runs and recomputes the totals", async () => {
    const a = sample();
    const b: Results = {
      ...sample(),
      iuts: [{ name: "three", version: "3" }],
      seed: 9,
      run: { jobs: 1, repeat: 1, seeds: [9] },
      cases: [
        {
          id: "reqrep/a-case",
          title: "A",
          requirements: ["SP-TCP-1"],
          kind: "example",
          results: { three: { verdict: "pass", expected: "pass", durationMs: 1 } },
        },
      ],
    };
    const { results } = await mergeResults([a, b], ["a", "b"]);
    expect(results.iuts.map((i) => i.name)).toEqual(["one", "two", "three"]);
    expect(Object.keys(results.cases[0]?.results ?? {})).toEqual(["one", "two", "three"]);
    expect(results.run?.seeds).toEqual([7, 9]);
    expect(results.summary?.passed).toBe(2);
    expect(validate(schema, results)).toEqual([]);
  });
});

describe("flaky detection", () => {
  it("a failure that passes when re-run alone is flaky", () => {
    const r = aggregate([[outcome("fail", { reason: "late" }), outcome("pass")]], "pass");
    expect(r.verdict).toBe("flaky");
    expect(r.runs).toEqual(["fail", "pass"]);
    expect(r.reason).toContain("late");
  });

  it("a failure that fails again stays a failure", () => {
    expect(aggregate([[outcome("fail"), outcome("fail")]], "pass").verdict).toBe("fail");
  });

  it("a verdict that changes between repeats is flaky", () => {
    expect(aggregate([[outcome("pass")], [outcome("warn")]], "pass").verdict).toBe("flaky");
    expect(aggregate([[outcome("warn")], [outcome("warn")]], "warn").verdict).toBe("warn");
  });
});

describe("HTML report", () => {
  const html = renderHtml(sample());

  it("is self-contained: inline style and script, no external assets", () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("<style>");
    expect(html).toContain("<script>");
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
  });

  it("has a matrix row per case and a coloured cell per IUT", () => {
    expect(html.match(/<tr data-search=/g)).toHaveLength(2);
    expect(html).toMatch(/<th>one<\/th><th>two<\/th>/);
    expect(html).toMatch(/<td class="v fail unexpected" data-d="d-0-1"/);
    expect(html).toMatch(/<td class="v warn" data-d="d-1-0"[^>]*>warn \(expected\)</);
    expect(html).toContain(
      'data-search="reqrep/a-case a &lt;b&gt;title&lt;/b&gt; &amp; more sp-tcp-1 pass fail"',
    );
    expect(html).toContain('id="filter"');
  });

  it("escapes every text and decodes frames in the transcript", () => {
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    const detail = /<template id="d-0-1">([\s\S]*?)<\/template>/.exec(html)?.[1] ?? "";
    expect(detail).toContain("SP header protocol 0x30 (req0)");
    expect(detail).toContain("frame 2 bytes: 61 62");
    expect(detail).toContain("+0.5ms");
    expect(detail).toContain("→ {&quot;id&quot;:3,&quot;op&quot;:&quot;recv&quot;}");
    expect(detail).toContain("<h4>IUT stderr</h4><pre>boom</pre>");
  });

  it("shows totals, requirement coverage and per-machine coverage", () => {
    expect(html).toContain("<b>2</b> failed");
    expect(html).toContain("1/2 MUST covered (50%)");
    expect(html).toMatch(/<tr><td>req<\/td><td>.*1\/4 \(25%\)/);
  });
});

describe("cat mode helpers", () => {
  it("reads --hex lines and names the tool", () => {
    expect(Array.from(parseHexLine('"\\x61\\x00"') ?? [])).toEqual([0x61, 0]);
    expect(parseHexLine('""')?.length).toBe(0);
    expect(parseHexLine("hello")).toBeNull();
    expect(catName("npm run -s spcat --")).toBe("cat-spcat");
    expect(catName("/usr/bin/nngcat")).toBe("cat-nngcat");
  });
});

describe("an IUT that dies", () => {
  /** The hello line of a stand-in adapter that speaks REQ over TCP. */
  const hello = (name: string) =>
    `{"id":1,"ok":true,"name":"${name}","version":"0","capabilities":{"protocols":["req0"],"transports":["tcp"],"options":[]}}`;
  /** A case that only opens a REQ socket. */
  const opensReq: ConformanceCase = {
    id: "test/opens",
    title: "opens a REQ socket",
    requirements: [],
    kind: "example",
    needs: { protocols: ["req0"], transports: ["tcp"] },
    async run(ctx) {
      await ctx.iut.open("req0");
    },
  };

  it("fails the case and carries the adapter's stderr", async () => {
    const client = await AdapterClient.start({
      shell: `read l; echo '${hello("dying")}'; read l; echo 'assertion failed: boom' >&2; kill -ABRT $$`,
    });
    const o = await executeCase(opensReq, client, { seed: 1 });
    expect(o.verdict).toBe("fail");
    expect(o.died).toBe(true);
    expect(o.reason).toMatch(/died/);
    expect(o.stderr).toContain("assertion failed: boom");
  });

  it("takes an adapter that left a request unanswered for dead, and stops it", async () => {
    // Answers the hello, then reads requests and never answers them.
    const client = await AdapterClient.start(
      { shell: `read l; echo '${hello("stuck")}'; while read l; do :; done` },
      { requestTimeoutMs: 300 },
    );
    const o = await executeCase(opensReq, client, { seed: 1 });
    expect(o.verdict).toBe("fail");
    expect(o.died).toBe(true);
    expect(o.reason).toMatch(/did not answer request \d+ \(open\) within 300 ms/);
    // The runner starts a fresh adapter for the next case instead of reusing this one.
    expect(client.dead).toBe(true);
    await expect(client.open("req0")).rejects.toThrow(/did not answer/);
  });
});

describe("transcript decoding", () => {
  it("follows frames across chunks and over elided payload bytes", () => {
    const entries = [
      { t: 0, who: "p", dir: "<<" as const, text: "00 53 50 00 00 31 00 01" },
      { t: 1, who: "p", dir: "<<" as const, text: "00 00 00 00 00 00 00" },
      { t: 2, who: "p", dir: "<<" as const, text: "00" },
      {
        t: 3,
        who: "p",
        dir: ">>" as const,
        text: "00 53 50 00 00 30 00 00 00 00 00 00 00 10 00 00 ab … cd ef (1048592 bytes)",
      },
    ];
    const d = decodeTranscript(entries);
    expect(d[0]).toEqual(["SP header protocol 0x31 (rep0) reserved 0x0001"]);
    expect(d[1]).toEqual([]);
    expect(d[2]).toEqual(["frame 0 bytes:"]);
    expect(d[3]?.[0]).toBe("SP header protocol 0x30 (req0)");
    expect(d[3]?.[1]).toMatch(/^frame 1048576 bytes: ab … \(1048576 bytes\)$/);
  });
});
