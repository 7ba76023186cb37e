import { describe, expect, it } from "vitest";
import type { ActivityEntry } from "../bindings";
import { i18n } from "../i18n/index.svelte";
import { describeActivity } from "./describe";

const entry = (kind: string, message: string, args: Record<string, string>): ActivityEntry => ({
  id: 1,
  accountId: 1,
  kind,
  message,
  args,
  createdAt: 0,
});

describe("audit entries in the owner's language", () => {
  it("says the entry from its kind and values", () => {
    i18n.use("es");
    expect(describeActivity(entry("number_added", "Added number “Shop”", { name: "Shop" }))).toBe("Se añadió el número «Shop»");
    expect(describeActivity(entry("contact_ignored", "…", { variant: "off" }))).toBe("El bot vuelve a responder a un contacto");
    expect(describeActivity(entry("takeover", "…", { minutes: "14400" }))).toContain("14.400 minutos");
    i18n.use("ar");
    expect(describeActivity(entry("owner_command", "Bot resumed from WhatsApp", { variant: "resume" }))).toBe("استُؤنف البوت من واتساب");
    i18n.use("en");
  });

  it("falls back to the core's sentence for unknown kinds or missing values", () => {
    i18n.use("pt");
    expect(describeActivity(entry("from_a_newer_version", "Something new", {}))).toBe("Something new");
    expect(describeActivity(entry("number_added", "Added number “Shop”", {}))).toBe("Added number “Shop”");
    i18n.use("en");
  });

  it("says a failure's reason in the owner's language too, from its key and values", () => {
    const failed = entry("number_failed", "“Shop” stopped working: WhatsApp reported a problem (UNPAIRED). Leadline will try again.", {
      name: "Shop",
      reason: "WhatsApp reported a problem (UNPAIRED). Leadline will try again.",
      reason_key: "wa.socket_problem",
      reason_state: "UNPAIRED",
    });
    i18n.use("es");
    expect(describeActivity(failed)).toBe("«Shop» dejó de funcionar: WhatsApp informó de un problema (UNPAIRED). Leadline lo intentará de nuevo.");
    // A reason whose key this window doesn't know stays in the core's English.
    const newer = { ...failed, args: { ...failed.args, reason: "Something new.", reason_key: "wa.from_the_future" } };
    expect(describeActivity(newer)).toBe("«Shop» dejó de funcionar: Something new.");
    i18n.use("en");
  });
});
