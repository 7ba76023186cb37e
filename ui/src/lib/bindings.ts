// Generated from the Rust types by `scripts/bindings.sh`. Do not edit by hand:
// the shell test `bindings_match_the_rust_types` fails when this file drifts.

import type { Channel } from "@tauri-apps/api/core";

export type Text = { 
/**
 * Stable: the window's texts are keyed `core.<key>`. Never reuse a key for another
 * sentence; add a new one.
 */
key: string, 
/**
 * The values the sentence is made of, by placeholder name.
 */
args: { [key in string]: string }, english: string, 
/**
 * The technical words behind it (a browser's error code, a program's last line), for
 * "Details" in the window and for support; never needed to act on the sentence.
 */
detail?: string, };

/**
 * What kind of failure this is, for the UI to choose what to show and offer.
 * Closed on purpose: a new code is a UI change too.
 */
export type ErrorCode = "invalid_input" | "not_found" | "conflict" | "storage" | "unavailable" | "internal";

/**
 * What a failed command returns to the UI. Never a bare string: the UI switches on `code`
 * and shows `text` in the owner's language (`message` is its English, written for the owner).
 */
export type IpcError = { code: ErrorCode, message: string, 
/**
 * Boxed: an error is rare, and a small `Result` keeps every command's happy path lean.
 */
text: Text, 
/**
 * The file the problem is about, when there is one (shown so the owner can find it).
 */
path: string | null, };

/**
 * The answer to "can the app work, and where are its files?", asked by the UI at start.
 */
export type AppStatus = { 
/**
 * False when the database could not be opened; `error` says why and what to do.
 */
ready: boolean, error: IpcError | null, version: string, databasePath: string, logDir: string, 
/**
 * Where backups and exports are saved (the Downloads folder).
 */
exportDir: string, };

/**
 * Whether WhatsApp knows this number as linked, as last seen. The live state of its
 * browser comes from the runtime; this is what survives a restart.
 */
export type LinkState = "unlinked" | "linked" | "logged_out";

/**
 * A number's limits as the page last said.
 */
export type Limits = { 
/**
 * WhatsApp refuses this number's messages to contacts who haven't written recently.
 */
timelocked: boolean, 
/**
 * When the timelock ends (unix ms), when WhatsApp said.
 */
timelockEndsAt: number | null, 
/**
 * This number reached its monthly limit of new chats.
 */
capped: boolean, };

/**
 * A number as the UI shows it.
 */
export type WaNumber = { id: number, name: string, 
/**
 * WhatsApp's id for the number once linked (e.g. `15551234567@c.us`).
 */
waId: string | null, linkState: LinkState, 
/**
 * Unix milliseconds.
 */
createdAt: number, 
/**
 * How many conversations and leads removing it would delete.
 */
chatCount: number, leadCount: number, 
/**
 * The WhatsApp Web build its page ran when last seen (`Debug.VERSION`).
 */
waVersion: string | null, 
/**
 * Whether Leadline's bridge was checked against that build (true while unknown).
 */
waVersionTested: boolean, 
/**
 * Parts of the bridge that build lacked (names of inject.js's features).
 */
waMissingFeatures: Array<string>, 
/**
 * What WhatsApp limits for this number now, as its page last said.
 */
limits: Limits, };

/**
 * A linked number's state, shown the same way everywhere.
 */
export type AccountState = { "state": "Stopped" } | { "state": "Starting" } | { "state": "ScanQr", qr: string, expiresAt: number, } | { "state": "PairingCode", code: string | null, expiresAt: number, renewalsLeft: number, } | { "state": "Passkey", stage: string | null, code: string | null, } | { "state": "Syncing", percent: number, } | { "state": "Working", me: string, } | { "state": "Failed", reason: Text, openElsewhere: boolean, } | { "state": "LoggedOut" };

/**
 * One step of linking a number, streamed to the window that asked.
 */
export type LinkEvent = { state: AccountState, 
/**
 * The QR as an SVG image, while `state` is `ScanQr`.
 */
qrSvg: string | null, };

/**
 * A number's state, for the initial badges.
 */
export type NumberState = { id: number, state: AccountState, };

export type Theme = "system" | "light" | "dark";

