import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import type { ProviderView, SpeechModel, VoiceHearing } from "../bindings";

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
const provider = (over: Partial<ProviderView>): ProviderView => ({
  id: "openai",
  preset: "open_ai",
  label: "OpenAI",
  baseUrl: "https://api.openai.com/v1",
  defaultModel: "gpt-4o-mini",
  needsKey: true,
  key: { state: "set", last4: "WXYZ" },
  isDefault: true,
  canHear: true,
  ...over,
});
let providers: ProviderView[] = [];
// How notes are heard, as the core keeps it (the commands change it).
let voice: VoiceHearing = { by: "off" };
vi.mock("../ipc", () => ({
  call: async (command: string, args: unknown) => {
    calls.push([command, args]);
    if (command === "speech_models") return listed;
    if (command === "ai_providers") return providers;
    if (command === "settings_get") return { voice };
    if (command === "speech_use_provider") {
      voice = { by: "provider", provider: (args as { provider: string }).provider };
      listed = listed.map((m) => ({ ...m, inUse: false }));
      return { voice };
    }
    if (command === "speech_model_install") {
      await new Promise<void>((done) => (finishDownload = done));
      listed = [model({ installed: true })];
      return listed;
    }
    if (command === "speech_model_use") {
      const id = (args as { id: string | null }).id;
      voice = id ? { by: "computer", model: id } : { by: "off" };
      listed = [model({ installed: true, inUse: id !== null })];
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

  it("hears by an AI provider that can, says so, and turns it off", async () => {
    voice = { by: "off" };
    listed = [model({})];
    providers = [
      provider({}),
      provider({ id: "anthropic", preset: "anthropic", label: "Anthropic", isDefault: false, canHear: false }),
    ];
    render(VoiceSection);
    const part = await screen.findByTestId("voice-by-provider");
    const select = (await within(part).findByTestId("voice-provider")) as HTMLSelectElement;
    // Only the providers that can hear are offered.
    await waitFor(() => expect(select.options).toHaveLength(1));
    expect(select.options[0]!.textContent).toBe("OpenAI");
    await fireEvent.click(within(part).getByText("Hear notes with it"));
    await waitFor(() => expect(screen.getByTestId("voice-state").textContent).toContain("heard by OpenAI"));
    expect(calls).toContainEqual(["speech_use_provider", { provider: "openai" }]);
    expect(screen.getByTestId("voice-state").textContent).toContain("sent to it");

    await fireEvent.click(within(part).getByText("Stop hearing voice notes"));
    await waitFor(() => expect(screen.getByTestId("voice-state").textContent).toContain("not heard"));
    expect(calls).toContainEqual(["speech_model_use", { id: null }]);
  });

  it("says how to get a provider that can hear when none can", async () => {
    voice = { by: "off" };
    providers = [provider({ id: "anthropic", preset: "anthropic", label: "Anthropic", canHear: false })];
    render(VoiceSection);
    expect(await screen.findByTestId("voice-no-provider")).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
