// Leadline's bridge into WhatsApp Web (contract: WHATSAPP_WEB.md, revision 2026-12).
// Everything that depends on the page's internals is in this file, and every page-facing
// name is in FEATURES: following a WhatsApp Web change should be an edit of that table.
// Reports go to Rust as JSON through the CDP binding named in CONFIG.binding.
//
// Runs in every new document (Page.addScriptToEvaluateOnNewDocument), so a reload re-injects
// it; the guards below keep it out of iframes and from running twice in one document.
// Modules register in waves, some after Debug.VERSION: each is looked up at first use and
// retried for a while; a feature that stays missing disables only what needs it.
(() => {
  "use strict";
  // Rust fills in its own settings at the marker (chromium.rs); these are the defaults.
  const CONFIG = Object.assign(
    {
      binding: "__leadlineEmit",
      readyTimeoutMs: 30000,
      pollMs: 200,
      moduleWaitMs: 15000,
      sendResultWaitMs: 10000,
      resendAfterMs: 5000,
      giveUpAfterMs: 15000,
      // The longest report sent (UTF-16 units): Rust refuses reports over 1 MiB unread, and
      // a message at WhatsApp's limit (65,536 characters) fits well within this.
      maxReportChars: 340000,
      maxBodyChars: 65536,
      pairingCodeLifeMs: 195000,
      pairingCodeAfterHelloMs: 60000,
      pairingCodeRenewals: 5,
    },
    /*LEADLINE_CONFIG*/ {},
  );

  if (window.top !== window) return;
  if (window.__leadline) return;

  // Every page-facing name, per feature, with the alternatives tried in order. `path` is
  // read from the module's exports (or their `default`); `kind` is the shape required.
  const FEATURES = {
    socket: [{ module: "WAWebSocketModel", path: ["Socket"], kind: "object" }],
    conn: [{ module: "WAWebConnModel", path: ["Conn"], kind: "object" }],
    cmd: [{ module: "WAWebCmd", path: ["Cmd"], kind: "object" }],
    msgs: [{ module: "WAWebCollections", path: ["Msg"], kind: "object" }],
    chats: [{ module: "WAWebCollections", path: ["Chat"], kind: "object" }],
    meUser: [
      { module: "WAWebUserPrefsMeUser", path: ["getMaybeMePnUser"], kind: "function" },
      { module: "WAWebUserPrefsMeUser", path: ["getMaybeMeUser"], kind: "function" },
    ],
    meLidUser: [{ module: "WAWebUserPrefsMeUser", path: ["getMaybeMeLidUser"], kind: "function" }],
    createWid: [{ module: "WAWebWidFactory", path: ["createWid"], kind: "function" }],
    msgKey: [{ module: "WAWebMsgKey", path: [], kind: "function" }],
    findChat: [{ module: "WAWebFindChatAction", path: ["findOrCreateLatestChat"], kind: "function" }],
    send: [{ module: "WAWebSendMsgChatAction", path: ["addAndSendMsgToChat"], kind: "function" }],
    ephemeral: [{ module: "WAWebGetEphemeralFieldsMsgActionsUtils", path: ["getEphemeralFields"], kind: "function" }],
    seen: [
      { module: "WAWebUpdateUnreadChatAction", path: ["sendSeen"], kind: "function", form: "object" },
      { module: "WAWebUpdateUnreadChatAction", path: ["markSeen"], kind: "function", form: "chat" },
    ],
    stream: [{ module: "WAWebStreamModel", path: ["Stream"], kind: "object" }],
    typingOn: [{ module: "WAWebChatStateBridge", path: ["sendChatStateComposing"], kind: "function" }],
    typingOff: [{ module: "WAWebChatStateBridge", path: ["sendChatStatePaused"], kind: "function" }],
    refreshQr: [
      { module: "WAWebBackendEventBus", path: ["BackendEventBus", "triggerRefreshQR"], kind: "function" },
      { module: "WAWebLaunchSocketUtils", path: ["refreshQR"], kind: "function" },
      { module: "WAWebCmd", path: ["Cmd", "refreshQR"], kind: "function" },
    ],
    advSecret: [
      { module: "WAWebAdvSignatureApi", path: ["getADVSecretKey"], kind: "function" },
      { module: "WAWebUserPrefsMultiDevice", path: ["getADVSecretKey"], kind: "function" },
    ],
    advEvents: [{ module: "WAWebUserPrefsMultiDevice", path: ["advSecretEventEmitter"], kind: "object" }],
    noiseInfo: [{ module: "WAWebUserPrefsInfoStore", path: ["waNoiseInfo"], kind: "object" }],
    signalStore: [{ module: "WAWebSignalStoreApi", path: ["waSignalStore"], kind: "object" }],
    base64: [{ module: "WABase64", path: ["encodeB64"], kind: "function" }],
    platform: [{ module: "WAWebCompanionRegClientUtils", path: ["DEVICE_PLATFORM"], kind: "string" }],
    offline: [{ module: "WAWebOfflineHandler", path: ["OfflineMessageHandler"], kind: "object" }],
    altLinking: [{ module: "WAWebAltDeviceLinkingApi", path: ["startAltLinkingFlow"], kind: "function", owner: true }],
    linkReset: [{ module: "WAWebLinkDeviceAction", path: ["resetLinkDeviceState"], kind: "function", owner: true }],
    lidToPhone: [
      { module: "WAWebApiContact", path: ["getPhoneNumber"], kind: "function" },
      { module: "WAWebLidMigrationUtils", path: ["toPn"], kind: "function" },
    ],
    resendGate: [{ module: "WAWebSyncGatingUtils", path: ["isPlaceholderMessageResendEnabled"], kind: "function", owner: true }],
    resend: [
      {
        module: "WAWebNonMessageDataRequestPlaceholderMessageResendUtils",
        path: ["handlePlaceholderMsgsSeen"],
        kind: "function",
      },
    ],
    build: [{ module: "WAWebBuildConstants", path: ["VERSION_STR"], kind: "string" }],
    // The passkey step (§5.1): read only, never driven (Continue is the owner's).
    pairingType: [{ module: "WAWebAltDeviceLinkingApi", path: ["getPairingType"], kind: "function", owner: true }],
    linkEvents: [{ module: "WAWebLinkDeviceEvents", path: ["WAWebLinkDeviceEvents"], kind: "object" }],
    shortcakeStage: [{ module: "WAWebShortcakeLinkingApi", path: ["getShortcakeLinkingStage"], kind: "function", owner: true }],
    shortcakeCode: [{ module: "WAWebShortcakeLinkingApi", path: ["getVerificationCode"], kind: "function", owner: true }],
    loadEarlier: [{ module: "WAWebChatLoadMessages", path: ["loadEarlierMsgs"], kind: "function" }],
    contacts: [{ module: "WAWebCollections", path: ["Contact"], kind: "object" }],
    // Account limits (§5.2): read only; the page's own send path does the rest.
    timelockPrefs: [{ module: "WAWebUserPrefsIndexedDBStorage", path: ["userPrefsIdb"], kind: "object" }],
    timelockKey: [{ module: "WAWebReachoutTimelockUtils", path: ["REACHOUT_TIMELOCK_IDB_KEY"], kind: "string" }],
    timelocked: [{ module: "WAWebReachoutTimelockUtils", path: ["isUserReachoutTimelocked"], kind: "function", owner: true }],
    timelockAllows: [{ module: "WAWebReachoutTimelockUtils", path: ["canSendMsgWhileTimelocked"], kind: "function", owner: true }],
    timelockFetch: [{ module: "WAWebGetReachoutTimelockJob", path: ["fetchReachoutTimelock"], kind: "function", owner: true }],
    capped: [{ module: "WAWebIndividualNewChatMessageCappingLimitUtils", path: ["isUserCapped"], kind: "function", owner: true }],
    // Media downloads (WHATSAPP_WEB_MEDIA.md §2).
    downloadManager: [{ module: "WAWebDownloadManager", path: ["downloadManager"], kind: "object" }],
    mediaType: [{ module: "WAWebMmsMediaTypes", path: ["getMsgMediaType"], kind: "function" }],
    downloadQpl: [{ module: "WAWebStartMediaDownloadQpl", path: ["startMediaDownloadQpl"], kind: "function" }],
    blobCache: [{ module: "WAWebMediaInMemoryBlobCache", path: ["InMemoryMediaBlobCache"], kind: "object" }],
    // Reactions are no messages: the page's add-on processor hands each to this export.
    reactions: [{ module: "WAWebReactionsMsgAction", path: ["addOrUpdateReactionsModelCollection"], kind: "function", owner: true }],
  };
  // The error code of a send refused for the monthly cap on new chats (nack 475).
  const CAPPED_CODES = ["UserReachedMaxMonthlyLimitForNewMessages", 475, "475"];
  // Events of the Cmd bus that say a limit changed.
  const LIMIT_EVENTS = "reachout_timelock_state_change new_chat_message_capping_state_change";
  // The origin a chat is created with: the page's createChat throws without one for @lid.
  const CHAT_ORIGIN = "createChat";
  // Without these nothing works; every other feature only disables what needs it.
  const CORE = ["socket", "conn", "cmd", "msgs", "chats"];
  // Events of the Cmd bus, newest name first.
  const PROGRESS_EVENTS = "offline_progress_update_from_bridge offline_progress_update";
  const LOGOUT_EVENTS = "logout_from_bridge logout";

  const emit = (report) => {
    try {
      let json = JSON.stringify(report);
      // A report over the bound is never sent (Rust would refuse it unread); what it was
      // is said instead, without its contents.
      if (json.length > CONFIG.maxReportChars) {
        json = JSON.stringify({
          event: "warning",
          message: `a ${String(report.event).slice(0, 20)} report of ${json.length} characters was too large to send`,
        });
      }
      window[CONFIG.binding](json);
    } catch (_) {
      // The binding is gone only while the browser shuts down: nothing to tell.
    }
  };
  // A text cut to WhatsApp's own limit, by characters (never half of an emoji).
  const bounded = (text, most = CONFIG.maxBodyChars) => {
    if (text.length <= most) return text;
    return Array.from(text.slice(0, most * 2)).slice(0, most).join("");
  };
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const message = (error) => String((error && error.message) || error);

  // ---- Module lookup: lazy, retried while modules still register, checked by shape. -------
  function tryAlternative(alt) {
    let exports;
    try {
      exports = window.require(alt.module);
    } catch (error) {
      return { missing: `module ${alt.module} missing` };
    }
    for (const root of [exports, exports && exports.default]) {
      if (root === null || root === undefined) continue;
      let owner = root;
      let value = root;
      let ok = true;
      for (const step of alt.path) {
        owner = value;
        if (value === null || value === undefined || !(step in Object(value))) {
          ok = false;
          break;
        }
        value = value[step];
      }
      if (!ok) continue;
      const shape = value === null ? "null" : typeof value;
      if (shape === alt.kind) return { value, owner: alt.path.length ? owner : value };
    }
    return { missing: `export ${[alt.module, ...alt.path].join(".")} missing` };
  }
  const resolved = {};
  function lookup(feature) {
    if (resolved[feature]) return resolved[feature];
    const misses = [];
    for (const alt of FEATURES[feature]) {
      const found = tryAlternative(alt);
      if (found.missing) {
        misses.push(found.missing);
        continue;
      }
      const used = [alt.module, ...alt.path].join(".");
      resolved[feature] = { value: found.value, owner: found.owner, used, alt };
      return resolved[feature];
    }
    return { missing: misses.join(", ") };
  }
  // Waits for a feature while the page may still be registering modules.
  async function need(feature, waitMs = CONFIG.moduleWaitMs) {
    const began = Date.now();
    let delay = 50;
    for (;;) {
      const found = lookup(feature);
      if (!found.missing) return found;
      if (Date.now() - began >= waitMs) {
        const error = new Error(`WhatsApp Web changed: ${found.missing} (needed for ${feature})`);
        error.featureMissing = feature;
        throw error;
      }
      await sleep(delay);
      delay = Math.min(250, delay * 2);
    }
  }
  const use = async (feature) => (await need(feature)).value;

  // Ids are read defensively: the minifier has renamed `_serialized` before.
  let warnedSerialized = false;
  function serialized(value) {
    if (value === null || value === undefined) return null;
    if (typeof value === "string") return value;
    // The page reads its keys and wids with toString(), so it is read first.
    if (typeof value.toString === "function" && value.toString !== Object.prototype.toString) {
      try {
        const text = value.toString();
        if (typeof text === "string" && text && !text.startsWith("[object")) return text;
      } catch (_) {
        // Fall back to the fields below.
      }
    }
    if (typeof value._serialized === "string") return value._serialized;
    if (!warnedSerialized) {
      warnedSerialized = true;
      emit({ event: "warning", message: "ids have no _serialized field; rebuilding them from their parts" });
    }
    if (value.remote !== undefined && value.id !== undefined) {
      const parts = [String(!!value.fromMe), serialized(value.remote), value.id];
      if (value.self) parts.push(value.self);
      if (value.participant) parts.push(serialized(value.participant));
      return parts.join("_");
    }
    if (value.user !== undefined && value.server) return `${value.user}@${value.server}`;
    return null;
  }
  const isLid = (wid) => !!wid && (typeof wid.isLid === "function" ? wid.isLid() : String(serialized(wid)).endsWith("@lid"));
  const isGroup = (wid) => String(serialized(wid)).endsWith("@g.us");

  const bridge = { ready: false };
  window.__leadline = bridge;

  // ---- Own identity, phones behind @lid ids. ---------------------------------------------
  async function meIds() {
    const pn = lookup("meUser").missing ? undefined : lookup("meUser").value();
    const lid = lookup("meLidUser").missing ? undefined : lookup("meLidUser").value();
    return { pn, lid };
  }
  // The phone Wid behind an @lid, when the page knows it; null otherwise.
  function phoneOf(wid) {
    if (!wid || !isLid(wid)) return null;
    const found = lookup("lidToPhone");
    if (found.missing) return null;
    try {
      const pn = found.value(wid);
      const text = serialized(pn);
      return text && text.endsWith("@c.us") ? text : null;
    } catch (_) {
      return null;
    }
  }

  // ---- The login QR: the screen's own string, rebuilt on a new ref or ADV secret. ---------
  async function qrFromModules(ref) {
    const noise = await (await use("noiseInfo")).get();
    const registration = await (await use("signalStore")).getRegistrationInfo();
    const b64 = lookup("base64").missing
      ? (key) => btoa(String.fromCharCode(...new Uint8Array(key)))
      : lookup("base64").value;
    const toB64 = (key) => (typeof key === "string" ? key : b64(key));
    const adv = await (await use("advSecret")).call(null);
    const platform = await use("platform");
    return [ref, toB64(noise.staticKeyPair.pubKey), toB64(registration.identityKeyPair.pubKey), adv, platform].join(",");
  }
  // The QR screen's div carries the full string, with any field the screen adds.
  function qrFromScreen(ref) {
    const box = document.querySelector("div[data-ref]");
    const text = box && box.getAttribute("data-ref");
    return text && text.includes(ref) ? text : null;
  }

  // ---- Messages. ----------------------------------------------------------------------------
  const placeholders = new Map(); // id → msg still ciphertext
  let resendTimer = null;
  function askForResend() {
    resendTimer = null;
    const due = [...placeholders.values()].filter(
      (p) => !p.asked && Date.now() - p.since >= CONFIG.resendAfterMs && !String(p.msg.subtype || "").endsWith("_unavailable_fanout"),
    );
    if (!due.length) return;
    const resend = lookup("resend");
    const gate = lookup("resendGate");
    if (resend.missing || gate.missing) return;
    // The page asks for placeholders only behind this gate (whatsapp-web.js does the same).
    gate.owner.isPlaceholderMessageResendEnabled = () => true;
    try {
      resend.value(
        due.map((p) => p.msg),
        true,
      );
      for (const p of due) p.asked = true;
    } catch (error) {
      emit({ event: "warning", message: `a resend of unreadable messages could not be asked for (${message(error)})` });
    }
  }
  function watchCiphertext(msg) {
    const id = serialized(msg.id);
    if (!id || placeholders.has(id)) return;
    const entry = { msg, since: Date.now(), asked: false };
    placeholders.set(id, entry);
    msg.once("change:type", () => {
      placeholders.delete(id);
      watchMessage(msg);
    });
    setTimeout(() => {
      if (!resendTimer) resendTimer = setTimeout(askForResend, 0);
    }, CONFIG.resendAfterMs);
    setTimeout(() => {
      if (!placeholders.has(id) || msg.type !== "ciphertext") return;
      placeholders.delete(id);
      emit({ event: "unreadable", id, chat: serialized(msg.id.remote) });
    }, CONFIG.giveUpAfterMs);
  }

  // A bot's photo or video comes first as `loading_media`, then is edited into what it is
  // (WHATSAPP_WEB_MEDIA.md §1): told once it is, as it is (after the page's `set` ends, so
  // its edit key is no edit); at its first edit whatever it became; or as it stands if it
  // never changes.
  function watchLoading(msg) {
    let told = false;
    const tell = () => {
      if (told) return;
      told = true;
      if (msg.type === "loading_media") reportWatched(msg);
      else watchMessage(msg);
    };
    msg.once("change:type", () => Promise.resolve().then(tell));
    msg.once("change:latestEditMsgKey", () => Promise.resolve().then(tell));
    setTimeout(tell, CONFIG.giveUpAfterMs);
  }

  // Our own sends in flight: their echo waits for the send's result, so a send WhatsApp
  // refused is never reported as a message that went out.
  const sending = new Map(); // id → the echo, once it came
  function watchMessage(msg) {
    if (!msg.isNewMsg) return; // history, not something that just happened
    // A view-once photo or video never reaches Web: its placeholder is all there will be
    // (WHATSAPP_WEB_MEDIA.md §1), told at once.
    if (msg.type === "ciphertext" && msg.subtype === "view_once_unavailable_fanout") return void reportWatched(msg);
    if (msg.type === "ciphertext") return watchCiphertext(msg);
    if (msg.type === "loading_media") return watchLoading(msg);
    const id = serialized(msg.id);
    if (msg.id && msg.id.fromMe && sending.has(id)) return void sending.set(id, msg);
    reportWatched(msg);
  }
  // `acked`: the message may have been acked already (an echo held while its send was in
  // flight), so its ack so far is told at once.
  function reportWatched(msg, acked = false) {
    if (!report(msg)) return;
    const id = serialized(msg.id);
    keepMedia(id, msg);
    followChanges(id, msg);
    msg.on("change:ack", (_model, ack) => emit({ event: "ack", id, ack }));
    if (acked && typeof msg.ack === "number" && msg.ack !== 0) emit({ event: "ack", id, ack: msg.ack });
  }

  // Edits and deletions of a reported message (WHATSAPP_WEB_MEDIA.md §3): the page sets
  // them onto the loaded original. An edit brings a new `latestEditMsgKey` with the new text
  // (a media message's is its caption); a deletion re-keys the model and makes it `revoked`,
  // the original's key in `protocolMessageKey`. `id` is the id the message was reported as.
  function followChanges(id, msg) {
    msg.on("change:latestEditMsgKey", () => {
      if (msg.type === "revoked") return;
      const text = msg.type === "chat" ? msg.body : msg.caption;
      emit({ event: "edit", id, body: typeof text === "string" ? bounded(text) : "" });
    });
    msg.on("change:type", () => {
      if (msg.type !== "revoked") return;
      emit({ event: "revoke", id: serialized(msg.protocolMessageKey) || id });
    });
  }

  // Reactions: the page's add-on processor hands each new one to this export (a removal, or
  // one from history, goes another way or with allowNotify off: neither is news).
  async function followReactions() {
    let found;
    try {
      found = await need("reactions");
    } catch (_) {
      return; // reported with the features: reactions are not followed on this build
    }
    const original = found.value;
    found.owner.addOrUpdateReactionsModelCollection = function (row, options) {
      try {
        if (row && options && options.allowNotify) {
          emit({
            event: "reaction",
            parent: serialized(row.parentMsgKey),
            sender: serialized(row.senderUserJid),
            text: typeof row.reactionText === "string" ? bounded(row.reactionText, 32) : "",
            timestamp: typeof row.timestamp === "number" ? row.timestamp : null,
          });
        }
      } catch (_) {
        // Never in the page's way.
      }
      return original.apply(this, arguments);
    };
  }

  // The username of a person (without "@"), when the page holds one for them (§5.3).
  function usernameOf(wid) {
    if (!wid || isGroup(wid)) return null;
    const found = lookup("contacts");
    if (found.missing) return null;
    try {
      const contact = found.value.get(wid);
      const name = contact && contact.username;
      return typeof name === "string" && name.replace(/^@/, "") ? bounded(name.replace(/^@/, ""), 64) : null;
    } catch (_) {
      return null;
    }
  }

  // What a message carries besides its text, as the page's parser set it
  // (WHATSAPP_WEB_MEDIA.md §1); what it is, Leadline decides (whatsapp/kinds.rs). A media
  // message's `body` is its thumbnail, its text the caption.
  function fieldsOf(msg) {
    const text = (value, max = 512) => (typeof value === "string" && value ? bounded(value, max) : null);
    const number = (value) => (typeof value === "number" && isFinite(value) ? value : null);
    const quoted = msg.quotedMsg;
    const quotedText = quoted && (quoted.type === "chat" ? quoted.body : quoted.caption);
    return {
      subtype: typeof msg.subtype === "string" ? msg.subtype.slice(0, 64) : null,
      caption: text(msg.caption, 65536),
      comment: text(msg.comment, 65536),
      filename: text(msg.filename),
      mimetype: text(msg.mimetype, 128),
      size: number(msg.size),
      duration: typeof msg.duration === "string" || typeof msg.duration === "number" ? msg.duration : null,
      width: number(msg.width),
      height: number(msg.height),
      page_count: number(msg.pageCount),
      lat: number(msg.lat),
      lng: number(msg.lng),
      loc: text(msg.loc),
      is_live: msg.isLive === true,
      is_caption_by_user: typeof msg.isCaptionByUser === "boolean" ? msg.isCaptionByUser : null,
      vcard_name: text(msg.vcardFormattedName),
      vcards: Array.isArray(msg.vcardList)
        ? msg.vcardList.slice(0, 20).map((card) => ({ name: text(card && card.displayName), vcard: text(card && card.vcard, 16384) }))
        : [],
      quoted_id: msg.quotedStanzaID ? String(msg.quotedStanzaID).slice(0, 128) : null,
      quoted_text: text(quotedText),
      futureproof_type: text(msg.futureproofType, 64),
    };
  }

  // Reports one message to the app; whether it could.
  function report(msg) {
    const id = serialized(msg.id);
    if (!id) {
      emit({ event: "warning", message: "a message without a readable id was skipped" });
      return false;
    }
    const remote = msg.id.remote;
    emit({
      event: "message",
      id,
      chat: serialized(remote),
      from: serialized(msg.from),
      author: serialized(msg.author),
      from_me: !!msg.id.fromMe,
      type: msg.type,
      body: typeof msg.body === "string" ? bounded(msg.body) : "",
      fields: fieldsOf(msg),
      timestamp: typeof msg.t === "number" ? msg.t : null,
      push_name: typeof msg.notifyName === "string" && msg.notifyName ? bounded(msg.notifyName, 256) : null,
      chat_phone: phoneOf(remote),
      author_phone: phoneOf(msg.author),
      username: usernameOf(msg.author || remote),
    });
    return true;
  }

  // ---- Media (WHATSAPP_WEB_MEDIA.md §2). ----------------------------------------------------
  // Media messages as reported, by id: on current builds a message can't be found again by
  // id (Msg.get may miss it, getMessagesById rejects), so the model is kept.
  const MEDIA_TYPES = ["image", "video", "ptv", "ptt", "audio", "document", "sticker"];
  const mediaMessages = new Map();
  function keepMedia(id, msg) {
    if (!MEDIA_TYPES.includes(msg.type)) return;
    mediaMessages.set(id, msg);
    if (mediaMessages.size > 2000) mediaMessages.delete(mediaMessages.keys().next().value);
  }
  // Why a download failed, in the words the app knows.
  function downloadReason(error) {
    const name = error && error.name;
    if (name === "MediaNotFoundError" || (error && error.status === 404)) return "expired";
    if (name === "InvalidMediaFileType") return "refused_type";
    if (name === "MmsDownloadFilehashMismatchError" || name === "MediaHashMismatch") return "hash_mismatch";
    return "failed";
  }
  // The low-level download: the original bytes, typed errors, the mimetype always passed
  // (current builds check it before every download) and the page's own qpl.
  // `signal` stops the fetch when Leadline gives up on the file.
  async function fetchMedia(msg, entry, signal) {
    const [manager, mediaType, startQpl] = await Promise.all(["downloadManager", "mediaType", "downloadQpl"].map(use));
    return manager.downloadAndMaybeDecrypt({
      directPath: entry.directPath,
      encFilehash: entry.encFilehash,
      filehash: msg.filehash,
      mediaKey: entry.mediaKey,
      mediaKeyTimestamp: entry.mediaKeyTimestamp,
      type: mediaType(msg),
      mimetype: msg.type === "sticker" && !msg.mimetype ? "image/webp" : msg.mimetype,
      downloadQpl: startQpl({ entryPoint: "MediaDownload" }),
      signal,
    });
  }
  // Expired media: the phone is asked to upload it again (the page's only path for that,
  // never timed out by the page, so raced against Leadline's own time), then read back.
  async function afterReupload(msg, waitMs, signal) {
    const asked = Promise.resolve(msg.downloadMedia({ downloadEvenIfExpensive: true, rmrReason: 1, isUserInitiated: true }));
    const timedOut = await Promise.race([asked.then(() => false), sleep(waitMs).then(() => true)]);
    if (timedOut) return { error: "timeout" };
    const stage = msg.mediaData && msg.mediaData.mediaStage;
    if (stage === "ERROR_MISSING") return { error: "not_on_phone" };
    if (stage !== "RESOLVED") return { error: "failed", detail: `the phone's upload ended as ${stage}` };
    const cache = lookup("blobCache");
    const blob =
      (!cache.missing && cache.value.get(msg.filehash)) ||
      (msg.mediaData.mediaBlob && typeof msg.mediaData.mediaBlob.forceToBlob === "function" && msg.mediaData.mediaBlob.forceToBlob());
    // Voice and audio may be cached transcoded: their original is fetched with the new entry.
    if (blob && msg.type !== "ptt" && msg.type !== "audio") return { bytes: await blob.arrayBuffer() };
    const entry = msg.mediaObject.entries.getDownloadEntry(true);
    return {
      bytes: await fetchMedia(
        msg,
        {
          directPath: entry.directPath,
          encFilehash: entry.getEncfilehash(),
          mediaKey: entry.getMediaKey(),
          mediaKeyTimestamp: entry.getMediaKeyTimestamp(),
        },
        signal,
      ),
    };
  }
  async function digest(bytes) {
    const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    let binary = "";
    for (const byte of hash) binary += String.fromCharCode(byte);
    return { base64: btoa(binary), hex: Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("") };
  }
  function base64Of(bytes) {
    const view = new Uint8Array(bytes);
    let binary = "";
    for (let at = 0; at < view.length; at += 32768) binary += String.fromCharCode(...view.subarray(at, at + 32768));
    return btoa(binary);
  }
  // A media message's file: `{bytes (base64), sha256 (hex), size}` or `{error, detail}`.
  async function download(id, maxBytes, reuploadWaitMs, signal) {
    const msg = mediaMessages.get(id);
    if (!msg) return { error: "failed", detail: "this message is no longer on the page" };
    if (msg.isViewOnce) return { error: "failed", detail: "a view-once message is never kept" };
    if (typeof msg.size === "number" && msg.size > maxBytes) return { error: "too_large" };
    let got;
    try {
      const own = { directPath: msg.directPath, encFilehash: msg.encFilehash, mediaKey: msg.mediaKey, mediaKeyTimestamp: msg.mediaKeyTimestamp };
      got = { bytes: await fetchMedia(msg, own, signal) };
    } catch (error) {
      const reason = downloadReason(error);
      if (reason !== "expired") return { error: reason, detail: message(error) };
      try {
        got = await afterReupload(msg, reuploadWaitMs, signal);
      } catch (again) {
        return { error: downloadReason(again), detail: message(again) };
      }
    }
    if (got.error) return got;
    if (got.bytes.byteLength > maxBytes) return { error: "too_large" };
    const hash = await digest(got.bytes);
    if (msg.filehash && hash.base64 !== msg.filehash) return { error: "hash_mismatch" };
    return { bytes: base64Of(got.bytes), sha256: hash.hex, size: got.bytes.byteLength };
  }
  // Downloads outlive any one call into the page (the phone may take Leadline's whole wait
  // to upload again): each is started, then waited on a while at a time, and stopped when
  // Leadline gives up on it.
  const downloads = new Map(); // ticket → {promise, abort}
  let downloadTickets = 0;
  // Starts a download and waits on it up to `waitMs`: its answer, or `{pending, ticket}`.
  bridge.downloadStart = (id, maxBytes, reuploadWaitMs, waitMs) => {
    const ticket = ++downloadTickets;
    const abort = new AbortController();
    const promise = download(id, maxBytes, reuploadWaitMs, abort.signal).catch((error) => ({
      error: abort.signal.aborted ? "timeout" : "failed",
      detail: message(error),
    }));
    downloads.set(ticket, { promise, abort });
    return bridge.downloadWait(ticket, waitMs);
  };
  bridge.downloadWait = async (ticket, waitMs) => {
    const running = downloads.get(ticket);
    if (!running) return { error: "failed", detail: "this download is no longer on the page" };
    const done = await Promise.race([running.promise, sleep(waitMs).then(() => null)]);
    if (!done) return { pending: true, ticket };
    downloads.delete(ticket);
    return done;
  };
  bridge.downloadStop = (ticket) => {
    const running = downloads.get(ticket);
    downloads.delete(ticket);
    if (running) running.abort.abort();
    return true;
  };

  async function chatFor(chatId) {
    const createWid = await use("createWid");
    const wid = createWid(chatId);
    const Chat = await use("chats");
    const found = Chat.get(wid);
    if (found) return found;
    const result = await (await use("findChat"))(wid, CHAT_ORIGIN);
    const chat = result && result.chat;
    if (!chat) throw new Error(`WhatsApp Web found no chat for ${chatId}`);
    return chat;
  }

  // ---- Start. -----------------------------------------------------------------------------
  async function start() {
    let Socket, Conn, Cmd, Msg;
    try {
      for (const feature of CORE) await need(feature);
      [Socket, Conn, Cmd, Msg] = await Promise.all(["socket", "conn", "cmd", "msgs"].map(use));
    } catch (error) {
      emit({ event: "failed", reason: message(error) });
      return;
    }

    let lastMe = null;
    const reportMe = async () => {
      try {
        await need("meUser");
      } catch (_) {
        // Reported with the features; Working then waits, and the state says why.
      }
      const { pn, lid } = await meIds();
      const me = serialized(pn) || serialized(lid);
      if (me && me !== lastMe) {
        lastMe = me;
        emit({ event: "me", me, lid: serialized(lid) });
      }
    };
    const reportSocket = () => {
      if (Socket.state === "CONNECTED") reportMe();
      emit({ event: "socket", state: String(Socket.state), has_synced: !!Socket.hasSynced });
    };
    // ---- The passkey step (§5.1): held pending from its first signal until linked, an
    // error or Cancel; meanwhile no QR is reported and nothing is refreshed. The owner's
    // Continue and the browser's own dialog do the rest; nothing here touches
    // navigator.credentials, the pairing type or the page's buttons. ----
    const PASSKEY_CARDS = [
      "shortcake_passkey_prompt_card",
      "shortcake_waiting_for_phone_card",
      "shortcake_verification_code_display",
      "shortcake_cancel_button",
    ];
    let passkey = null; // { stage, code } while pending
    let codeSince = 0;
    const readPasskey = () => {
      let type = null;
      let stage = null;
      let code = null;
      const pairing = lookup("pairingType");
      if (!pairing.missing) {
        try {
          type = String(pairing.value.call(pairing.owner));
        } catch (_) {}
      }
      const staged = lookup("shortcakeStage");
      if (!staged.missing) {
        try {
          stage = String(staged.value.call(staged.owner));
        } catch (_) {}
      }
      const coded = lookup("shortcakeCode");
      if (!coded.missing && stage === "WaitingForVerificationCodeConfirmation") {
        try {
          const value = coded.value.call(coded.owner);
          code = typeof value === "string" && value ? value : null;
        } catch (_) {}
      }
      const shown = PASSKEY_CARDS.some((id) => document.querySelector(`[data-testid="${id}"]`));
      return { on: type === "SHORTCAKE_PASSKEY" || shown, stage, code };
    };
    const passkeyPending = () => passkey !== null;
    const watchPasskey = (signal) => {
      if (Conn.connected || Socket.state === "CONNECTED") {
        passkey = null;
        return;
      }
      const now = readPasskey();
      if (!now.on && !signal) {
        if (passkey !== null) {
          // Cancelled (or failed and gone): the QR screen is back.
          passkey = null;
          emit({ event: "passkey_ended" });
          lastQr = null;
          reportQr();
        }
        return;
      }
      const stage = now.stage || (passkey && passkey.stage) || "NotStarted";
      // A code is the owner's to compare only once it has stayed on screen for 2 s.
      let code = null;
      if (now.code) {
        codeSince = codeSince || Date.now();
        if (Date.now() - codeSince >= 2000) code = now.code;
      } else codeSince = 0;
      if (!passkey || passkey.stage !== stage || passkey.code !== code) {
        passkey = { stage, code };
        emit({ event: "passkey", stage, code });
      }
    };
    setInterval(() => watchPasskey(false), 500);
    need("linkEvents")
      .then(({ value }) => {
        value.on("link_device_events:passkey_prologue_request", () => watchPasskey(true));
        value.on("link_device_events:shortcake_prologue_sent", () => watchPasskey(true));
        value.on("link_device_events:shortcake_verification_code_ready", () => watchPasskey(true));
        value.on("link_device_events:shortcake_error", (reason) => {
          emit({ event: "passkey_failed", reason: typeof reason === "string" ? reason : null });
        });
      })
      .catch(() => {});

    // ---- The pairing code's own cycle (§2): the page's code screen is not mounted, so the
    // driver makes each new code as that screen would; paused during the passkey step. ----
    let codeCycle = null; // { phone, renewals, expiresAt, timer }
    const stopCodeCycle = () => {
      if (codeCycle) clearTimeout(codeCycle.timer);
      codeCycle = null;
    };
    const scheduleCode = (ms) => {
      clearTimeout(codeCycle.timer);
      codeCycle.expiresAt = Date.now() + ms;
      codeCycle.timer = setTimeout(renewCode, ms);
    };
    const announceCode = (code) =>
      emit({
        event: "pairing_code",
        code,
        expires_ms: codeCycle.expiresAt,
        renewals_left: Math.max(0, CONFIG.pairingCodeRenewals - codeCycle.renewals),
      });
    const codeExpired = (reason) => {
      stopCodeCycle();
      emit({ event: "pairing_code_expired", reason: reason || null });
    };
    async function renewCode() {
      const cycle = codeCycle;
      if (!cycle) return;
      if (Conn.connected) return stopCodeCycle();
      if (passkeyPending()) return scheduleCode(CONFIG.pairingCodeLifeMs);
      if (cycle.renewals >= CONFIG.pairingCodeRenewals) return codeExpired(null);
      try {
        const { owner } = await need("altLinking");
        const reset = lookup("linkReset");
        if (!reset.missing) {
          await reset.value.call(reset.owner, { linkDeviceMethod: "ALT_DEVICE_LINKING" });
        } else {
          owner.setPairingType("ALT_DEVICE_LINKING");
          await owner.initializeAltDeviceLinking();
        }
        const code = await owner.startAltLinkingFlow(cycle.phone, false);
        if (codeCycle !== cycle) return;
        cycle.renewals += 1;
        cycle.code = code;
        scheduleCode(CONFIG.pairingCodeLifeMs);
        announceCode(code);
      } catch (error) {
        if (codeCycle !== cycle) return;
        // Rate limits and an unavailable feature are final: never asked again by itself.
        const kind = error && error.type && error.type.name;
        codeExpired(typeof kind === "string" ? kind : message(error));
      }
    }
    need("linkEvents")
      .then(({ value }) => {
        value.on("link_device_events:primary_hello_received", () => {
          // The phone typed the code: a new one a minute later if linking doesn't finish.
          if (codeCycle) {
            scheduleCode(CONFIG.pairingCodeAfterHelloMs);
            if (codeCycle.code) announceCode(codeCycle.code);
          }
        });
        value.on("link_device_events:refresh_alt_linking_code", () => {
          if (codeCycle) renewCode();
        });
        value.on("link_device_events:force_manual_refresh", () => {
          if (codeCycle) codeExpired("force_manual_refresh");
        });
        // The phone's hello failed: a passkey request may follow within 5 s (then the step
        // holds everything); else the code is over until the owner asks again.
        value.on("link_device_events:error_alt_linking", () => {
          const cycle = codeCycle;
          if (!cycle) return;
          setTimeout(() => {
            if (codeCycle === cycle && !passkeyPending()) codeExpired("error_alt_linking");
          }, 5000);
        });
      })
      .catch(() => {});

    let lastQr = null;
    const reportQr = async () => {
      const ref = Conn.ref;
      if (!ref || Conn.connected || passkeyPending()) return;
      let qr = qrFromScreen(ref);
      if (!qr) {
        try {
          qr = await qrFromModules(ref);
        } catch (error) {
          qr = qrFromScreen(ref);
          if (!qr) {
            emit({ event: "failed", reason: `the login QR could not be read (${message(error)})` });
            return;
          }
        }
      }
      if (Conn.ref !== ref || qr === lastQr) return; // a newer ref is being shown already
      lastQr = qr;
      emit({ event: "qr", qr, ref, ttl_ms: typeof Conn.refTTL === "number" ? Conn.refTTL : null });
    };
    const reportProgress = (legacyPercent) => {
      let percent = null;
      let count = null;
      const offline = lookup("offline");
      if (!offline.missing) {
        try {
          const handler = offline.value;
          if (typeof handler.hasInitOfflineResumeManager !== "function" || handler.hasInitOfflineResumeManager()) {
            percent = Number(handler.getOfflineDeliveryProgress());
            count = Number(handler.getOfflineMessageCount());
          }
        } catch (_) {
          // The resume has not started on this page load yet.
        }
      }
      // Older builds passed the percent with the event.
      if ((percent === null || Number.isNaN(percent)) && typeof legacyPercent === "number") percent = legacyPercent;
      if (percent === null || Number.isNaN(percent)) return;
      emit({ event: "progress", percent, count: Number.isFinite(count) ? count : null });
    };

    // ---- Account limits (§5.2): read after sync, on the page's change events and after a
    // refused send; reported when they change. ----
    let lastLimits = null;
    let limitsTimer = null;
    const callOwned = (feature, ...args) => {
      const found = lookup(feature);
      if (found.missing) return undefined;
      return found.value.call(found.owner, ...args);
    };
    const isTimelocked = () => {
      try {
        return !!callOwned("timelocked");
      } catch (_) {
        return false;
      }
    };
    const isCapped = () => {
      try {
        return !!callOwned("capped");
      } catch (_) {
        return false;
      }
    };
    const readLimits = async (fetchFirst) => {
      if (fetchFirst) {
        try {
          await callOwned("timelockFetch");
        } catch (error) {
          emit({ event: "warning", message: `the account's limits could not be fetched (${message(error)})` });
        }
      }
      let state = null;
      const prefs = lookup("timelockPrefs");
      const key = lookup("timelockKey");
      if (!prefs.missing && !key.missing) {
        try {
          state = prefs.value.get(key.value);
        } catch (_) {
          state = null;
        }
      }
      const ends = state && Number(state.time_enforcement_ends);
      const endsMs = Number.isFinite(ends) && ends > 0 ? ends : null;
      // The page's own verdict when it has one; else the stored state.
      const timelocked = lookup("timelocked").missing
        ? !!state && String(state.state) === "VISIBLE" && (endsMs === null || endsMs > Date.now())
        : isTimelocked();
      const limits = {
        timelocked,
        ends_ms: timelocked ? endsMs : null,
        kind: timelocked && state && state.enforcement_type ? String(state.enforcement_type).slice(0, 64) : null,
        capped: isCapped(),
      };
      const text = JSON.stringify(limits);
      if (text !== lastLimits) {
        lastLimits = text;
        emit({ event: "limits", ...limits });
      }
      // Read again when it should end, so the owner sees it lifted.
      clearTimeout(limitsTimer);
      if (limits.ends_ms !== null) {
        limitsTimer = setTimeout(() => readLimits(false), Math.min(2147483000, Math.max(1000, limits.ends_ms - Date.now() + 1000)));
      }
      return limits;
    };
    // Whether a 1:1 send would be refused, asked the way the page's own UI asks; never
    // calls the page's send (§5.2).
    const refusalBefore = (chat) => {
      if (!chat.id || isGroup(chat.id)) return null;
      const timelocked = isTimelocked();
      if (timelocked) {
        let allowed;
        try {
          allowed = lookup("timelockAllows").missing ? undefined : !!callOwned("timelockAllows", { chat, contact: chat.contact });
        } catch (_) {
          allowed = undefined;
        }
        // Without the page's own check, a chat with the contact's token may be answered.
        if (allowed === undefined) allowed = typeof chat.getTcToken === "function" && chat.getTcToken() != null;
        if (!allowed) return "timelocked";
      }
      if (chat.canSend === false) return isCapped() ? "capped" : timelocked ? "timelocked" : "refused";
      return null;
    };
    // What a refused send was refused for: the cap by its code, the timelock by reading it
    // again, else WhatsApp's own reasons.
    const refusalAfter = async (model) => {
      const code = model && (model.errorCode ?? model.ackErrorCode);
      if (CAPPED_CODES.includes(code)) return "capped";
      const limits = await readLimits(false);
      return limits.timelocked ? "timelocked" : "refused";
    };

    Socket.on("change:state change:hasSynced", reportSocket);
    Socket.on("change:hasSynced", (_model, synced) => {
      if (synced) readLimits(true);
    });
    Cmd.on(LIMIT_EVENTS, () => readLimits(false));
    Conn.on("change:ref change:connected", reportQr);
    need("advEvents")
      .then(({ value }) => value.on("change", reportQr))
      .catch(() => {});
    // The screen re-renders after a new ref: its string may carry fields the modules don't.
    new MutationObserver(() => reportQr()).observe(document.documentElement, {
      subtree: true,
      attributes: true,
      attributeFilter: ["data-ref"],
    });
    Cmd.on(PROGRESS_EVENTS, reportProgress);
    Cmd.on("offline_delivery_end_from_bridge", () => emit({ event: "progress", percent: 100, count: null }));
    Cmd.on(LOGOUT_EVENTS, () => emit({ event: "logout" }));
    Msg.on("add", watchMessage);
    followReactions();

    let pairingMode = false;
    Object.assign(bridge, {
      ready: true,
      async send(chatId, text) {
        const chat = await chatFor(chatId);
        const refused = refusalBefore(chat);
        if (refused) {
          readLimits(false);
          return { id: null, result: "REFUSED", refused };
        }
        const { pn, lid } = await meIds();
        const lidChat = isLid(chat.id) || !!(chat.groupMetadata && chat.groupMetadata.isLidAddressingMode);
        const from = lidChat ? lid : pn;
        if (!from) throw new Error(`WhatsApp Web does not know this number's own ${lidChat ? "linked id" : "phone id"} yet`);
        const MsgKey = await use("msgKey");
        const group = isGroup(chat.id);
        const key = new MsgKey({
          from,
          to: chat.id,
          id: await MsgKey.newId(),
          participant: group ? from : undefined,
          selfDir: "out",
        });
        const ephemeral = lookup("ephemeral").missing ? {} : lookup("ephemeral").value(chat) || {};
        const msg = {
          id: key,
          ack: 0,
          body: text,
          type: "chat",
          t: Math.floor(Date.now() / 1000),
          from,
          to: chat.id,
          local: true,
          self: "out",
          isNewMsg: true,
          ...ephemeral,
        };
        if (group) msg.participant = from;
        const id = serialized(key);
        sending.set(id, null);
        // The echo, held while the send was in flight: reported unless WhatsApp refused it.
        const release = (refused) => {
          const echo = sending.get(id);
          sending.delete(id);
          if (echo && !refused) reportWatched(echo, true);
        };
        let model;
        let outcome;
        try {
          // Two promises, returned at once: the message added to the chat, then the server's word.
          const [added, result] = (await use("send"))(chat, msg);
          model = await added;
          outcome = await Promise.race([
            Promise.resolve(result).then(
              (value) => ({ value }),
              (error) => ({ error }),
            ),
            sleep(CONFIG.sendResultWaitMs).then(() => ({ pending: true })),
          ]);
        } catch (error) {
          release(false);
          throw error;
        }
        if (outcome.pending) {
          release(false);
          return { id, result: "PENDING" };
        }
        if (outcome.error) {
          release(false);
          return { id, result: "REJECTED", detail: message(outcome.error) };
        }
        const code = outcome.value && outcome.value.messageSendResult;
        if (code === "ERROR_UNKNOWN" && model) {
          // A refusal shows on the message as ack -1 and isSendFailure, maybe a moment later.
          for (let waited = 0; waited < 1000 && model.ack !== -1 && !model.isSendFailure; waited += 100) await sleep(100);
          if (model.ack === -1 || model.isSendFailure) {
            release(true);
            const refused = await refusalAfter(model);
            const errorCode = model.ackErrorCode ?? model.errorCode;
            return { id, result: "REFUSED", refused, detail: errorCode === undefined ? null : String(errorCode).slice(0, 80) };
          }
        }
        release(false);
        return { id, result: typeof code === "string" ? code : "UNKNOWN" };
      },
      async seen(chatId) {
        const chat = await chatFor(chatId);
        const { value, alt } = await need("seen");
        if (alt.form === "chat") return void (await value(chat));
        // A headless page counts as away: sendSeen would wait for the owner forever.
        const stream = lookup("stream");
        if (!stream.missing && typeof stream.value.markAvailable === "function") stream.value.markAvailable();
        try {
          await value({ chat, threadId: undefined, afterAvailable: false });
        } finally {
          if (!stream.missing && typeof stream.value.markUnavailable === "function") stream.value.markUnavailable();
        }
      },
      async typing(chatId, on) {
        const chat = await chatFor(chatId);
        await (await use(on ? "typingOn" : "typingOff"))(chat.id);
      },
      async refreshQr() {
        // A refresh would lose the passkey step (it lives in this page's memory).
        if (passkeyPending()) throw new Error("the passkey step is in progress; nothing was refreshed");
        const refresh = await need("refreshQr");
        refresh.value.call(refresh.owner);
        if (codeCycle) {
          stopCodeCycle();
          emit({ event: "pairing_code_ended" });
        }
        if (pairingMode) {
          // After a pairing code the ADV secret is the code's: a QR needs its own again.
          const { owner } = await need("altLinking");
          await owner.initializeQRLinking();
          pairingMode = false;
        }
      },
      // The last own messages in a chat (sent from here or the phone, history included):
      // after a crash, whether a reply already went out.
      async recentOwn(chatId, since) {
        const ids = new Set([chatId]);
        let chat = null;
        try {
          chat = (await use("chats")).get((await use("createWid"))(chatId)) || null;
          if (chat) ids.add(serialized(chat.id));
        } catch (_) {
          // An id the page can't read has no messages here.
        }
        const Msgs = await use("msgs");
        const held = () => {
          if (chat && chat.msgs && typeof chat.msgs.getModelsArray === "function") return chat.msgs.getModelsArray();
          const all = typeof Msgs.getModelsArray === "function" ? Msgs.getModelsArray() : Msgs.models || [];
          return all.filter((msg) => msg.id && ids.has(serialized(msg.id.remote)));
        };
        // The page holds only a chat's latest messages: earlier ones are loaded (without
        // opening the chat, which would mark it read) until it holds `since`.
        const loader = lookup("loadEarlier");
        for (let round = 0; chat && !loader.missing && round < 25; round++) {
          const list = held();
          const oldest = list.length ? Number(list[0].t) || 0 : Infinity;
          const state = chat.msgs && chat.msgs.msgLoadState;
          if (oldest <= since || (state && state.noEarlierMsgs)) break;
          const loaded = await loader.value({ chat });
          if (!loaded || !loaded.length) break;
        }
        return held()
          .filter((msg) => msg.id && msg.id.fromMe && (Number(msg.t) || 0) >= since)
          .slice(-200)
          .map((msg) => ({
            id: serialized(msg.id),
            body: String(msg.body || ""),
            timestamp: Number(msg.t) || 0,
            ack: typeof msg.ack === "number" ? msg.ack : null,
          }));
      },
      // After a restart the page shows what arrived before as history (never reported as
      // new): the customer messages of chats still unread here are reported again (the
      // app stores a message once, so a second report changes nothing). How many.
      async catchUp() {
        const Chat = await use("chats");
        const chats = typeof Chat.getModelsArray === "function" ? Chat.getModelsArray() : Chat.models || [];
        let reported = 0;
        for (const chat of chats) {
          const unread = Number(chat.unreadCount) || 0;
          if (unread <= 0 || !chat.msgs || typeof chat.msgs.getModelsArray !== "function") continue;
          const latest = chat.msgs
            .getModelsArray()
            .filter((msg) => msg.id && !msg.id.fromMe)
            .slice(-Math.min(unread, 50));
          for (const msg of latest) {
            if (msg.type === "ciphertext") continue;
            report(msg);
            reported += 1;
          }
        }
        return reported;
      },
      takeover() {
        Socket.takeover();
      },
      async logout() {
        await Socket.logout();
      },
      async confirmPasskeyCode() {
        if (!passkeyPending() || !passkey.code) throw new Error("there is no verification code to confirm");
        // Registered with the passkey screen, so looked up only now.
        const found = tryAlternative({
          module: "WAWebShortcakeLinkingAction",
          path: ["confirmShortcakeVerificationCode"],
          kind: "function",
        });
        if (found.missing) throw new Error(`WhatsApp Web changed: ${found.missing}`);
        await found.value.call(found.owner);
      },
      async pairingCode(phone) {
        if (passkeyPending()) throw new Error("the passkey step is in progress");
        const { owner } = await need("altLinking");
        owner.setPairingType("ALT_DEVICE_LINKING");
        await owner.initializeAltDeviceLinking();
        pairingMode = true;
        const code = await owner.startAltLinkingFlow(phone, true);
        stopCodeCycle();
        codeCycle = { phone, renewals: 0, code, expiresAt: 0, timer: null };
        scheduleCode(CONFIG.pairingCodeLifeMs);
        announceCode(code);
        return code;
      },
    });

    emit({ event: "injected", version: String(window.Debug.VERSION) });
    reportSocket();
    reportQr();
    reportProgress();
    // Which alternative each feature resolved to, once the late modules had their chance.
    const names = Object.keys(FEATURES);
    const results = await Promise.all(
      names.map((name) =>
        need(name).then(
          (found) => found.used,
          () => null,
        ),
      ),
    );
    const features = {};
    names.forEach((name, i) => (features[name] = results[i]));
    emit({ event: "features", features, build: lookup("build").missing ? null : lookup("build").value });
    if (lastMe === null && Socket.state === "CONNECTED") reportMe();
  }

  // WhatsApp Web is ready for this once Debug.VERSION is set.
  const began = Date.now();
  (function waitUntilReady() {
    if (window.Debug && window.Debug.VERSION) return void start();
    if (Date.now() - began > CONFIG.readyTimeoutMs) {
      emit({
        event: "failed",
        reason: `WhatsApp Web did not finish loading within ${Math.round(CONFIG.readyTimeoutMs / 1000)} s`,
      });
      return;
    }
    setTimeout(waitUntilReady, CONFIG.pollMs);
  })();
})();
