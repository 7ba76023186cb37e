// The translation layer: every text the window shows comes from `t(key)`, in the owner's
// language (Settings, or the computer's), with Arabic laid out right to left. Dates, times
// and numbers follow the same locale.
import { en, type Key } from "./en";
import { es } from "./es";
import { pt } from "./pt";
import { ar } from "./ar";

export type Language = "en" | "es" | "pt" | "ar";
export const LANGUAGES: { code: Language; name: string }[] = [
  { code: "en", name: "English" },
  { code: "es", name: "Español" },
  { code: "pt", name: "Português" },
  { code: "ar", name: "العربية" },
];
const dictionaries: Record<Language, Record<Key, string>> = { en, es, pt, ar };

/** The computer's preferred language among ours, else English. */
export function systemLanguage(preferred: readonly string[] = navigator.languages ?? []): Language {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split("-")[0] ?? "";
    if (base in dictionaries) return base as Language;
  }
  return "en";
}

class I18n {
  language = $state<Language>("en");

  /** A BCP 47 locale for Intl: the computer's own region when it speaks this language. */
  get locale(): string {
    const own = (typeof navigator !== "undefined" ? navigator.languages : []) ?? [];
    return own.find((tag) => tag.toLowerCase().split("-")[0] === this.language) ?? this.language;
  }

  get dir(): "rtl" | "ltr" {
    return this.language === "ar" ? "rtl" : "ltr";
  }

  /** Applies `chosen` (or the computer's language) to the whole page. */
  use(chosen: string | null | undefined): void {
    this.language = chosen && chosen in dictionaries ? (chosen as Language) : systemLanguage();
    if (typeof document !== "undefined") {
      document.documentElement.lang = this.language;
      document.documentElement.dir = this.dir;
    }
  }
}

export const i18n = new I18n();

/** The text for `key` in the current language, with `{name}` filled from `values`. */
export function t(key: Key, values: Record<string, string | number> = {}): string {
  const text = dictionaries[i18n.language][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

/** A sentence from the core (an error, a number's failure) in the owner's language: the
 *  window's text for `core.<key>` filled with its values, else the core's English. */
export function say(text: { key: string; args: Partial<Record<string, string>>; english: string }): string {
  const key = `core.${text.key}`;
  if (!(key in en)) return text.english;
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(text.args)) if (value !== undefined) values[name] = value;
  const needed = [...en[key as Key].matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "");
  if (!needed.every((name) => name in values)) return text.english;
  return t(key as Key, values);
}

export type { Key };
