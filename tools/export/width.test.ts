import { describe, expect, it } from "vitest";
import { checkWidth, longestWord, tableLayout } from "./width.ts";
import { readTree } from "./xmltree.ts";

const inSection = (body: string) =>
  checkWidth(
    readTree(
      `<rfc version="3"><middle><section anchor="s"><name>S</name>${body}</section></middle></rfc>`,
    ),
  ).map((p) => p.message);

describe("longestWord and tableLayout", () => {
  it("splits words at white space only", () => {
    expect(longestWord("a bb\nccc-dd\u00a0e")).toBe("ccc-dd\u00a0e");
  });

  it("adds one space of padding per side and a border around every column", () => {
    const layout = tableLayout([
      ["State", "Event"],
      ["waiting", "after:sendTimeout"],
    ]);
    expect(layout.words).toEqual(["waiting", "after:sendTimeout"]);
    expect(layout.bare).toBe(7 + 17 + 3);
    expect(layout.width).toBe(7 + 17 + 3 + 4);
  });
});

describe("checkWidth", () => {
  it("accepts text that wraps and artwork of 72 columns", () => {
    expect(inSection(`<t>${"word ".repeat(40)}</t><artwork>${"x".repeat(72)}</artwork>`)).toEqual(
      [],
    );
  });

  it("reports a word wider than the indented column, in a list item too", () => {
    expect(inSection(`<t>${"x".repeat(70)}</t>`)[0]).toMatch(/70 columns, wider than the 69 left/);
    expect(inSection(`<ul><li>${"y".repeat(67)}</li></ul>`)[0]).toMatch(/wider than the 66 left/);
    expect(inSection(`<t>see <xref target="RFC2119"/></t>`)).toEqual([]);
  });

  it("reports artwork over 72 columns and sourcecode over the indented width", () => {
    expect(inSection(`<artwork>${"x".repeat(73)}</artwork>`)[0]).toMatch(
      /73 columns \(at most 72\)/,
    );
    expect(inSection(`<sourcecode>${"x".repeat(70)}</sourcecode>`)[0]).toMatch(/at most 69/);
  });

  it("reports a table whose narrowest layout is too wide", () => {
    const cell = (w: string) => `<td>${w}</td>`;
    const row = `<tr>${["a".repeat(20), "b".repeat(20), "c".repeat(20)].map(cell).join("")}</tr>`;
    const problems = inSection(`<table anchor="wide"><tbody>${row}</tbody></table>`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/table #wide needs 70 columns with padding \(64 without\), 69/);
    const narrow = `<tr>${["a".repeat(19), "b".repeat(20), "c".repeat(20)].map(cell).join("")}</tr>`;
    expect(inSection(`<table><tbody>${narrow}</tbody></table>`)).toEqual([]);
  });
});
