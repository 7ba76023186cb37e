import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import LeadFilters from "./LeadFilters.svelte";
import { emptyFilter } from "./table";
import { i18n } from "../i18n/index.svelte";

const numbers = [
  { id: 1, name: "Shop", linkState: "linked", waId: "34600000000@c.us", createdAt: 0, updatedAt: 0 },
  { id: 2, name: "متجر", linkState: "unlinked", waId: null, createdAt: 0, updatedAt: 0 },
] as never;

describe("LeadFilters", () => {
  it("reports stage toggles at once and offers to clear", async () => {
    i18n.use("en");
    const onchange = vi.fn();
    const filter = $state(emptyFilter());
    render(LeadFilters, { props: { filter, numbers, onchange } });
    expect(screen.queryByTestId("lead-filter-clear")).toBeNull();
    const won = screen.getByTestId("lead-filter-stage-won");
    await fireEvent.click(won);
    expect(onchange).toHaveBeenCalledTimes(1);
    expect(won.getAttribute("aria-pressed")).toBe("true");
    await fireEvent.click(screen.getByTestId("lead-filter-clear"));
    expect(onchange).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId("lead-filter-stage-won").getAttribute("aria-pressed")).toBe("false");
  });

  it("waits for a pause in typing before searching, and Enter searches at once", async () => {
    vi.useFakeTimers();
    const onchange = vi.fn();
    const filter = $state(emptyFilter());
    render(LeadFilters, { props: { filter, numbers, onchange, searchDelayMs: 250 } });
    const search = screen.getByTestId("lead-search");
    await fireEvent.input(search, { target: { value: "an" } });
    await fireEvent.input(search, { target: { value: "ana" } });
    expect(onchange).not.toHaveBeenCalled();
    vi.advanceTimersByTime(260);
    expect(onchange).toHaveBeenCalledTimes(1);
    await fireEvent.keyDown(search, { key: "Enter" });
    expect(onchange).toHaveBeenCalledTimes(2);
    vi.useRealTimers();
  });

  it("lists every number, in any script, and speaks the owner's language", () => {
    i18n.use("ar");
    const filter = $state(emptyFilter());
    render(LeadFilters, { props: { filter, numbers, onchange: () => {} } });
    const options = [...(screen.getByTestId("lead-filter-number") as HTMLSelectElement).options].map((o) => o.text);
    expect(options).toEqual(["كل الأرقام", "Shop", "متجر"]);
    i18n.use("en");
  });
});
