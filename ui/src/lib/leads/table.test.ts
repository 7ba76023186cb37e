import { describe, expect, it } from "vitest";
import type { LeadSummary } from "../bindings";
import { emptyFilter, isFiltered, localDayStart, moveRow, nextSort, pagesFor, patchQualified, toFilter, visibleRange } from "./table";

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

describe("a lead that qualifies", () => {
  const row = (id: number, stage: LeadSummary["stage"]): LeadSummary => ({
    id,
    numberId: 1,
    numberName: "Shop",
    name: null,
    phone: null,
    stage,
    score: 20,
    reason: null,
    qualifiedAt: null,
    updatedAt: 1,
    fields: [],
  });
  const qualified = (leadId: number) => ({
    leadId,
    accountId: 1,
    name: "Ana",
    phone: "+34611222333",
    reason: "Meets: wants to buy — budget: 500",
    score: 100,
    fields: [["budget", "500"]] as [string, string][],
  });

  it("shows in its row at once, from the event's payload", () => {
    const pages = new Map([[0, [row(1, "engaged"), row(2, "new")]]]);
    expect(patchQualified(pages, qualified(2))).toBe(true);
    const shown = pages.get(0)![1]!;
    expect(shown.stage).toBe("qualified");
    expect(shown.score).toBe(100);
    expect(shown.name).toBe("Ana");
    expect(shown.fields).toEqual([["budget", "500"]]);
    expect(pages.get(0)![0]!.stage).toBe("engaged");
  });

  it("changes nothing when its row is not loaded", () => {
    const pages = new Map([[0, [row(1, "engaged")]]]);
    expect(patchQualified(pages, qualified(9))).toBe(false);
    expect(pages.get(0)![0]!.stage).toBe("engaged");
  });
});

