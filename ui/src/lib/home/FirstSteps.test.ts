import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import type { FirstSteps, FirstStepsChoice } from "../bindings";

// IPC stood in for: the core's checklist, with what the owner chose kept.
let steps: FirstSteps = { done: ["link"], later: [], hidden: false };
const chosen: FirstStepsChoice[] = [];
vi.mock("../ipc", () => ({
  call: async (command: string, args: { choice?: FirstStepsChoice }) => {
    if (command === "first_steps_get") return steps;
    if (command === "first_steps_set") {
      chosen.push(args.choice!);
      steps = { ...steps, later: args.choice!.later, hidden: args.choice!.hidden };
      return steps;
    }
    return null;
  },
  asIpcError: (e: unknown) => e,
}));

const { default: FirstStepsList } = await import("./FirstSteps.svelte");

describe("the first-run checklist", () => {
  it("shows each step's state, goes where it is done, puts one off, and hides", async () => {
    const go = vi.fn();
    const view = render(FirstStepsList, { go });
    await waitFor(() => expect(screen.getAllByTestId("first-step")).toHaveLength(4));
    const states = screen.getAllByTestId("first-step").map((li) => [li.dataset.step, li.dataset.state]);
    expect(states).toEqual([
      ["ai", "todo"],
      ["link", "done"],
      ["assistant", "todo"],
      ["hours", "todo"],
    ]);
    // The next step to do is the primary one; a done step has no button.
    expect(screen.getByTestId("first-step-go-ai").className).toBe("primary");
    expect(screen.queryByTestId("first-step-go-link")).toBeNull();
    await fireEvent.click(screen.getByTestId("first-step-go-ai"));
    expect(go).toHaveBeenCalledWith("settings");

    await fireEvent.click(screen.getByTestId("first-step-later-ai"));
    await waitFor(() => expect(screen.getByTestId("first-step-go-assistant").className).toBe("primary"));
    expect(chosen.at(-1)).toEqual({ later: ["ai"], hidden: false });

    await fireEvent.click(screen.getByTestId("first-steps-hide"));
    await waitFor(() => expect(screen.queryByTestId("first-steps")).toBeNull());
    expect(chosen.at(-1)).toEqual({ later: ["ai"], hidden: true });
    view.unmount();
  });

  it("is gone once every step is done or put off", async () => {
    steps = { done: ["ai", "link", "assistant"], later: ["hours"], hidden: false };
    render(FirstStepsList, { go: () => {} });
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByTestId("first-steps")).toBeNull();
  });
});
