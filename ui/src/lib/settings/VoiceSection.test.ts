import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import type { SpeechModel } from "../bindings";

// IPC stood in for: the models' list, a download that reports progress until the test lets
// it finish, and the events the core sends.
const calls: [string, unknown][] = [];
let progress: ((payload: { id: string; done: number; total: number }) => void) | null = null;
let finishDownload: (() => void) | null = null;
const model = (over: Partial<SpeechModel>): SpeechModel => ({
  id: "whisper-base-q5_1",
  englishOnly: false,
  bytes: 59_707_625,
  ramMb: 260,
  installed: false,
  partialBytes: 0,
  inUse: false,
  fits: true,
  totalMb: 8192,
  ...over,
});
let listed: SpeechModel[] = [];
vi.mock("../ipc", () => ({
  call: async (command: string, args: unknown) => {
    calls.push([command, args]);
    if (command === "speech_models") return listed;
    if (command === "speech_model_install") {
      await new Promise<void>((done) => (finishDownload = done));
      listed = [model({ installed: true })];
      return listed;
    }
    if (command === "speech_model_use") {
      listed = [model({ installed: true, inUse: true })];
      return listed;
    }
    if (command === "speech_model_remove") {
      listed = [model({})];
      return listed;
    }
    return null;
  },
  on: async (_name: string, handler: typeof progress) => {
    progress = handler;
    return () => {};
  },
  asIpcError: (e: unknown) => e,
}));

// jsdom has <dialog> without its modal methods.
HTMLDialogElement.prototype.showModal = function (this: HTMLDialogElement) {
  this.setAttribute("open", "");
};
HTMLDialogElement.prototype.close = function (this: HTMLDialogElement) {
  this.removeAttribute("open");
};

const { default: VoiceSection } = await import("./VoiceSection.svelte");

describe("voice notes in Settings", () => {
  it("downloads with a progress bar, then hears with the model, and asks before removing it", async () => {
    listed = [model({}), model({ id: "whisper-small-q5_1", ramMb: 700, fits: false, totalMb: 1024 })];
    render(VoiceSection);
    await waitFor(() => expect(screen.getAllByTestId("voice-model")).toHaveLength(2));
    expect(screen.getByTestId("voice-state").textContent).toContain("not heard");
    // Too big for this computer: said before anything is downloaded, and not offered.
    expect(screen.getByTestId("voice-too-big")).toBeTruthy();
    const [base, small] = screen.getAllByTestId("voice-model");
    expect(small!.querySelector("button")!.hasAttribute("disabled")).toBe(true);

    await fireEvent.click(base!.querySelector("button")!);
    progress?.({ id: "whisper-base-q5_1", done: 29_853_812, total: 59_707_625 });
    await waitFor(() => expect(base!.querySelector("progress")).toBeTruthy());
    expect(Number(base!.querySelector("progress")!.getAttribute("value"))).toBe(29_853_812);
    expect(base!.textContent).toContain("30 of 60 MB");
    expect(base!.textContent).toContain("Stop download");
    finishDownload?.();
    await waitFor(() => expect(screen.getByText("Hear voice notes with it")).toBeTruthy());
    expect(screen.queryByRole("progressbar")).toBeNull();

    await fireEvent.click(screen.getByText("Hear voice notes with it"));
    await waitFor(() => expect(screen.getByTestId("voice-state").textContent).toContain("heard with"));
    expect(calls).toContainEqual(["speech_model_use", { id: "whisper-base-q5_1" }]);

    const row = screen.getAllByTestId("voice-model")[0]!;
    await fireEvent.click(within(row).getByText("Remove from this computer"));
    expect(calls.some(([command]) => command === "speech_model_remove")).toBe(false);
    expect(screen.getByText(/Voice notes are heard with it now/)).toBeTruthy();
    const dialog = screen.getByTestId("confirm-dialog");
    await fireEvent.click(within(dialog).getByText("Remove from this computer"));
    await waitFor(() => expect(calls).toContainEqual(["speech_model_remove", { id: "whisper-base-q5_1" }]));
    await waitFor(() => expect(screen.getByTestId("voice-state").textContent).toContain("not heard"));
  });
});
