// Dates, times, counts and money in the owner's own locale (see i18n).
import { i18n } from "./i18n/index.svelte";

export function formatDateTime(unixMs: number): string {
  return new Intl.DateTimeFormat(i18n.locale, { dateStyle: "medium", timeStyle: "short" }).format(
    new Date(unixMs),
  );
}

export function formatDate(unixMs: number): string {
  return new Intl.DateTimeFormat(i18n.locale, { dateStyle: "medium" }).format(new Date(unixMs));
}

export function formatTime(unixMs: number): string {
  return new Intl.DateTimeFormat(i18n.locale, { timeStyle: "short" }).format(new Date(unixMs));
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(i18n.locale).format(value);
}

/** Millionths of a US dollar as money, with cents (or finer for tiny amounts). */
export function formatMicros(micros: number): string {
  const dollars = micros / 1_000_000;
  return new Intl.NumberFormat(i18n.locale, {
    style: "currency",
    currency: "USD",
    maximumFractionDigits: dollars !== 0 && Math.abs(dollars) < 0.01 ? 4 : 2,
  }).format(dollars);
}

/** A duration in ms as "850 ms", "4.2 s" or "3 min". */
export function formatDuration(ms: number): string {
  const unit = (value: number, u: "millisecond" | "second" | "minute", digits = 0) =>
    new Intl.NumberFormat(i18n.locale, { style: "unit", unit: u, unitDisplay: "short", maximumFractionDigits: digits }).format(value);
  if (ms < 1000) return unit(ms, "millisecond");
  if (ms < 60_000) return unit(ms / 1000, "second", 1);
  return unit(ms / 60_000, "minute", 1);
}