export type AppSettings = { theme: Theme, 
/**
 * The browser program that runs WhatsApp Web; `None`: Leadline finds one.
 */
browserPath: string | null, 
/**
 * Where WhatsApp Web is; `None`: WhatsApp's own address. Pointing it elsewhere is for
 * testing Leadline against a stand-in.
 */
whatsappUrl: string | null, 
/**
 * The window's language (`en`, `es`, `pt`, `ar`); `None`: the computer's.
 */
language: string | null, 
/**
 * Until when (unix ms) the logs record message texts, contact names, phone numbers
 * and QR codes, for troubleshooting; at most a day after it is turned on. `None`: off.
 */
detailedLogsUntil: number | null, 
/**
 * The most the AI may cost in any hour, in millionths of a US dollar; once reached,
 * answers wait until the last hour's cost falls below it. `None`: no limit.
 */
aiSpendPerHourMicros: number | null, 
/**
 * How many days customers' photos, voice notes and documents are kept on this
 * computer (1 to 3650); `None`: `DEFAULT_MEDIA_KEEP_DAYS`. The messages stay.
 */
mediaKeepDays: number | null, 
/**
 * How customers' voice notes are heard (changed only through the speech commands,
 * which load the model or check the provider first).
 */
voice: VoiceHearing, };

/**
 * How customers' voice notes are heard.
 */
export type VoiceHearing = { "by": "off" } | { "by": "computer", model: string, } | { "by": "provider", provider: string, };

/**
 * Which browser runs WhatsApp Web with the current settings, or why none can.
 */
export type BrowserInUse = { 
/**
 * The program's path, when one was found.
 */
path: string | null, 
/**
 * What is wrong and what to do, when none was found.
 */
problem: Text | null, };

export type ActivityEntry = { id: number, 
/**
 * The number it concerns; `None` once that number is removed, or for app-wide entries.
 */
accountId: number | null, 
/**
 * A stable machine name, e.g. `number_added`.
 */
kind: string, 
/**
 * The sentence the owner reads, in English.
 */
message: string, 
/**
 * The values the sentence is made of (e.g. `name`), for saying it in another language.
 */
args: { [key in string]: string }, 
/**
 * Unix milliseconds.
 */
createdAt: number, };

/**
 * Announced once, when a lead first qualifies: notify the owner.
 */
export type QualifiedLead = { leadId: number, accountId: number, 
/**
 * The name the lead gave, or their WhatsApp name.
 */
name: string | null, 
/**
 * E.164 when known.
 */
phone: string | null, reason: string, score: number, 
/**
 * The key fields, as (name, value).
 */
fields: Array<[string, string]>, };

/**
 * Where a lead is, in order: the AI moves it from new to engaged to qualified; won and
 * lost are the owner's to set.
 */
export type Stage = "new" | "engaged" | "qualified" | "won" | "lost";

/**
 * A lead as the Leads list shows it.
 */
export type LeadSummary = { id: number, numberId: number, numberName: string, name: string | null, phone: string | null, stage: Stage, score: number, reason: string | null, qualifiedAt: number | null, updatedAt: number, 
/**
 * (name, value), by name.
 */
fields: Array<[string, string]>, };

export type LeadFilter = { numberId: number | null, 
/**
 * Empty: every stage.
 */
stages: Array<string>, minScore: number | null, qualifiedFromMs: number | null, qualifiedUntilMs: number | null, 
/**
 * Words to find in the name, phone or any field; a phone may be typed any way.
 */
search: string, };

export type LeadSort = "updated" | "created" | "name" | "score" | "qualified";

export type LeadPageRequest = { filter: LeadFilter, sort: LeadSort, descending: boolean, offset: number, limit: number, };

export type LeadPage = { 
/**
 * Leads the filter matches in all.
 */
total: number, offset: number, rows: Array<LeadSummary>, };

export type LeadFieldValue = { key: string, value: string, 
/**
 * `ai` or `owner`.
 */
source: string, };

/**
 * Who changed a lead.
 */
export type ChangedBy = "ai" | "owner";

/**
 * One change in a lead's history.
 */
export type LeadChange = { "kind": "fields", by: ChangedBy, fields: Array<[string, string | null]>, } | { "kind": "stage", by: ChangedBy, from: Stage, to: Stage, reason: string | null, } | { "kind": "notes", by: ChangedBy, };

