import { describe, expect, it } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import type { ChatMessage } from "../bindings";
import Transcript from "./Transcript.svelte";

const message = (over: Partial<ChatMessage>): ChatMessage => ({
  id: 1,
  direction: "in",
  origin: "customer",
  kind: "chat",
  body: "",
  details: null,
  edited: false,
  deleted: false,
  originalBody: null,
  reactions: [],
  media: null,
  heard: null,
  ack: 0,
  sentAt: Date.UTC(2026, 11, 7, 10, 0),
  ...over,
});

describe("a message in the transcript, by kind", () => {
  it("shows a photo's thumbnail, larger on click, with its caption as text", async () => {
    render(Transcript, {
      messages: [message({ kind: "image", body: "¿la tienen en azul?", details: { thumbnail: "/9j/4AAQ", size: 48213, contacts: [] } })],
    });
    const media = screen.getByTestId("message-media");
    expect(media.dataset.kind).toBe("image");
    const image = media.querySelector("img");
    expect(image?.getAttribute("src")).toBe("data:image/jpeg;base64,/9j/4AAQ");
    expect(media.textContent).toContain("47 KB");
    const button = media.querySelector("button");
    expect(button?.getAttribute("aria-expanded")).toBe("false");
    await fireEvent.click(button!);
    expect(button?.getAttribute("aria-expanded")).toBe("true");
    expect(screen.getByTestId("message-body").textContent).toBe("¿la tienen en azul?");
  });

  it("never draws a thumbnail that is not plain base64", () => {
    render(Transcript, {
      messages: [message({ kind: "image", details: { thumbnail: "x\" onerror=\"alert(1)", contacts: [] } })],
    });
    expect(screen.getByTestId("message-media").querySelector("img")).toBeNull();
  });

  it("names a voice note with its length, a document by its file name, a place and contact cards", () => {
    render(Transcript, {
      messages: [
        message({ id: 1, kind: "voice", details: { durationS: 75, contacts: [] } }),
        message({ id: 2, kind: "document", details: { filename: "lista-precios.pdf", size: 2_400_000, pageCount: 4, contacts: [] } }),
        message({ id: 3, kind: "location", details: { lat: -34.6037, lng: -58.3816, place: "Obelisco", contacts: [] } }),
        message({ id: 4, kind: "contact", details: { contacts: [{ name: "Ana Pérez", vcard: "BEGIN:VCARD" }] } }),
        message({ id: 5, kind: "unsupported", details: { waType: "poll_creation", contacts: [] } }),
        message({ id: 6, kind: "view_once", details: null }),
      ],
    });
    const media = screen.getAllByTestId("message-media");
    expect(media[0]?.textContent).toContain("Voice note");
    expect(media[0]?.textContent).toContain("1:15");
    expect(screen.getByTestId("message-filename").textContent).toBe("lista-precios.pdf");
    expect(media[1]?.textContent).toContain("2.3 MB");
    expect(media[1]?.textContent).toContain("4 pages");
    expect(screen.getByTestId("message-place").textContent).toBe("Obelisco");
    expect(screen.getByTestId("message-coordinates").textContent).toBe("-34.60370, -58.38160");
    expect(screen.getByTestId("message-contact").textContent).toBe("Ana Pérez");
    expect(media[4]?.textContent).toContain("poll_creation");
    expect(media[5]?.textContent).toContain("open it on the phone");
    // Nothing was written with them: no empty text line under each.
    expect(screen.queryAllByTestId("message-body")).toHaveLength(0);
  });

  it("shows what a reply quotes above its text", () => {
    render(Transcript, {
      messages: [message({ body: "la M", details: { quoted: { waId: "K1", text: "¿en azul?" }, contacts: [] } })],
    });
    expect(screen.getByTestId("message-quoted").textContent?.trim()).toBe("¿en azul?");
    expect(screen.getByTestId("message-body").textContent).toBe("la M");
  });

  it("marks an edit (the first text on hover), a deletion (the text kept) and shows reactions", () => {
    render(Transcript, {
      messages: [
        message({ id: 1, body: "la talla M", edited: true, originalBody: "la talla S", reactions: ["👍", "❤️"] }),
        message({ id: 2, body: "mi dirección es…", deleted: true }),
      ],
    });
    const edited = screen.getByTestId("message-edited");
    expect(edited.textContent).toBe("edited");
    expect(edited.getAttribute("title")).toBe("Before the edit: la talla S");
    expect(screen.getByTestId("message-reactions").textContent).toBe("👍 ❤️");
    expect(screen.getByTestId("message-deleted").textContent).toContain("Deleted by its sender");
    const bodies = screen.getAllByTestId("message-body");
    expect(bodies[1]?.classList.contains("deleted")).toBe(true);
  });

  it("says where a file is, and a failed one says why with Try again", () => {
    render(Transcript, {
      messages: [
        message({ id: 1, kind: "voice", details: { contacts: [] }, media: { state: "pending", reason: null, bytes: null } }),
        message({ id: 2, kind: "voice", details: { contacts: [] }, media: { state: "failed", reason: "timeout", bytes: null } }),
        message({ id: 3, kind: "document", details: { contacts: [] }, media: { state: "stored", reason: null, bytes: 10 } }),
      ],
    });
    const states = screen.getAllByTestId("media-state");
    expect(states[0]?.textContent).toContain("Getting the file");
    expect(states[1]?.textContent).toContain("it didn't come in time (is the phone online?");
    expect(screen.getByTestId("media-retry").textContent).toBe("Try again");
    expect(states[2]?.textContent).toContain("kept on this computer");
  });
});
