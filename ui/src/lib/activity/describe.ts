// An audit entry in the owner's language: the sentence for its kind (and variant), filled
// with the values the core kept; the core's English sentence when there is no such text
// or a value is missing (entries written before values were kept, or by a newer version).
import type { ActivityEntry } from "../bindings";
import { en } from "../i18n/en";
import { t, type Key } from "../i18n/index.svelte";
import { formatNumber } from "../format";

export function describeActivity(entry: ActivityEntry): string {
  const variant = entry.args.variant;
  const key = variant ? `audit.${entry.kind}.${variant}` : `audit.${entry.kind}`;
  if (!(key in en)) return entry.message;
  const needed = [...en[key as Key].matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "");
  if (!needed.every((name) => entry.args[name] !== undefined)) return entry.message;
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(entry.args)) {
    if (value === undefined) continue;
    // Counts in the owner's digits; names, reasons and phones as written.
    values[name] = /^\d+$/.test(value) && name !== "lead" && name !== "status" ? formatNumber(Number(value)) : value;
  }
  return t(key as Key, values);
}