/**
 * An entry of a lead's history.
 */
export type LeadEvent = { id: number, change: LeadChange, createdAt: number, };

export type LeadDetail = { lead: LeadSummary, fields: Array<LeadFieldValue>, 
/**
 * The fields the number's assistant asks for, so empty ones can be filled in too.
 */
asked: Array<LeadField>, notes: string, chatId: number | null, createdAt: number, 
/**
 * Newest first.
 */
events: Array<LeadEvent>, };

/**
 * What the owner changed; what is left out stays as it is.
 */
export type LeadEdit = { stage: string | null, notes: string | null, 
/**
 * (field, value); an empty value clears the field.
 */
fields: Array<[string, string]>, };

export type LeadExportRequest = { filter: LeadFilter, sort: LeadSort, descending: boolean, };

export type LeadExport = { 
/**
 * Where the file was written.
 */
path: string, rows: number, };

/**
 * How far an export got: `done` of `total` rows written. Streamed to the caller (the
 * window's progress bar) every few thousand rows and at the end.
 */
export type ExportProgress = { done: number, total: number, };

/**
 * What a chat is, from its WhatsApp id.
 */
export type ChatKind = "person" | "group" | "broadcast";

/**
 * Which way a message went.
 */
export type Direction = "in" | "out";

/**
 * Who wrote a message: the customer, the bot, or the owner (in the app or on the phone).
 */
export type Origin = "customer" | "bot" | "owner_app" | "owner_phone";

/**
 * Whether the bot answers in a chat.
 */
export type BotInChat = { "state": "active" } | { "state": "paused", until: number, reason: string | null, } | { "state": "ignored" };

export type LastMessage = { body: string, direction: Direction, origin: Origin, ack: number, sentAt: number, };

/**
 * One chat in the list.
 */
export type ChatSummary = { id: number, numberId: number, numberName: string, 
/**
 * The contact's name as the owner or WhatsApp knows it, or the phone.
 */
title: string, phone: string | null, kind: ChatKind, last: LastMessage | null, bot: BotInChat, leadId: number | null, leadStage: Stage | null, };

export type ChatListRequest = { 
/**
 * `None`: every number.
 */
numberId: number | null, 
/**
 * Words in the contact's name or phone.
 */
search: string, offset: number, 
/**
 * 1–500; 0 means 100.
 */
limit: number, };

/**
 * A message's kind, as `messages.kind` keeps it (text is WhatsApp's own word, `chat`).
 */
export type MessageKind = "chat" | "image" | "video" | "voice" | "audio" | "document" | "sticker" | "location" | "live_location" | "contact" | "view_once" | "album" | "unsupported";

/**
 * A contact card as the message carries it.
 */
export type ContactCard = { name: string, 
/**
 * The card itself (vCard text).
 */
vcard: string, };

/**
 * The message a reply quotes.
 */
export type Quoted = { 
/**
 * WhatsApp's short id of the quoted message (its `id.id`).
 */
waId: string, 
/**
 * Its text, when it had some (cut short).
 */
text: string | null, };

/**
 * What a message carries besides its text; every field is absent when WhatsApp gave none.
 */
export type MessageDetails = { mimetype?: string, filename?: string, 
/**
 * Bytes, as WhatsApp announced them.
 */
size?: number, durationS?: number, width?: number, height?: number, pageCount?: number, 
/**
 * A small JPEG preview, base64, as WhatsApp sends it with a photo, video, document or
 * place.
 */
thumbnail?: string, lat?: number, lng?: number, 
/**
 * A place's name and address, as the customer's phone wrote them.
 */
place?: string, contacts: Array<ContactCard>, quoted?: Quoted, 
/**
 * WhatsApp's own word for a kind this build doesn't show.
 */
waType?: string, };

/**
 * Where a media message's file is.
 */
export type MediaState = "pending" | "stored" | "failed";

/**
 * A media message's file, as Conversations shows it.
 */
export type MediaFile = { state: MediaState, 
/**
 * Why it was not had: `expired`, `not_on_phone`, `timeout`, `too_large`,
 * `refused_type`, `hash_mismatch`, `number_full`, `not_connected` or `failed`.
 */
reason: string | null, 
/**
 * Its size once kept.
 */
bytes: number | null, };

