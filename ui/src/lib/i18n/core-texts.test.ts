/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";
import { en } from "./en";

// The core writes its sentences with `text!("key", "English template", …)`; the window says
// them as `core.<key>`. Every key the core uses must have a text here whose English reads
// exactly as the core's template, so no sentence reaches the owner untranslated.
const sources = import.meta.glob("../../../../src-tauri/**/*.rs", {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

function coreTemplates(): Map<string, string> {
  const found = new Map<string, string>();
  const call = /text!\(\s*"([\w.]+)",\s*"((?:[^"\\]|\\[\s\S])*)"/g;
  for (const [path, source] of Object.entries(sources)) {
    if (path.includes("/target/")) continue;
    for (const match of source.matchAll(call)) {
      const key = match[1] ?? "";
      if (key.startsWith("test.")) continue;
      const template = (match[2] ?? "").replace(/\\\n\s*/g, "").replace(/\\(["'\\])/g, "$1");
      const seen = found.get(key);
      expect(seen === undefined || seen === template, `core key ${key} has two different English texts`).toBe(true);
      found.set(key, template);
    }
  }
  return found;
}

describe("the core's sentences", () => {
  const templates = coreTemplates();

  it("are found in the Rust sources", () => {
    expect(templates.size).toBeGreaterThan(100);
    expect(templates.get("number.name_taken")).toBe("You already have a number called “{name}”. Pick another name.");
  });

  it("each has a text in the window, identical to the core's English", () => {
    for (const [key, template] of templates) {
      expect(en[`core.${key}` as keyof typeof en], `core.${key}`).toBe(template);
    }
  });

  it("the window has no text for a sentence the core no longer writes", () => {
    const stale = Object.keys(en).filter((key) => key.startsWith("core.") && !templates.has(key.slice(5)));
    expect(stale).toEqual([]);
  });
});
