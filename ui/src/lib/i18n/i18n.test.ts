import { describe, expect, it } from "vitest";
import { en } from "./en";
import { es } from "./es";
import { pt } from "./pt";
import { ar } from "./ar";
import { i18n, say, systemLanguage, t } from "./index.svelte";
import { asIpcError } from "../ipc";
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

  it("says the core's sentences in the owner's language, and its English when it has no text", () => {
    const taken = { key: "number.name_taken", args: { name: "Tienda" }, english: "You already have a number called “Tienda”. Pick another name." };
    i18n.use("es");
    expect(say(taken)).toBe("Ya tienes un número llamado «Tienda». Elige otro nombre.");
    i18n.use("ar");
    expect(say(taken)).toBe("لديك بالفعل رقم باسم «Tienda». اختر اسمًا آخر.");
    expect(say({ key: "from.a.newer.core", args: {}, english: "Something new." })).toBe("Something new.");
    expect(say({ key: "number.name_taken", args: {}, english: "Missing its value." })).toBe("Missing its value.");
    i18n.use("en");
  });

  it("a command's error reaches the window in the owner's language", () => {
    i18n.use("pt");
    const error = asIpcError({
      code: "invalid_input",
      message: "Write a message first.",
      path: null,
      text: { key: "chat.reply_empty", args: {}, english: "Write a message first." },
    });
    expect(error.message).toBe("Escreva uma mensagem primeiro.");
    expect(error.code).toBe("invalid_input");
    i18n.use("en");
  });
});