/**
 * A kept file's bytes, for the window to show or play.
 */
export type MediaContent = { mimetype: string, 
/**
 * The file, base64.
 */
data: string, };

export type SpeechModel = { 
/**
 * Hears English only (the smallest); else every language.
 */
englishOnly: boolean, id: string, 
/**
 * The download's size (approximate until it is here, when not pinned).
 */
bytes: number, 
/**
 * Memory it needs while it works.
 */
ramMb: number, 
/**
 * Downloaded and checked.
 */
installed: boolean, 
/**
 * Bytes of an interrupted download kept for "Resume".
 */
partialBytes: number, 
/**
 * The one in use.
 */
inUse: boolean, 
/**
 * This computer has the memory for it (at most half of it).
 */
fits: boolean, 
/**
 * This computer's memory, when known.
 */
totalMb: number | null, };

export type ModelFile = { id: string, 
/**
 * The download's size (approximate until it is here, when not pinned).
 */
bytes: number, 
/**
 * Memory it needs while it works.
 */
ramMb: number, 
/**
 * Downloaded and checked.
 */
installed: boolean, 
/**
 * Bytes of an interrupted download kept for "Resume".
 */
partialBytes: number, 
/**
 * The one in use.
 */
inUse: boolean, 
/**
 * This computer has the memory for it (at most half of it).
 */
fits: boolean, 
/**
 * This computer's memory, when known.
 */
totalMb: number | null, };

/**
 * The llama.cpp server's state.
 */
export type LocalAiState = { "state": "off" } | { "state": "starting", model: string, } | { "state": "running", model: string, } | { "state": "failed", reason: Text, } | { "state": "missing" };

/**
 * A voice note's transcript, as Conversations shows it and the assistant reads it.
 */
export type VoiceTranscript = { state: HearingState, 
/**
 * The words heard (done).
 */
text: string | null, 
/**
 * The language heard, ISO 639-1 ("es").
 */
language: string | null, 
/**
 * Why not (failed): `no_file`, `not_sound`, `too_long`, `no_model`, `off`, `timeout`,
 * `failed`, or the provider's: `provider_key`, `provider_down`, `provider_refused`,
 * `no_provider`, `spend_limit`, `keychain`.
 */
reason: string | null, 
/**
 * The AI provider that heard it (its name), when it wasn't this computer.
 */
byProvider: string | null, };

/**
 * Where a voice note's hearing is.
 */
export type HearingState = "pending" | "done" | "failed";

/**
 * One message of a transcript.
 */
export type ChatMessage = { id: number, direction: Direction, origin: Origin, 
/**
 * Text, a photo, a voice note…
 */
kind: MessageKind, 
/**
 * What a person wrote: the text, or a photo's caption.
 */
body: string, 
/**
 * What it carries besides its text; `None` for plain text.
 */
details: MessageDetails | null, 
/**
 * The sender edited it (`body` is the text now).
 */
edited: boolean, 
/**
 * The sender deleted it for everyone; its text is kept for the owner.
 */
deleted: boolean, 
/**
 * The first text of an edited message.
 */
originalBody: string | null, 
/**
 * Reactions to it, oldest first (one per person).
 */
reactions: Array<string>, 
/**
 * Its file, for a customer's photo, voice note, document…: on its way, kept or not.
 */
media: MediaFile | null, 
/**
 * A customer's voice note as Leadline heard it (its words, or why not).
 */
heard: VoiceTranscript | null, 
/**
 * WhatsApp's ticks: -1 failed, 0 pending, 1 sent, 2 delivered, 3 read, 4 played.
 */
ack: number, sentAt: number, };

export type Transcript = { chat: ChatSummary, 
/**
 * Oldest first.
 */
messages: Array<ChatMessage>, 
/**
 * Whether older messages than these exist.
 */
moreBefore: boolean, };

/**
 * What an entry is about, for the log's filter.
 */
export type ActivityGroup = "linking" | "connection" | "errors" | "takeovers" | "commands" | "webhooks" | "settings";

