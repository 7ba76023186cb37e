// A lead's history entry as one sentence in the owner's language.
import type { LeadEvent } from "../bindings";
import { t, type Key } from "../i18n/index.svelte";

const stageKey = (stage: unknown): Key => `stage.${String(stage)}` as Key;

export function describeEvent(event: LeadEvent): string {
  let detail: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(event.detail);
    if (parsed && typeof parsed === "object") detail = parsed as Record<string, unknown>;
  } catch {
    // A detail this version can't read: the kind alone still says what happened.
  }
  const by = detail.by === "owner" ? ` (${t("event.byOwner")})` : "";
  switch (event.kind) {
    case "stage":
    case "stage_changed":
      return t("event.stage", { from: t(stageKey(detail.from)), to: t(stageKey(detail.to)) }) + by;
    case "fields": {
      const changed = (detail.fields ?? detail) as Record<string, unknown>;
      const names = Object.keys(changed).filter((k) => k !== "by");
      return `${t("event.fields")}: ${names.join(", ")}${by}`;
    }
    case "notes":
      return t("event.notes") + by;
    default:
      return event.kind;
  }
}
