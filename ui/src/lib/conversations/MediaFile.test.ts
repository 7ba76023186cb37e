import { describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import type { ChatMessage } from "../bindings";

// IPC stood in for: the kept file's bytes, asked for by the message's id only.
const calls: [string, unknown][] = [];
vi.mock("../ipc", () => ({
  call: async (command: string, args: unknown) => {
    calls.push([command, args]);
    if (command === "media_file") return { mimetype: "audio/ogg", data: "T2dnUw==" };
    if (command === "media_save") return "/home/ana/Downloads/lista.pdf";
    return null;
  },
  on: async () => () => {},
  asIpcError: (e: unknown) => e,
}));

const { default: Transcript } = await import("./Transcript.svelte");

const voice = (over: Partial<ChatMessage> = {}): ChatMessage => ({
  id: 42,
  direction: "in",
  origin: "customer",
  kind: "voice",
  body: "",
  details: { durationS: 4, contacts: [] },
  edited: false,
  deleted: false,
  originalBody: null,
  reactions: [],
  media: { state: "stored", reason: null, bytes: 6 },
  heard: null,
  ack: 0,
  sentAt: 1,
  ...over,
});

describe("a kept file in the transcript", () => {
  it("plays a voice note from its file, asked for by the message's id", async () => {
    render(Transcript, { messages: [voice()] });
    await fireEvent.click(screen.getByTestId("message-play"));
    await waitFor(() => expect(screen.getByTestId("message-audio")).toBeTruthy());
    expect(screen.getByTestId("message-audio").getAttribute("src")).toBe("data:audio/ogg;base64,T2dnUw==");
    expect(calls).toContainEqual(["media_file", { messageId: 42 }]);
  });

  it("offers no player before the file is kept, and Try again asks for it by id", async () => {
    render(Transcript, { messages: [voice({ media: { state: "failed", reason: "expired", bytes: null } })] });
    expect(screen.queryByTestId("message-play")).toBeNull();
    await fireEvent.click(screen.getByTestId("media-retry"));
    expect(calls).toContainEqual(["media_retry", { messageId: 42 }]);
  });

  it("saves a kept document to Downloads and says where", async () => {
    render(Transcript, {
      messages: [voice({ id: 7, kind: "document", details: { filename: "lista.pdf", contacts: [] } })],
    });
    await fireEvent.click(screen.getByTestId("media-save"));
    await waitFor(() => expect(screen.getByTestId("media-saved").textContent).toBe("Saved: /home/ana/Downloads/lista.pdf"));
    expect(calls).toContainEqual(["media_save", { messageId: 7 }]);
  });
});

describe("a voice note as Leadline heard it", () => {
  it("shows the words under the player, with the language heard", () => {
    render(Transcript, {
      messages: [voice({ heard: { state: "done", text: "hola, ¿cuánto cuesta?", language: "es", reason: null, byProvider: null } })],
    });
    expect(screen.getByTestId("message-heard").textContent?.trim()).toBe("hola, ¿cuánto cuesta?");
    expect(screen.getByTestId("message-heard").getAttribute("lang")).toBe("es");
    expect(screen.getByTestId("message-heard-meta").textContent).toContain("es");
    expect(screen.getByTestId("message-heard-meta").textContent).toContain("this computer");
  });

  it("says which AI provider heard one it sent there, and why the provider didn't", () => {
    render(Transcript, {
      messages: [voice({ heard: { state: "done", text: "oi", language: "pt", reason: null, byProvider: "OpenAI" } })],
    });
    const meta = screen.getByTestId("message-heard-meta").textContent ?? "";
    expect(meta).toContain("OpenAI");
    expect(meta).not.toContain("this computer");
    cleanup();
    render(Transcript, {
      messages: [voice({ id: 44, heard: { state: "failed", text: null, language: null, reason: "provider_key", byProvider: null } })],
    });
    expect(screen.getByTestId("message-heard-meta").textContent).toContain("refused Leadline's key");
  });

  it("says it is being heard, and why one was not", () => {
    render(Transcript, { messages: [voice({ heard: { state: "pending", text: null, language: null, reason: null, byProvider: null } })] });
    expect(screen.getByTestId("message-heard-meta").dataset.state).toBe("pending");
    cleanup();
    render(Transcript, {
      messages: [voice({ id: 43, heard: { state: "failed", text: null, language: null, reason: "not_sound", byProvider: null } })],
    });
    const said = screen.getByTestId("message-heard-meta");
    expect(said.dataset.state).toBe("failed");
    expect(said.textContent).toContain("isn't sound Leadline can read");
    expect(screen.queryByTestId("message-heard")).toBeNull();
  });
});