export type PeriodFigures = { 
/**
 * Unix ms the period starts at.
 */
since: number, 
/**
 * Chats with a message in the period.
 */
conversations: number, newLeads: number, qualified: number, 
/**
 * Median from a customer's message to the bot's reply; `None` without replies.
 */
medianResponseMs: number | null, 
/**
 * What the AI cost (replies and playground), in millionths of a US dollar.
 */
aiCostMicros: number, 
/**
 * `None` when nothing qualified.
 */
costPerQualifiedMicros: number | null, };

export type HomeFigures = { today: PeriodFigures, week: PeriodFigures, 
/**
 * Newest first, at most 5.
 */
latestQualified: Array<LeadSummary>, };

/**
 * Whether desktop notifications can be shown on this computer, as Settings says it.
 */
export type NotificationsStatus = { available: boolean, 
/**
 * The notification service, e.g. "dunst 1.9.0", when one answered.
 */
server: string | null, 
/**
 * What it means for the owner, and what to do when notifications can't show.
 */
text: Text, };

export type Backup = { 
/**
 * Where the copy is.
 */
path: string, bytes: number, elapsedMs: number, };

/**
 * What "Remove all data" did.
 */
export type DataRemoved = { 
/**
 * Set when the API keys could not be removed from the keychain: what to do by hand.
 */
keysLeft: Text | null, 
/**
 * True when Leadline closes itself now (the app); false in tests.
 */
closing: boolean, };

/**
 * An update the server offers.
 */
export type AvailableUpdate = { version: string, 
/**
 * The release notes, as published.
 */
notes: string | null, 
/**
 * RFC 3339, when published.
 */
date: string | null, };

export type UpdateCheck = { current: string, 
/**
 * `None`: this is the latest version.
 */
available: AvailableUpdate | null, };

/**
 * How a download goes, for the progress bar.
 */
export type UpdateProgress = { "event": "downloading", downloaded: number, total: number | null, } | { "event": "installing" };

/**
 * An entry Leadline could not use, and why.
 */
export type SkippedEntry = { line: number, text: string, reason: Text, };

export type ImportReport = { 
/**
 * Phones found in the file.
 */
found: number, 
/**
 * Newly marked as known.
 */
added: number, 
/**
 * Already known before (or twice in the file).
 */
alreadyKnown: number, 
/**
 * Written with a country code but no `+`, valid as a local number too, and read as the
 * international one (`48 691 342 341` in a German book is a Polish number).
 */
readInternationally: number, skipped: number, 
/**
 * The first skipped entries, to show.
 */
skippedEntries: Array<SkippedEntry>, 
/**
 * Known contacts of this number after the import.
 */
knownTotal: number, };

/**
 * What to do outside working hours.
 */
export type OutsideHours = "away_message" | "ai_closed" | "silent" | "only_when_closed";

/**
 * What to do when a customer sends what the assistant can't see: a video, a document, an
 * audio file, a view-once, or a photo when the number's model can't see photos.
 */
export type UnseenMedia = "answer" | "hand_over";

/**
 * A number's bot behaviour, with the defaults a new owner gets.
 */
export type Behaviour = { answerGroups: boolean, 
/**
 * Contacts imported from the owner's address book are left to the owner.
 */
ignoreKnownContacts: boolean, 
/**
 * How long a message from the owner pauses the bot in that chat.
 */
takeoverMinutes: number, maxRepliesPerContactHour: number, maxRepliesPerNumberDay: number, 
/**
 * A burst of customer messages within this many seconds is answered as one turn.
 */
debounceSeconds: number, 
/**
 * Messages that arrived while the app was closed are answered if newer than this.
 */
freshnessHours: number, outsideHours: OutsideHours, awayMessage: string, 
/**
 * The bot starts answering at this local time, "YYYY-MM-DDTHH:MM" in the number's
 * zone; `None`: already on.
 */
botStartsAt: string | null, 
/**
 * The bot stops answering at this local time; `None`: no end.
 */
botStopsAt: string | null, unseenMedia: UnseenMedia, };

/**
 * One opening period on a weekday, `start`–`end` as "HH:MM". An `end` at or before
 * `start` runs into the next day (22:00–02:00).
 */
export type Period = { 
/**
 * 1 = Monday … 7 = Sunday (ISO).
 */
weekday: number, start: string, end: string, };

/**
 * A one-off closure, local date-times "YYYY-MM-DDTHH:MM" in the schedule's zone.
 */
export type Closure = { from: string, until: string, note: string, };

