// An audit entry in the owner's language: the sentence for its kind (and variant), filled
// with the values the core kept; the core's English sentence when there is no such text
// or a value is missing (entries written before values were kept, or by a newer version).
import type { ActivityEntry } from "../bindings";
import { en } from "../i18n/en";
import { say, t, type Key } from "../i18n/index.svelte";
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
  // A value that is itself a sentence from the core (a failure's reason) comes with its
  // key (`reason_key`) and values (`reason_<name>`): say it in the owner's language too.
  for (const [name, english] of Object.entries(entry.args)) {
    const textKey = entry.args[`${name}_key`];
    if (english === undefined || textKey === undefined) continue;
    const args: Record<string, string> = {};
    for (const [arg, value] of Object.entries(entry.args)) {
      if (arg.startsWith(`${name}_`) && arg !== `${name}_key` && value !== undefined) args[arg.slice(name.length + 1)] = value;
    }
    values[name] = say({ key: textKey, args, english });
  }
  return t(key as Key, values);
}
