import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import type { NumberAi, NumberBot, PlaygroundMessage, PlaygroundTurn, WaNumber } from "../bindings";

// IPC stood in for: the number's assistant, saved as sent, and a playground turn that
// records what it was asked.
const asked: PlaygroundMessage[][] = [];
const ai: NumberAi = { prompt: "Vendes camisetas.", facts: "", fields: [], criteria: "", provider: null, model: null };
const turn: PlaygroundTurn = {
  reply: "Sí, en azul.",
  fields: [],
  qualified: false,
  reason: "",
  truncated: false,
  model: "gpt-4o-mini",
  promptTokens: 10,
  completionTokens: 4,
  costMicros: null,
  elapsedMs: 120,
  startedAnswering: false,
};
// A new number: its assistant waits to be tried before it answers customers.
const bot: NumberBot = {
  enabled: false,
  started: "waiting",
  behaviour: {} as NumberBot["behaviour"],
  schedule: null,
  quickReplies: [],
};
vi.mock("../ipc", () => ({
  call: async (command: string, args: { ai?: NumberAi; conversation?: PlaygroundMessage[] }) => {
    if (command === "number_ai_get") return ai;
    if (command === "number_ai_set") return args.ai;
    if (command === "ai_providers") return [];
    if (command === "number_bot_get") return bot;
    if (command === "playground_turn") {
      asked.push(JSON.parse(JSON.stringify(args.conversation ?? [])));
      return turn;
    }
    throw { code: "not_found", message: "not here" };
  },
  on: async () => () => {},
  asIpcError: (e: unknown) => e,
}));

const { default: NumberAiPage } = await import("./NumberAiPage.svelte");

const number = { id: 7, name: "Tienda" } as WaNumber;
// A JPEG's first bytes: what the file input gives the page.
const jpegBytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]);

describe("the playground", () => {
  it("sends a photo as the customer, with its caption, and shows it in the conversation", async () => {
    render(NumberAiPage, { number, onback: () => {} });
    await waitFor(() => expect(screen.getByTestId("playground-attach")).toBeTruthy());
    const input = screen.getByTestId("playground-photo-input") as HTMLInputElement;
    const file = new File([jpegBytes], "camiseta.jpg", { type: "image/jpeg" });
    await fireEvent.change(input, { target: { files: [file] } });
    // The photo alone can be sent: the caption is optional.
    await waitFor(() => expect(screen.getByTestId("playground-photo-remove")).toBeTruthy());
    expect((screen.getByTestId("playground-send") as HTMLButtonElement).disabled).toBe(false);
    await fireEvent.input(screen.getByTestId("playground-input"), { target: { value: "¿la tienen en azul?" } });
    await fireEvent.click(screen.getByTestId("playground-send"));

    await waitFor(() => expect(screen.getByTestId("playground-reply").textContent).toContain("Sí, en azul."));
    const sent = asked[0]![0]!;
    expect(sent.text).toBe("¿la tienen en azul?");
    expect(sent.photo?.mimetype).toBe("image/jpeg");
    expect(Uint8Array.from(atob(sent.photo!.base64), (c) => c.charCodeAt(0))).toEqual(jpegBytes);
    const shown = screen.getByTestId("playground-photo") as HTMLImageElement;
    expect(shown.src.startsWith("data:image/jpeg;base64,")).toBe(true);
    // The draft is empty again, the photo with it.
    expect(screen.queryByTestId("playground-photo-remove")).toBeNull();
  });

  it("says so when its answer switched the assistant on for customers", async () => {
    turn.startedAnswering = true;
    render(NumberAiPage, { number, onback: () => {} });
    await waitFor(() => expect(screen.getByTestId("bot-start").dataset.started).toBe("waiting"));
    expect(screen.getByTestId("bot-start").textContent).toContain("isn't answering customers");
    expect(screen.queryByTestId("playground-started")).toBeNull();
    await fireEvent.input(screen.getByTestId("playground-input"), { target: { value: "hola" } });
    await fireEvent.click(screen.getByTestId("playground-send"));

    await waitFor(() => expect(screen.getByTestId("playground-started").textContent).toContain("now answers customers"));
    expect(screen.getByTestId("bot-start").dataset.started).toBe("playground");
    expect((screen.getByTestId("bot-enabled") as HTMLInputElement).checked).toBe(true);
  });
});