export type Schedule = { 
/**
 * IANA zone, e.g. `Europe/Madrid`.
 */
zone: string, periods: Array<Period>, 
/**
 * Whole days closed, "YYYY-MM-DD" (periods that started the day before still end).
 */
holidays: Array<string>, closures: Array<Closure>, };

/**
 * How a quick reply's pattern is matched.
 */
export type MatchKind = "keyword" | "regex";

export type QuickReply = { kind: MatchKind, pattern: string, reply: string, enabled: boolean, };

/**
 * What started (or keeps off) a number's assistant.
 */
export type BotStart = "waiting" | "owner" | "playground";

export type NumberBot = { 
/**
 * The owner's on/off switch for this number's bot.
 */
enabled: boolean, 
/**
 * Why it answers or not (a new number waits to be tried); read only: saving sets it
 * to the owner's when `enabled` changes.
 */
started: BotStart, behaviour: Behaviour, 
/**
 * `None`: always open.
 */
schedule: Schedule | null, 
/**
 * In the order they are tried.
 */
quickReplies: Array<QuickReply>, };

/**
 * A number's webhook as the UI sees it: the address, and whether a secret is set.
 */
export type WebhookView = { url: string | null, secretSet: boolean, };

/**
 * What "Send test" got back.
 */
export type WebhookCheck = { status: number, elapsedMs: number, };

/**
 * One variant per fact, each saying what the receiver should do next.
 */
export type CoreEvent = { "type": "number:upserted", "payload": WaNumber } | { "type": "number:removed", "payload": { id: number, } } | { "type": "account:status", "payload": { id: number, state: AccountState, } } | { "type": "settings:changed", "payload": AppSettings } | { "type": "lead:qualified", "payload": QualifiedLead } | { "type": "lead:updated", "payload": { id: number, number_id: number, } } | { "type": "lead:open", "payload": { id: number, } } | { "type": "chat:updated", "payload": { id: number, number_id: number, } } | { "type": "message:acked", "payload": { number_id: number, } } | { "type": "bots:paused", "payload": { paused: boolean, } } | { "type": "reply:failed", "payload": { numberId: number, chatId: number, 
/**
 * The number's name.
 */
number: string, 
/**
 * The customer, as shown (`+34600111222`).
 */
who: string, reason: Text, } } | { "type": "store:failed", "payload": { reason: Text, } } | { "type": "local_ai:state", "payload": LocalAiState } | { "type": "model:progress", "payload": { id: string, done: number, total: number, } };

export type Preset = "open_ai" | "anthropic" | "gemini" | "deep_seek" | "groq" | "open_router" | "mistral" | "ollama" | "lm_studio" | "llama_cpp" | "custom" | "this_computer";

/**
 * US dollars per million tokens, in millionths of a dollar (integers: no float drift in
 * sums of many small calls).
 */
export type Price = { inputMicrosPerMtok: number, outputMicrosPerMtok: number, };

export type FieldKind = "text" | "email" | "phone";

export type LeadField = { 
/**
 * The key in the AI's answer and in the lead, e.g. `email`.
 */
name: string, 
/**
 * What to ask for, in the owner's words; goes into the prompt.
 */
description: string, kind: FieldKind, };

/**
 * Whether a provider's key is in the keychain, as the UI may see it.
 */
export type KeyState = { "state": "notSet" } | { "state": "set", last4: string, } | { "state": "unavailable", reason: Text, };

/**
 * A provider as the UI shows it.
 */
export type ProviderView = { id: string, preset: Preset, label: string, baseUrl: string, defaultModel: string | null, needsKey: boolean, key: KeyState, isDefault: boolean, 
/**
 * Whether it can hear customers' voice notes (Settings › Voice notes).
 */
canHear: boolean, };

/**
 * A preset the owner can add.
 */
export type PresetInfo = { preset: Preset, label: string, baseUrl: string, needsKey: boolean, suggestedModel: string, };

/**
 * What the owner submits to add or change a provider. `key`: `None` keeps the stored key,
 * `Some("")` removes it, anything else replaces it.
 */
export type ProviderInput = { 
/**
 * `None` to add a new one.
 */
id: string | null, preset: Preset, baseUrl: string, defaultModel: string | null, key: string | null, makeDefault: boolean, };

