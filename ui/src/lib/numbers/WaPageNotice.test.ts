import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/svelte";
import { aNumber } from "../../test/numbers";
import WaPageNotice from "./WaPageNotice.svelte";

const number = aNumber;

describe("the WhatsApp Web notice of a number", () => {
  it("says nothing for a tested build with every feature", () => {
    render(WaPageNotice, { number: number() });
    expect(screen.queryByTestId("wa-page-notice")).toBeNull();
  });

  it("says nothing before the version is known", () => {
    render(WaPageNotice, { number: number({ waVersion: null, waVersionTested: false }) });
    expect(screen.queryByTestId("wa-page-notice")).toBeNull();
  });

  it("names an untested build and keeps going", () => {
    render(WaPageNotice, { number: number({ waVersion: "2.3000.1099999999", waVersionTested: false }) });
    const text = screen.getByTestId("wa-untested").textContent ?? "";
    expect(text).toContain("2.3000.1099999999");
    expect(text).toContain("keeps working");
  });

  it("names missing parts as the owner knows them, once each", () => {
    render(WaPageNotice, { number: number({ waMissingFeatures: ["typingOn", "typingOff", "ephemeral"] }) });
    const text = screen.getByTestId("wa-missing").textContent ?? "";
    expect(text).toContain("the typing indicator, ephemeral");
    expect(text.match(/typing indicator/g)?.length).toBe(1);
  });
});
