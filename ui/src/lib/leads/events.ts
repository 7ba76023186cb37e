// A lead's history entry as one sentence in the owner's language.
import type { LeadEvent } from "../bindings";
import { t } from "../i18n/index.svelte";

export function describeEvent(event: LeadEvent): string {
  const change = event.change;
  const by = change.by === "owner" ? ` (${t("event.byOwner")})` : "";
  switch (change.kind) {
    case "stage":
      return t("event.stage", { from: t(`stage.${change.from}`), to: t(`stage.${change.to}`) }) + by;
    case "fields":
      return `${t("event.fields")}: ${change.fields.map(([name]) => name).join(", ")}${by}`;
    case "notes":
      return t("event.notes") + by;
  }
}