/**
 * "Test connection": the models the provider offers with this key.
 */
export type ConnectionCheck = { models: Array<string>, 
/**
 * Whether the provider lists the default model (some servers list none).
 */
defaultModelListed: boolean | null, elapsedMs: number, };

export type NumberAi = { prompt: string, facts: string, fields: Array<LeadField>, 
/**
 * When a lead qualifies, in plain words.
 */
criteria: string, 
/**
 * `None`: the default provider.
 */
provider: string | null, 
/**
 * `None`: the provider's default model.
 */
model: string | null, };

/**
 * One step of the checklist, in the order they are best done.
 */
export type FirstStep = "ai" | "link" | "assistant" | "hours";

/**
 * Where the checklist stands.
 */
export type FirstSteps = { 
/**
 * The steps done, from what the owner did (never ticked by hand).
 */
done: Array<FirstStep>, 
/**
 * The steps the owner put off ("Later").
 */
later: Array<FirstStep>, 
/**
 * The owner closed the checklist.
 */
hidden: boolean, };

/**
 * What the owner chose, as stored.
 */
export type FirstStepsChoice = { later: Array<FirstStep>, hidden: boolean, };

/**
 * One message in the playground's conversation.
 */
export type PlaygroundMessage = { 
/**
 * true: the business (the AI's reply); false: the customer (the owner typing).
 */
fromBusiness: boolean, text: string, 
/**
 * A photo sent as the customer, with `text` as its caption.
 */
photo?: PlaygroundPhoto, };

/**
 * A photo as the window sends it: its type and its bytes in base64.
 */
export type PlaygroundPhoto = { mimetype: string, base64: string, };

/**
 * A field the AI found, checked.
 */
export type FoundField = { name: string, 
/**
 * As stored: an email in lower case, a phone in E.164.
 */
value: string, 
/**
 * Why the value was not accepted, if it wasn't.
 */
problem: Text | null, };

/**
 * The playground's answer to one turn.
 */
export type PlaygroundTurn = { reply: string, fields: Array<FoundField>, qualified: boolean, reason: string, 
/**
 * The answer was cut off by the token limit.
 */
truncated: boolean, model: string, promptTokens: number, completionTokens: number, 
/**
 * In millionths of a dollar; `None` when the price table has no price for the model.
 */
costMicros: number | null, elapsedMs: number, 
/**
 * This answer switched on the number's assistant, which was waiting to be tried: it
 * answers customers from now on.
 */
startedAnswering: boolean, };

