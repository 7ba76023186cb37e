import { describe, expect, it } from "vitest";
import { emptyFilter, isFiltered, localDayStart, moveRow, nextSort, pagesFor, toFilter, visibleRange } from "./table";

describe("the virtual table's arithmetic", () => {
  it("renders only the rows near the viewport, even at 100,000 rows", () => {
    expect(visibleRange(0, 440, 100_000, 44, 10)).toEqual([0, 20]);
    const [first, last] = visibleRange(44 * 50_000, 440, 100_000, 44, 10);
    expect([first, last]).toEqual([49_990, 50_020]);
    expect(visibleRange(44 * 99_999, 440, 100_000, 44, 10)[1]).toBe(100_000);
    expect(visibleRange(0, 440, 0)).toEqual([0, 0]);
  });

  it("asks for the pages that hold the visible rows", () => {
    expect(pagesFor(0, 20, 100)).toEqual([0]);
    expect(pagesFor(95, 130, 100)).toEqual([0, 1]);
    expect(pagesFor(49_990, 50_020, 100)).toEqual([499, 500]);
    expect(pagesFor(5, 5, 100)).toEqual([]);
  });

  it("sorts by a clicked column, then flips it", () => {
    expect(nextSort("updated", true, "name")).toEqual(["name", false]);
    expect(nextSort("name", false, "name")).toEqual(["name", true]);
    expect(nextSort("name", false, "score")).toEqual(["score", true]);
  });

  it("moves the selection with the keyboard and stays inside the table", () => {
    expect(moveRow("ArrowDown", null, 10, 5)).toBe(0);
    expect(moveRow("ArrowDown", 9, 10, 5)).toBe(9);
    expect(moveRow("ArrowUp", 0, 10, 5)).toBe(0);
    expect(moveRow("PageDown", 2, 10, 5)).toBe(7);
    expect(moveRow("End", 2, 10, 5)).toBe(9);
    expect(moveRow("Home", 7, 10, 5)).toBe(0);
    expect(moveRow("a", 2, 10, 5)).toBeNull();
    expect(moveRow("ArrowDown", null, 0, 5)).toBeNull();
  });
});

describe("the filter form", () => {
  it("turns dates into whole local days and clamps the score", () => {
    const form = { ...emptyFilter(), qualifiedFrom: "2026-11-01", qualifiedUntil: "2026-11-30", minScore: 140, search: "  ana " };
    const filter = toFilter(form);
    expect(filter.qualifiedFromMs).toBe(new Date(2026, 10, 1).getTime());
    expect(filter.qualifiedUntilMs).toBe(new Date(2026, 10, 30).getTime() + 86_400_000);
    expect(filter.minScore).toBe(100);
    expect(filter.search).toBe("ana");
    expect(localDayStart("30/11/2026")).toBeNull();
    expect(localDayStart("")).toBeNull();
  });

  it("knows when anything is filtered", () => {
    expect(isFiltered(emptyFilter())).toBe(false);
    expect(isFiltered({ ...emptyFilter(), search: "   " })).toBe(false);
    expect(isFiltered({ ...emptyFilter(), stages: ["won"] })).toBe(true);
  });
});
