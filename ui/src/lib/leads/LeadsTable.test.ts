import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import LeadsTable from "./LeadsTable.svelte";
import type { LeadSummary } from "../bindings";

const lead = (index: number): LeadSummary => ({
  id: index + 1,
  numberId: 1,
  numberName: "Shop",
  name: index % 2 ? `Lead ${index}` : null,
  phone: `+3460000${String(index).padStart(4, "0")}`,
  stage: "engaged",
  score: index % 101,
  reason: null,
  qualifiedAt: null,
  updatedAt: 1_763_800_000_000,
  fields: [],
});

function table(total: number, loaded = total) {
  const onsort = vi.fn();
  const onrange = vi.fn();
  const onopen = vi.fn();
  const rowAt = (i: number) => (i < loaded ? lead(i) : undefined);
  render(LeadsTable, { props: { total, rowAt, version: 0, sort: "updated", descending: true, onsort, onrange, onopen } });
  return { onsort, onrange, onopen };
}

describe("LeadsTable", () => {
  it("puts only a window of rows in the page for 100,000 leads", () => {
    const { onrange } = table(100_000);
    const rows = screen.getAllByTestId("lead");
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(100);
    expect(screen.getByTestId("lead-table").getAttribute("aria-rowcount")).toBe("100001");
    expect(onrange).toHaveBeenCalledWith(0, rows.length);
  });

  it("shows a placeholder for rows still loading, then names or phones", () => {
    table(50, 1);
    const rows = screen.getAllByTestId("lead");
    expect(rows[0]?.textContent).toContain("+34600000000");
    expect(rows[1]?.querySelector("[aria-busy='true']")).not.toBeNull();
  });

  it("moves the selection with the arrow keys and opens the lead", async () => {
    const { onopen } = table(10);
    const grid = screen.getByTestId("lead-table");
    await fireEvent.keyDown(grid, { key: "ArrowDown" });
    await fireEvent.keyDown(grid, { key: "ArrowDown" });
    expect(onopen).toHaveBeenLastCalledWith(lead(1), 1);
    expect(screen.getAllByTestId("lead")[1]?.getAttribute("aria-selected")).toBe("true");
    await fireEvent.keyDown(grid, { key: "End" });
    expect(onopen).toHaveBeenLastCalledWith(lead(9), 9);
  });

  it("sorts by a column header and says which way it sorts", async () => {
    const { onsort } = table(10);
    await fireEvent.click(screen.getByTestId("lead-sort-score"));
    expect(onsort).toHaveBeenCalledWith("score");
    const updated = screen.getByTestId("lead-sort-updated").closest("[role='columnheader']");
    expect(updated?.getAttribute("aria-sort")).toBe("descending");
  });
});