/** Every command: its arguments and what it resolves to (errors are `IpcError`). */
export type Commands = {
  app_status: { args: Record<string, never>; result: AppStatus };
  app_retry_open: { args: Record<string, never>; result: AppStatus };
  numbers_list: { args: Record<string, never>; result: Array<WaNumber> };
  numbers_add: { args: { name: string }; result: WaNumber };
  numbers_rename: { args: { id: number; name: string }; result: WaNumber };
  numbers_remove: { args: { id: number }; result: null };
  numbers_link: { args: { id: number; onEvent: Channel<LinkEvent> }; result: null };
  numbers_unlink: { args: { id: number }; result: null };
  numbers_refresh_qr: { args: { id: number }; result: null };
  numbers_pairing_code: { args: { id: number; phone: string }; result: string };
  numbers_use_here: { args: { id: number }; result: null };
  numbers_confirm_passkey: { args: { id: number }; result: null };
  numbers_states: { args: Record<string, never>; result: Array<NumberState> };
  settings_get: { args: Record<string, never>; result: AppSettings };
  settings_set: { args: { settings: AppSettings }; result: AppSettings };
  settings_browser: { args: Record<string, never>; result: BrowserInUse };
  first_steps_get: { args: Record<string, never>; result: FirstSteps };
  first_steps_set: { args: { choice: FirstStepsChoice }; result: FirstSteps };
  bots_paused: { args: Record<string, never>; result: boolean };
  bots_pause: { args: { paused: boolean }; result: boolean };
  autostart_get: { args: Record<string, never>; result: boolean };
  autostart_set: { args: { enabled: boolean }; result: boolean };
  app_backup: { args: Record<string, never>; result: Backup };
  app_open_logs: { args: Record<string, never>; result: null };
  app_remove_data: { args: { confirm: string }; result: DataRemoved };
  update_check: { args: Record<string, never>; result: UpdateCheck };
  update_install: { args: { onProgress: Channel<UpdateProgress> }; result: null };
  update_restart: { args: Record<string, never>; result: null };
  activity_list: { args: { limit: number; group: ActivityGroup | null; numberId: number | null; beforeId: number | null }; result: Array<ActivityEntry> };
  ai_presets: { args: Record<string, never>; result: Array<PresetInfo> };
  ai_providers: { args: Record<string, never>; result: Array<ProviderView> };
  ai_provider_save: { args: { provider: ProviderInput }; result: ProviderView };
  ai_provider_remove: { args: { id: string }; result: null };
  ai_provider_test: { args: { id: string }; result: ConnectionCheck };
  ai_prices: { args: Record<string, never>; result: { [key in string]: Price } };
  ai_prices_set: { args: { prices: { [key in string]: Price } }; result: { [key in string]: Price } };
  number_ai_get: { args: { id: number }; result: NumberAi };
  number_ai_set: { args: { id: number; ai: NumberAi }; result: NumberAi };
  playground_turn: { args: { id: number; conversation: Array<PlaygroundMessage> }; result: PlaygroundTurn };
  number_bot_get: { args: { id: number }; result: NumberBot };
  number_bot_set: { args: { id: number; bot: NumberBot }; result: NumberBot };
  webhook_get: { args: { id: number }; result: WebhookView };
  webhook_set: { args: { id: number; url: string | null; secret: string | null }; result: WebhookView };
  webhook_test: { args: { id: number }; result: WebhookCheck };
  leads_latest: { args: { limit: number }; result: Array<LeadSummary> };
  leads_page: { args: { request: LeadPageRequest }; result: LeadPage };
  lead_get: { args: { id: number }; result: LeadDetail };
  lead_edit: { args: { id: number; edit: LeadEdit }; result: LeadDetail };
  lead_take_pending: { args: Record<string, never>; result: number | null };
  leads_export: { args: { request: LeadExportRequest; onProgress: Channel<ExportProgress> }; result: LeadExport };
  chats_list: { args: { request: ChatListRequest }; result: Array<ChatSummary> };
  chat_transcript: { args: { id: number; beforeId: number | null; limit: number }; result: Transcript };
  chat_reply: { args: { id: number; text: string }; result: null };
  chat_pause: { args: { id: number; minutes: number }; result: ChatSummary };
  chat_resume: { args: { id: number }; result: ChatSummary };
  chat_ignore: { args: { id: number; ignored: boolean }; result: ChatSummary };
  media_retry: { args: { messageId: number }; result: null };
  media_file: { args: { messageId: number }; result: MediaContent };
  media_save: { args: { messageId: number }; result: string };
  speech_models: { args: Record<string, never>; result: Array<SpeechModel> };
  speech_model_install: { args: { id: string }; result: Array<SpeechModel> };
  speech_model_cancel: { args: { id: string }; result: null };
  speech_model_use: { args: { id: string | null }; result: Array<SpeechModel> };
  speech_model_remove: { args: { id: string }; result: Array<SpeechModel> };
  speech_use_provider: { args: { provider: string }; result: AppSettings };
  local_ai_models: { args: Record<string, never>; result: Array<ModelFile> };
  local_ai_install: { args: { id: string }; result: Array<ModelFile> };
  local_ai_cancel: { args: { id: string }; result: null };
  local_ai_use: { args: { id: string }; result: LocalAiState };
  local_ai_remove: { args: { id: string }; result: Array<ModelFile> };
  local_ai_state: { args: Record<string, never>; result: LocalAiState };
  home_figures: { args: Record<string, never>; result: HomeFigures };
  notifications_status: { args: Record<string, never>; result: NotificationsStatus };
  notifications_test: { args: Record<string, never>; result: NotificationsStatus };
  contacts_import: { args: { id: number; file: Uint8Array }; result: ImportReport };
  contacts_known: { args: { id: number }; result: number };
  contacts_forget: { args: { id: number }; result: number };
};

/** The payload each event carries, by event name. */
export type EventPayload<N extends CoreEvent["type"]> = Extract<CoreEvent, { type: N }>["payload"];
