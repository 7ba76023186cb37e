// What a chat's row and header say about the assistant in it.
import type { BotInChat, ChatSummary } from "../bindings";
import { t } from "../i18n/index.svelte";
import { formatDateTime } from "../format";

export function botState(bot: BotInChat): string {
  switch (bot.state) {
    case "active":
      return t("chats.bot.active");
    case "paused":
      return t("chats.bot.paused", { time: formatDateTime(bot.until) });
    case "ignored":
      return t("chats.bot.ignored");
  }
}

/** A one-line preview of the chat's last message, with who wrote it. */
export function preview(chat: ChatSummary): string {
  if (!chat.last) return "";
  const body = chat.last.body.replace(/\s+/g, " ").trim();
  if (chat.last.direction === "in") return body;
  const who = chat.last.origin === "bot" ? t("chats.assistant") : t("chats.you");
  return `${who}: ${body}`;
}
