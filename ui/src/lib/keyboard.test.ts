import { describe, expect, it } from "vitest";
import { pageForKey, searchFieldFor } from "./keyboard";

const key = (k: string, extra: Partial<KeyboardEvent> = {}) =>
  ({ key: k, altKey: false, ctrlKey: false, metaKey: false, shiftKey: false, ...extra }) as KeyboardEvent;
const pages = ["home", "numbers", "conversations", "leads", "activity", "settings"] as const;

describe("shortcuts", () => {
  it("Alt or Ctrl with a digit moves between sections", () => {
    expect(pageForKey(key("4", { altKey: true }), pages)).toBe("leads");
    expect(pageForKey(key("1", { ctrlKey: true }), pages)).toBe("home");
    expect(pageForKey(key("9", { altKey: true }), pages)).toBeNull();
    expect(pageForKey(key("4"), pages)).toBeNull();
    expect(pageForKey(key("4", { altKey: true, shiftKey: true }), pages)).toBeNull();
  });

  it("/ or Ctrl+F focuses the page's search, but / is typed normally in a field", () => {
    expect(searchFieldFor(key("/"), "leads")).toBe("lead-search");
    expect(searchFieldFor(key("f", { ctrlKey: true }), "conversations")).toBe("chat-search");
    const input = document.createElement("input");
    expect(searchFieldFor({ ...key("/"), target: input }, "leads")).toBeNull();
    expect(searchFieldFor(key("/"), "settings")).toBeNull();
  });
});
