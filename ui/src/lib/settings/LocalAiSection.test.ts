import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import type { ModelFile, LocalAiState } from "../bindings";

// IPC stood in for: the chat models, a download that reports progress until the test lets
// it finish, "Use" that starts the server (its state arrives as an event), and a failure.
const calls: [string, unknown][] = [];
const handlers: Record<string, (payload: never) => void> = {};
let finishDownload: (() => void) | null = null;
const model = (over: Partial<ModelFile>): ModelFile => ({
  id: "gemma-3-1b",
  bytes: 806_000_000,
  ramMb: 1_300,
  installed: false,
  partialBytes: 0,
  inUse: false,
  fits: true,
  totalMb: 8_192,
  ...over,
});
let listed: ModelFile[] = [];
let state: LocalAiState = { state: "off" };
vi.mock("../ipc", () => ({
  call: async (command: string, args: unknown) => {
    calls.push([command, args]);
    if (command === "local_ai_models") return listed;
    if (command === "local_ai_state") return state;
    if (command === "local_ai_install") {
      await new Promise<void>((done) => (finishDownload = done));
      listed = listed.map((m) => (m.id === "gemma-3-1b" ? { ...m, installed: true } : m));
      return listed;
    }
    if (command === "local_ai_use") {
      handlers["local_ai:state"]?.({ state: "starting", model: "gemma-3-1b" } as never);
      state = { state: "running", model: "gemma-3-1b" };
      listed = listed.map((m) => ({ ...m, inUse: m.id === "gemma-3-1b" }));
      return state;
    }
    return null;
  },
  on: async (name: string, handler: (payload: never) => void) => {
    handlers[name] = handler;
    return () => {};
  },
  asIpcError: (e: unknown) => e,
}));

HTMLDialogElement.prototype.showModal = function (this: HTMLDialogElement) {
  this.setAttribute("open", "");
};
HTMLDialogElement.prototype.close = function (this: HTMLDialogElement) {
  this.removeAttribute("open");
};

const { default: LocalAiSection } = await import("./LocalAiSection.svelte");

describe("AI on this computer in Settings", () => {
  it("downloads a model with its progress, uses it, and says when it runs or fails", async () => {
    listed = [model({}), model({ id: "llama-3.2-3b", ramMb: 3_000, fits: false, totalMb: 4_096 })];
    let changed = 0;
    render(LocalAiSection, { onchange: () => changed++ });
    await waitFor(() => expect(screen.getAllByTestId("local-ai-model")).toHaveLength(2));
    expect(screen.getByTestId("local-ai-state").textContent).toContain("Download a model");
    // Too big: said before anything is downloaded, and not offered.
    expect(screen.getByTestId("local-ai-too-big")).toBeTruthy();
    const [gemma, big] = screen.getAllByTestId("local-ai-model");
    expect(big!.querySelector("button")!.hasAttribute("disabled")).toBe(true);
    expect(gemma!.textContent).toContain("Arabic");

    await fireEvent.click(gemma!.querySelector("[data-testid=local-ai-download]")!);
    // The size is the server's word until it is here: the bar shows it once known.
    handlers["model:progress"]?.({ id: "gemma-3-1b", done: 403_000_000, total: 806_000_000 } as never);
    await waitFor(() => expect(gemma!.querySelector("progress")).toBeTruthy());
    expect(screen.getByTestId("local-ai-progress").textContent).toContain("403 of 806 MB");
    expect(screen.getByTestId("local-ai-stop")).toBeTruthy();
    finishDownload?.();
    await waitFor(() => expect(screen.getByTestId("local-ai-use")).toBeTruthy());

    await fireEvent.click(screen.getByTestId("local-ai-use"));
    await waitFor(() => expect(screen.getByTestId("local-ai-state").textContent).toContain("answers with Gemma 3 1B"));
    expect(calls).toContainEqual(["local_ai_use", { id: "gemma-3-1b" }]);
    expect(changed).toBe(1);
    expect(gemma!.textContent).toContain("In use");

    // It stops and can't start again: the reason, in the owner's words.
    handlers["local_ai:state"]?.({
      state: "failed",
      reason: { key: "local_ai.keeps_stopping", args: {}, english: "(the English the core sent)" },
    } as never);
    await waitFor(() => expect(screen.getByTestId("local-ai-state").dataset.state).toBe("failed"));
    expect(screen.getByTestId("local-ai-state").textContent).toContain("keeps stopping");
  });
});
