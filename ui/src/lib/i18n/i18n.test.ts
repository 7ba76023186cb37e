import { describe, expect, it } from "vitest";
import { en } from "./en";
import { es } from "./es";
import { pt } from "./pt";
import { ar } from "./ar";
import { i18n, systemLanguage, t } from "./index.svelte";
import { formatNumber } from "../format";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("translations", () => {
  it("every language has every text, with the same placeholders and nothing left blank", () => {
    for (const [name, dictionary] of Object.entries({ es, pt, ar })) {
      expect(Object.keys(dictionary).sort(), name).toEqual(Object.keys(en).sort());
      for (const [key, text] of Object.entries(dictionary)) {
        expect(text.trim(), `${name} ${key}`).not.toBe("");
        expect(placeholders(text), `${name} ${key}`).toEqual(placeholders(en[key as keyof typeof en]));
      }
    }
  });

  it("Arabic turns the page right to left; the others left to right", () => {
    i18n.use("ar");
    expect(document.documentElement.dir).toBe("rtl");
    expect(document.documentElement.lang).toBe("ar");
    expect(t("nav.leads")).toBe("العملاء المحتملون");
    i18n.use("es");
    expect(document.documentElement.dir).toBe("ltr");
    expect(t("leads.exporting", { done: 5, total: 10 })).toBe("Exportando 5 de 10…");
  });

  it("an unknown or missing choice falls back to the computer's language, then English", () => {
    expect(systemLanguage(["pt-BR", "en-US"])).toBe("pt");
    expect(systemLanguage(["de-DE"])).toBe("en");
    i18n.use("klingon");
    expect(["en", "es", "pt", "ar"]).toContain(i18n.language);
  });

  it("numbers follow the language's locale", () => {
    i18n.use("es");
    expect(formatNumber(100000)).toMatch(/100.000/);
    i18n.use("en");
    expect(formatNumber(100000)).toBe("100,000");
  });
});
