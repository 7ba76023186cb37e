import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/svelte";
import type { WaNumber } from "../bindings";
import { aNumber } from "../../test/numbers";
import LimitsNotice from "./LimitsNotice.svelte";

const number = (limits: Partial<WaNumber["limits"]> = {}): WaNumber =>
  aNumber({ limits: { timelocked: false, timelockEndsAt: null, capped: false, ...limits } });

describe("the limits notice of a number", () => {
  it("says nothing while WhatsApp limits nothing", () => {
    render(LimitsNotice, { number: number() });
    expect(screen.queryByTestId("limits-notice")).toBeNull();
  });

  it("says until when messages to new contacts are limited", () => {
    const ends = Date.UTC(2026, 11, 8, 14, 5);
    render(LimitsNotice, { number: number({ timelocked: true, timelockEndsAt: ends }) });
    const text = screen.getByTestId("limit-timelocked").textContent ?? "";
    expect(text).toContain("limiting messages to new contacts until");
    expect(text).toContain("2026");
    expect(screen.getByTestId("limits-notice").textContent).toContain("write first");
  });

  it("says it without an end when WhatsApp gave none, and names the cap", () => {
    render(LimitsNotice, { number: number({ timelocked: true, capped: true }) });
    expect(screen.getByTestId("limit-timelocked").textContent).toContain("for now");
    expect(screen.getByTestId("limit-capped").textContent).toContain("monthly limit");
  });
});
