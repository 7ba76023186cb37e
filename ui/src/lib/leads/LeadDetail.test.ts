import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import type { LeadDetail as Detail } from "../bindings";

// A plain stand-in for IPC (a vi.fn's own bookkeeping would report the rejections the
// component handles as unhandled).
type Impl = (command: string, args: unknown) => Promise<unknown>;
let impl: Impl = async () => undefined;
const calls: [string, unknown][] = [];
vi.mock("../ipc", () => ({
  call: (command: string, args: unknown) => {
    calls.push([command, args]);
    return impl(command, args);
  },
  on: async () => () => {},
  asIpcError: (e: unknown) => e,
}));

const { default: LeadDetail } = await import("./LeadDetail.svelte");

const detail = (over: Partial<Detail> = {}): Detail => ({
  lead: { id: 7, numberId: 1, numberName: "Shop", name: "Ana", phone: "+34611222333", stage: "qualified", score: 100, reason: "Wants 3 pairs", qualifiedAt: 1, updatedAt: 1, fields: [] },
  fields: [{ key: "email", value: "ana@example.com", source: "ai" }],
  asked: [{ name: "email", description: "", kind: "email" }, { name: "city", description: "", kind: "text" }],
  notes: "",
  chatId: null,
  createdAt: 1,
  events: [{ id: 1, change: { kind: "stage", by: "ai", from: "engaged", to: "qualified", reason: null }, createdAt: 1 }],
  ...over,
});

describe("LeadDetail", () => {
  beforeEach(() => {
    calls.length = 0;
  });

  it("shows the lead, and saves only what the owner changed", async () => {
    impl = async (command) => (command === "lead_get" ? detail() : detail({ notes: "call Monday" }));
    render(LeadDetail, { props: { id: 7, onclose: () => {}, onopenchat: () => {} } });
    await screen.findByText("Ana");
    expect(screen.getByTestId("lead-reason").textContent).toContain("Wants 3 pairs");
    expect((screen.getByTestId("lead-field-email") as HTMLInputElement).value).toBe("ana@example.com");
    expect(screen.getByTestId("lead-field-city")).toBeTruthy();
    expect(screen.getByTestId("lead-events").textContent).toContain("Talking → Qualified");

    await fireEvent.input(screen.getByTestId("lead-field-city"), { target: { value: "Sevilla" } });
    await fireEvent.change(screen.getByTestId("lead-stage-select"), { target: { value: "won" } });
    await fireEvent.submit(screen.getByTestId("lead-form"));
    await waitFor(() => expect(calls).toContainEqual(["lead_edit", { id: 7, edit: { stage: "won", notes: "", fields: [["city", "Sevilla"]] } }]));
  });

  it("keeps the owner's edits on screen when saving fails, and says why", async () => {
    impl = async (command) => {
      if (command === "lead_get") return detail();
      // What `call` rejects with: the IpcError the Rust side sent.
      throw { code: "invalid_input", message: "“email”: not an email address", path: null };
    };
    render(LeadDetail, { props: { id: 7, onclose: () => {}, onopenchat: () => {} } });
    await screen.findByText("Ana");
    await fireEvent.input(screen.getByTestId("lead-field-email"), { target: { value: "nope" } });
    await fireEvent.submit(screen.getByTestId("lead-form"));
    expect((await screen.findByTestId("lead-save-error")).textContent).toContain("not an email");
    expect((screen.getByTestId("lead-field-email") as HTMLInputElement).value).toBe("nope");
  });
});
