// The local fake of WhatsApp Web (tests only), written from WHATSAPP_WEB.md (revision
// 2026-08). It copies the parts of the real page that Leadline's driver touches, and is
// strict where the real page is: the calls of the old contract fail here as they fail on
// the real site (sendSeen with a chat, findOrCreateLatestChat with a string, Cmd.refreshQR,
// reading Conn.wid, one await on the send's two-promise array). Modules register in waves,
// some after Debug.VERSION. The harness steers it through the server (/__fake/*), which
// pushes into this page over SSE the way the real server pushes to the real page.
"use strict";

(() => {
  const config = window.__fakeConfig;
  const faults = new Set(config.faults);
  // Media downloads (media.js, loaded first).
  const media = window.__fakeMedia({ faults, report: (kind, payload) => report(kind, payload) });

  // ---- Meta's module system: __d defines, require returns, unknown names throw. ----------
  const factories = new Map();
  const cache = new Map();
  window.__d = (name, deps, factory) => {
    factories.set(name, factory);
  };
  window.require = (name) => {
    if (cache.has(name)) return cache.get(name);
    const factory = factories.get(name);
    if (!factory) throw new Error(`Requiring unknown module "${name}"`);
    const module = { exports: {} };
    factory(window, window.require, module, module.exports);
    cache.set(name, module.exports);
    return module.exports;
  };

  // ---- Backbone-like events, models and collections. ------------------------------------
  class Events {
    constructor() {
      this._handlers = new Map();
    }
    on(names, callback, context) {
      for (const name of names.split(/\s+/).filter(Boolean)) {
        if (!this._handlers.has(name)) this._handlers.set(name, []);
        this._handlers.get(name).push({ callback, context, once: false });
      }
      return this;
    }
    once(names, callback, context) {
      this.on(names, callback, context);
      for (const name of names.split(/\s+/).filter(Boolean)) {
        const list = this._handlers.get(name);
        list[list.length - 1].once = true;
      }
      return this;
    }
    off(names, callback) {
      const all = names ? names.split(/\s+/).filter(Boolean) : [...this._handlers.keys()];
      for (const name of all) {
        const list = this._handlers.get(name) || [];
        this._handlers.set(name, callback ? list.filter((h) => h.callback !== callback) : []);
      }
      return this;
    }
    listenTo(other, names, callback) {
      other.on(names, callback, this);
      return this;
    }
    trigger(name, ...args) {
      const list = [...(this._handlers.get(name) || [])];
      for (const handler of list) {
        if (handler.once) this.off(name, handler.callback);
        try {
          handler.callback.apply(handler.context || this, args);
        } catch (error) {
          console.error(`handler of ${name} failed`, error);
        }
      }
      return this;
    }
  }

  class Model extends Events {
    constructor(attributes = {}) {
      super();
      this.attributes = {};
      for (const [key, value] of Object.entries(attributes)) this._define(key, value);
    }
    _define(key, value) {
      if (!(key in this.attributes)) {
        Object.defineProperty(this, key, {
          get: () => this.attributes[key],
          set: (next) => this.set(key, next),
          enumerable: true,
          configurable: true,
        });
      }
      this.attributes[key] = value;
    }
    get(key) {
      return this.attributes[key];
    }
    set(keyOrObject, value) {
      const changes = typeof keyOrObject === "string" ? { [keyOrObject]: value } : keyOrObject;
      const changed = [];
      for (const [key, next] of Object.entries(changes)) {
        const previous = this.attributes[key];
        if (previous === next && key in this.attributes) continue;
        this._define(key, next);
        changed.push([key, next, previous]);
      }
      for (const [key, next, previous] of changed) this.trigger(`change:${key}`, this, next, previous);
      if (changed.length) this.trigger("change", this);
      return this;
    }
  }

  class Collection extends Events {
    constructor() {
      super();
      this._models = [];
    }
    get models() {
      return [...this._models];
    }
    getModelsArray() {
      return [...this._models];
    }
    get(id) {
      const key = typeof id === "object" && id !== null ? serializedOf(id) : id;
      return this._models.find((m) => serializedOf(m.id) === key);
    }
    add(model) {
      this._models.push(model);
      this.trigger("add", model, this);
      return model;
    }
    addEarlier(models) {
      this._models = [...models, ...this._models];
      for (const model of models) this.trigger("add", model, this);
    }
    remove(model) {
      this._models = this._models.filter((m) => m !== model);
      this.trigger("remove", model, this);
    }
  }

  // ---- Server communication. -------------------------------------------------------------
  // One after another, so the server records them in the page's order: two reports sent
  // together (a new ref's QR, then the same QR with a new secret) could otherwise arrive
  // the other way round, and the fake would show a QR the page no longer does.
  let reported = Promise.resolve();
  function report(kind, payload) {
    const body = JSON.stringify(payload);
    reported = reported.then(() =>
      fetch(`/__fake/report/${kind}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      }).catch(() => {}),
    );
    return reported;
  }

  // ---- Wids (WAWebWidFactory) and message keys (WAWebMsgKey). ---------------------------
  // The minifier renamed `_serialized` once: the fault does it again.
  const SERIALIZED = faults.has("serialized_renamed") ? "$1" : "_serialized";
  function serializedOf(id) {
    if (id === null || id === undefined) return undefined;
    if (typeof id === "string") return id;
    return id[SERIALIZED];
  }
  class Wid {
    constructor(text) {
      const at = text.indexOf("@");
      this.user = text.slice(0, at);
      this.server = text.slice(at + 1);
      this[SERIALIZED] = text;
    }
    isLid() {
      return this.server === "lid";
    }
    isGroup() {
      return this.server === "g.us";
    }
    isUser() {
      return this.server === "c.us" || this.server === "lid";
    }
    isStatus() {
      return this.user === "status" && this.server === "broadcast";
    }
    equals(other) {
      return !!other && serializedOf(other) === this[SERIALIZED];
    }
    toString() {
      return this[SERIALIZED];
    }
  }
  const wids = new Map();
  function createWid(text) {
    if (text instanceof Wid) return text;
    if (typeof text !== "string") throw new TypeError("InvalidWidError: expected string");
    const normal = text.replace(/@s\.whatsapp\.net$/, "@c.us");
    if (!/^[^@]+@(c\.us|g\.us|lid|broadcast|newsletter)$/.test(normal)) {
      throw new TypeError(`InvalidWidError: invalid wid ${text}`);
    }
    if (!wids.has(normal)) wids.set(normal, new Wid(normal));
    return wids.get(normal);
  }
  const isWid = (value) => value instanceof Wid;

  let idCounter = 0;
  class MsgKey {
    constructor(fields) {
      const { fromMe, remote, id, participant, from, to, selfDir } = fields || {};
      for (const value of [remote, from, to, participant]) {
        if (value !== undefined && !isWid(value)) throw new TypeError("MsgKey error: something is not a wid");
      }
      if (typeof id !== "string" || !id) throw new TypeError("MsgKey error: id is not a string");
      if (remote !== undefined) {
        this.fromMe = !!fromMe;
        this.remote = remote;
      } else {
        const pn = meUser.getMaybeMePnUser();
        if (!pn) throw new Error("MsgKey error: me is undefined");
        if (!from || !to) throw new TypeError("MsgKey error: something is not a wid");
        this.fromMe = from.equals(pn) || from.equals(meUser.getMaybeMeLidUser());
        this.remote = this.fromMe ? to : from;
      }
      this.id = id;
      if (participant) this.participant = participant;
      if (selfDir && this.remote.equals(meUser.getMaybeMePnUser())) this.self = selfDir;
      const parts = [String(this.fromMe), serializedOf(this.remote), this.id];
      if (this.self) parts.push(this.self);
      if (this.participant) parts.push(serializedOf(this.participant));
      this[SERIALIZED] = parts.join("_");
    }
    toString() {
      return this[SERIALIZED];
    }
    static async newId() {
      idCounter += 1;
      const hex = (Date.now().toString(16) + idCounter.toString(16).padStart(6, "0")).toUpperCase();
      return `3EB0${hex.padStart(18, "0").slice(-18)}`;
    }
  }

  // ---- State, persisted in the browser profile in IndexedDB, like the real page's keys
  // (IndexedDB commits each transaction, so a killed browser keeps a finished pairing). ----
  const keys = { paired: false, me: null, lid: null };
  function database() {
    return new Promise((resolve, reject) => {
      // Version 2 added the chats' history (`msgs`, `chats`), kept like the real page's.
      const request = indexedDB.open("fake-wa", 2);
      request.onupgradeneeded = () => {
        const db = request.result;
        for (const name of ["keys", "msgs", "chats"]) {
          if (!db.objectStoreNames.contains(name)) db.createObjectStore(name);
        }
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  async function loadKeys() {
    const db = await database();
    const saved = await new Promise((resolve, reject) => {
      const request = db.transaction("keys").objectStore("keys").get("pairing");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    db.close();
    if (saved) Object.assign(keys, saved);
  }
  async function saveKeys(value) {
    const db = await database();
    await new Promise((resolve, reject) => {
      const tx = db.transaction("keys", "readwrite");
      if (value) tx.objectStore("keys").put(value, "pairing");
      else tx.objectStore("keys").delete("pairing");
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }

  // ---- The chats' history, kept in the profile: after a reload (or a browser that died) the
  // page still shows every chat with its messages and unread count, as history (never as
  // new), as the real page does from its own store and the server. ----
  let historyDb = null;
  let historyOrder = 0;
  const orderOf = new Map(); // message id → its place in the history
  function historyStore(name, mode) {
    historyDb = historyDb || database();
    return historyDb.then((db) => db.transaction(name, mode));
  }
  function keep(name, key, value) {
    historyStore(name, "readwrite")
      .then((tx) => {
        if (value === null) tx.objectStore(name).delete(key);
        else tx.objectStore(name).put(value, key);
        tx.oncomplete = () => {
          if (name === "msgs" && value) report("event", { kind: "kept", id: key, ack: value.ack });
        };
      })
      .catch((error) => console.error("history could not be kept", error));
  }
  function keepMsg(model) {
    const id = serializedOf(model.id);
    if (!orderOf.has(id)) orderOf.set(id, ++historyOrder);
    keep("msgs", id, {
      order: orderOf.get(id),
      fromMe: model.id.fromMe,
      remote: serializedOf(model.id.remote),
      keyId: model.id.id,
      participant: serializedOf(model.id.participant) ?? null,
      type: model.type,
      subtype: model.subtype ?? null,
      body: model.body,
      t: model.t,
      from: serializedOf(model.from) ?? null,
      to: serializedOf(model.to) ?? null,
      author: serializedOf(model.author) ?? null,
      notifyName: model.notifyName ?? "",
      ack: model.ack,
      self: model.self ?? null,
    });
  }
  function all(name) {
    return historyStore(name, "readonly").then(
      (tx) =>
        new Promise((resolve, reject) => {
          const store = tx.objectStore(name);
          const values = store.getAll();
          const keys = store.getAllKeys();
          tx.oncomplete = () => resolve(keys.result.map((key, i) => [key, values.result[i]]));
          tx.onerror = () => reject(tx.error);
        }),
    );
  }
  async function restoreHistory() {
    const saved = (await all("msgs")).map(([, record]) => record).sort((a, b) => a.order - b.order);
    const unread = new Map(await all("chats"));
    for (const record of saved) {
      const wid = (text) => (text ? createWid(text) : undefined);
      const key = new MsgKey({ fromMe: record.fromMe, remote: wid(record.remote), id: record.keyId, participant: wid(record.participant) });
      orderOf.set(serializedOf(key), record.order);
      historyOrder = Math.max(historyOrder, record.order);
      const model = new Model({
        id: key,
        type: record.type,
        subtype: record.subtype ?? undefined,
        body: record.body,
        t: record.t,
        from: wid(record.from),
        to: wid(record.to),
        author: wid(record.author),
        notifyName: record.notifyName,
        ack: record.ack,
        self: record.self ?? undefined,
        isNewMsg: false,
      });
      addToChat(chatFor(key.remote), model, true);
      // The token a customer's message gave is kept with the chat, like the real page's.
      if (!record.fromMe && key.remote.isUser()) chatFor(key.remote).tcToken = { token: `tc-${record.keyId}`, t: record.t };
    }
    for (const [chat, count] of unread) {
      const known = Chat.get(chat);
      if (known) known.attributes.unreadCount = count;
    }
    report("event", { kind: "history_restored", messages: saved.length });
  }

  // ---- "Me" lives only in the user prefs (WAWebUserPrefsMeUser), never on Conn. ----------
  const meUser = {
    getMaybeMePnUser: () => (keys.paired && keys.me ? createWid(keys.me) : undefined),
    getMaybeMeLidUser: () => (keys.paired && keys.lid ? createWid(keys.lid) : undefined),
    getMeUserOrThrow() {
      const me = meUser.getMaybeMePnUser();
      if (!me) throw new Error("getMeUserOrThrow: me is not set");
      return me;
    },
    getMePnUserOrThrow_DO_NOT_USE() {
      return meUser.getMeUserOrThrow();
    },
    getMeLidUserOrThrow() {
      const lid = meUser.getMaybeMeLidUser();
      if (!lid) throw new Error("getMeLidUserOrThrow: me lid is not set");
      return lid;
    },
    isMeAccount: (wid) => isWid(wid) && (wid.equals(meUser.getMaybeMePnUser()) || wid.equals(meUser.getMaybeMeLidUser())),
  };

  // ---- Socket, Conn, Cmd, Stream, the offline handler, the backend event bus. ------------
  const Socket = new Model({ state: "UNLAUNCHED", stream: "DISCONNECTED", hasSynced: false });
  Socket.takeover = () => {
    if (Socket.get("state") !== "CONFLICT") throw new Error("Takeover called without conflict!");
    report("event", { kind: "takeover" });
    Socket.set("state", "CONNECTED");
  };
  // The real one returns nothing (not a promise).
  Socket.logout = () => {
    logout();
  };
  Socket.reconnect = () => {};
  // `wid` is declared but nothing sets it under multi-device.
  const Conn = new Model({ ref: undefined, refTTL: undefined, connected: false, platform: "web", wid: undefined });
  const Cmd = new Events();
  Cmd.isOfflineDeliveryEnd = false;
  // The real one starts as document.hasFocus(); a driven headless page is unavailable in
  // practice (whatsapp-web.js issue #3540), so only the "focused_window" fault starts it so.
  const Stream = new Model({ available: faults.has("focused_window"), mode: "QR" });
  Stream.markAvailable = () => Stream.set("available", true);
  Stream.markUnavailable = () => Stream.set("available", false);

  let resume = null; // the offline resume manager, created once the resume starts
  const offlineHandler = {
    hasInitOfflineResumeManager: () => resume !== null,
    getOfflineDeliveryProgress: () => resume.progress,
    getOfflineMessageCount: () => resume.count,
    isResumeComplete: () => resume.complete,
    isResumeFromRestartComplete: () => resume.complete,
  };

  const refreshHandlers = [];
  const BackendEventBus = {
    triggerRefreshQR: () => {
      violation("triggerRefreshQR");
      refreshHandlers.forEach((handler) => handler());
    },
    onRefreshQR: (handler) => refreshHandlers.push(handler),
    triggerLogout: () => logout(),
  };
  // The launch flow's refresh: stop the comms, start them again, a new batch of refs.
  const launchSocket = {
    refreshQR() {
      violation("refreshQR");
      const state = Socket.get("state");
      if (state === "UNPAIRED" || state === "UNPAIRED_IDLE") startQrBatch();
    },
  };
  BackendEventBus.onRefreshQR(launchSocket.refreshQR);

  // ---- Login: keys, the ADV secret, QR refs, pairing codes. ------------------------------
  const bytes = (seed) => Uint8Array.from({ length: 32 }, (_, i) => (seed * 31 + i * 7) % 256);
  const NOISE_PUB = bytes(3);
  const IDENTITY_PUB = bytes(5);
  const encodeB64 = (value) => btoa(String.fromCharCode(...new Uint8Array(value)));
  const advEvents = new Events();
  let advSecret = null;
  function newAdvSecret() {
    advSecret = encodeB64(crypto.getRandomValues(new Uint8Array(32)));
    advEvents.trigger("change");
  }
  newAdvSecret();
  const PLATFORM = "1"; // Chrome
  let pairingType = "QR_CODE";
  let altStage = "NotStarted";

  let refTimer = null;
  let refsLeft = 0;
  let refCount = 0;

  function qrStringFor(ref) {
    let qr = [ref, encodeB64(NOISE_PUB), encodeB64(IDENTITY_PUB), advSecret, PLATFORM].join(",");
    if (faults.has("qr_extra_field")) qr += ",https://faq.whatsapp.com/r/ld";
    return qr;
  }

  function startQrBatch() {
    clearTimeout(refTimer);
    refsLeft = config.refsPerBatch;
    const next = (first) => {
      if (refsLeft === 0) {
        Conn.set({ ref: undefined, refTTL: undefined });
        Socket.set("state", "UNPAIRED_IDLE");
        showRef();
        return;
      }
      refsLeft -= 1;
      refCount += 1;
      const ttl = first ? config.firstRefMs : config.refMs;
      Conn.set({ ref: `2@fake${refCount}${Math.random().toString(36).slice(2, 10)}`, refTTL: ttl });
      showRef();
      refTimer = setTimeout(() => next(false), ttl);
    };
    Socket.set({ state: "UNPAIRED", stream: "DISCONNECTED" });
    next(true);
  }

  // The QR screen: div[data-ref] with the whole string, re-rendered on a new ref and on a
  // new ADV secret, like WAWebLinkDeviceQrcode.react.
  function showRef() {
    let box = document.querySelector("div[data-ref]");
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("data-testid", "link-device-qr-code");
      box.innerHTML = '<canvas width="264" height="264"></canvas><span></span>';
      document.body.appendChild(box);
    }
    const ref = Conn.get("ref");
    const qr = ref && !Conn.get("connected") ? qrStringFor(ref) : "";
    box.setAttribute("data-ref", qr);
    box.querySelector("span").innerHTML =
      Socket.get("state") === "UNPAIRED_IDLE" ? '<button aria-label="Click to reload QR code">Reload</button>' : "";
    const button = box.querySelector("button");
    if (button) button.onclick = () => BackendEventBus.triggerRefreshQR();
    report("qr", { qr: qr || null });
  }
  advEvents.on("change", () => {
    if (Conn.get("ref")) showRef();
  });

  // ---- Contacts and LIDs. -----------------------------------------------------------------
  const lidToPn = new Map(); // "…@lid" → "…@c.us"
  const pnToLid = new Map();
  function mapLid(lid, pn) {
    lidToPn.set(lid, pn);
    pnToLid.set(pn, lid);
  }
  const apiContact = {
    getPhoneNumber(wid) {
      if (!isWid(wid)) throw new TypeError("getPhoneNumber: expected a wid");
      if (wid.equals(meUser.getMaybeMeLidUser())) return meUser.getMaybeMePnUser();
      const pn = lidToPn.get(serializedOf(wid));
      return pn ? createWid(pn) : undefined;
    },
    getCurrentLid(wid) {
      if (!isWid(wid)) throw new TypeError("getCurrentLid: expected a wid");
      if (wid.equals(meUser.getMaybeMePnUser())) return meUser.getMaybeMeLidUser();
      const lid = pnToLid.get(serializedOf(wid));
      return lid ? createWid(lid) : undefined;
    },
    lidPnCache: {
      getPhoneNumber: (wid) => apiContact.getPhoneNumber(wid),
      getCurrentLid: (wid) => apiContact.getCurrentLid(wid),
    },
  };
  const lidMigration = {
    toPn(wid) {
      if (!isWid(wid)) throw new TypeError("toPn: expected a wid");
      return wid.isLid() ? apiContact.getPhoneNumber(wid) : wid;
    },
    toLid(wid) {
      if (!isWid(wid)) throw new TypeError("toLid: expected a wid");
      return wid.isLid() ? wid : apiContact.getCurrentLid(wid);
    },
    toUserLidOrThrow(wid) {
      const lid = lidMigration.toLid(wid);
      if (!lid) throw new Error("No LID for user");
      return lid;
    },
    chatIsLid: (chat) => !!chat && chat.id.isLid(),
  };
  const lidMigrated = faults.has("lid_migrated");

  // Contacts (WAWebCollections.Contact): a customer with a username may have no phone
  // (§5.3); `username` has no "@" and can change.
  const Contact = new Collection();
  class ContactModel extends Model {}
  function contactFor(wid, fields = {}) {
    let contact = Contact.get(wid);
    if (!contact) {
      contact = new ContactModel({
        id: wid,
        name: undefined,
        pushname: undefined,
        username: undefined,
        isUsernameContact: false,
        isUser: wid.isUser(),
        isEnterprise: false,
        isMe: false,
      });
      Contact.add(contact);
    }
    const changes = {};
    if (fields.username !== undefined) {
      changes.username = fields.username || undefined;
      changes.isUsernameContact = !!fields.username;
    }
    if (fields.name !== undefined) changes.name = fields.name || undefined;
    if (fields.pushname) changes.pushname = fields.pushname;
    contact.set(changes);
    return contact;
  }

  // ---- Account limits (§5.2): the reachout timelock, the new-chat cap. ---------------------
  const TIMELOCK_KEY = "WAReachoutTimelockState";
  const userPrefs = new Map(); // what WAWebUserPrefsIndexedDBStorage.userPrefsIdb holds
  let capped = false;
  function setTimelock(active, ends, type) {
    if (!active) userPrefs.set(TIMELOCK_KEY, { state: "HIDDEN", time_enforcement_ends: 0, enforcement_type: type || null });
    else {
      // No end given: the page assumes a minute from now.
      const end = typeof ends === "number" ? ends : Date.now() + 60000;
      userPrefs.set(TIMELOCK_KEY, { state: "VISIBLE", time_enforcement_ends: end, enforcement_type: type || "REACHOUT_TIMELOCK" });
    }
    report("event", { kind: "timelock", active: !!active });
    Cmd.trigger("reachout_timelock_state_change");
  }
  if (faults.has("timelock_lifted")) {
    // Active at launch, lifted by the server a moment after sync.
    userPrefs.set(TIMELOCK_KEY, { state: "VISIBLE", time_enforcement_ends: Date.now() + 86400000, enforcement_type: "REACHOUT_TIMELOCK" });
    const lift = () => setTimeout(() => setTimelock(false, null), 1500);
    Socket.once("change:hasSynced", lift);
  }
  if (faults.has("timelock_active_at_launch")) {
    userPrefs.set(TIMELOCK_KEY, {
      state: "VISIBLE",
      time_enforcement_ends: faults.has("timelock_ends_null") ? Date.now() + 60000 : Date.now() + 86400000,
      enforcement_type: "REACHOUT_TIMELOCK",
    });
  }
  const userPrefsIdb = {
    // Synchronous, like the real cache in front of IndexedDB.
    get(key) {
      if (typeof key !== "string") throw new TypeError("userPrefsIdb.get: key must be a string");
      return userPrefs.has(key) ? userPrefs.get(key) : null;
    },
  };
  function isUserReachoutTimelocked() {
    const state = userPrefs.get(TIMELOCK_KEY);
    return !!state && state.state === "VISIBLE" && state.time_enforcement_ends > Date.now();
  }
  function canSendMsgWhileTimelocked(args) {
    // Destructured like the real one: a chat passed alone leaves both undefined.
    const { chat, contact } = args;
    if (!chat.id.isUser() || (contact && (contact.isMe || contact.isEnterprise))) return true;
    return chat.getTcToken() != null;
  }
  const reachoutTimelockUtils = {
    REACHOUT_TIMELOCK_IDB_KEY: TIMELOCK_KEY,
    isUserReachoutTimelocked,
    canSendMsgWhileTimelocked,
  };
  const getReachoutTimelockJob = {
    async fetchReachoutTimelock() {
      await new Promise((resolve) => setTimeout(resolve, 20));
      report("event", { kind: "timelock_fetched" });
      if (faults.has("timelock_fetch_null")) return null;
      return userPrefs.get(TIMELOCK_KEY) ?? null;
    },
  };
  const cappingUtils = { isUserCapped: () => capped };
  function setCapped(value) {
    capped = !!value;
    report("event", { kind: "capped", capped });
    Cmd.trigger("new_chat_message_capping_state_change");
  }

  // ---- Chats. -------------------------------------------------------------------------------
  const Msg = new Collection();
  const Chat = new Collection();
  class ChatModel extends Model {}
  // A chat holds only its latest messages in memory, like the real page: older ones are
  // on the server until `WAWebChatLoadMessages.loadEarlierMsgs({ chat })` brings them back.
  // `restored`: it came from the profile's store, which holds it already.
  function addToChat(chat, model, restored = false) {
    chat.msgs.add(model);
    Msg.add(model);
    if (!restored) keepMsg(model);
    model.on("change:ack change:body change:type", () => keepMsg(model));
    while (chat.msgs.getModelsArray().length > config.loadedPerChat) {
      const oldest = chat.msgs.getModelsArray()[0];
      chat.msgs.remove(oldest);
      Msg.remove(oldest);
      chat.older.push(oldest);
      chat.msgs.msgLoadState.noEarlierMsgs = false;
    }
  }
  async function loadEarlierMsgs(args) {
    // Destructured like the real one: passing the chat itself leaves `chat` undefined.
    const { chat } = args;
    if (!(chat instanceof ChatModel)) throw new TypeError("Cannot read properties of undefined (reading 'msgs')");
    await new Promise((resolve) => setTimeout(resolve, 10));
    const loaded = chat.older.splice(Math.max(0, chat.older.length - 20));
    if (!chat.older.length) chat.msgs.msgLoadState.noEarlierMsgs = true;
    // History coming back, not something that just happened.
    for (const model of loaded) model.set("isNewMsg", false);
    chat.msgs.addEarlier(loaded);
    for (const model of loaded) Msg.add(model);
    report("event", { kind: "load_earlier", chat: serializedOf(chat.id), loaded: loaded.length });
    return loaded;
  }
  function chatFor(wid) {
    let chat = Chat.get(wid);
    if (!chat) {
      chat = new ChatModel({
        id: wid,
        name: serializedOf(wid),
        unreadCount: 0,
        markedUnread: false,
        ephemeralDuration: 0,
        ephemeralSettingTimestamp: 0,
        groupMetadata: wid.isGroup() ? { isLidAddressingMode: lidMigrated } : undefined,
      });
      chat.msgs = new Collection();
      chat.msgs.msgLoadState = { noEarlierMsgs: true };
      chat.contact = wid.isUser() ? contactFor(wid) : undefined;
      // The privacy token the contact's last message gave (§5.2); none for a cold chat.
      chat.tcToken = faults.has("tctoken_orphan") && wid.isUser() ? { token: "tc-orphan", t: 0 } : null;
      chat.getTcToken = () => (faults.has("tctoken_expired") || faults.has("cstoken_only") ? null : chat.tcToken);
      // What the page's own UI reads before it lets the owner type: blocked, timelocked
      // without a token, capped on a new chat.
      Object.defineProperty(chat, "canSend", {
        get: () => {
          if (!wid.isUser()) return true;
          const cold = chat.getTcToken() == null;
          if (cold && isUserReachoutTimelocked()) return false;
          if (cold && capped && !chat.msgs.getModelsArray().some((m) => m.id.fromMe)) return false;
          return true;
        },
        enumerable: true,
      });
      chat.older = [];
      chat.on("change:unreadCount", () => keep("chats", serializedOf(wid), chat.unreadCount));
      Chat.add(chat);
    }
    return chat;
  }

  const VALID_LID_ORIGINS = ["createChat", "chatListSearch", "contactCard", "username_contactless_search"];
  async function findOrCreateLatestChat(wid, origin) {
    // The real one starts with `wid.equals(META_BOT_FBID_WID)`: a string fails right there.
    if (wid.equals(undefined)) throw new Error("unreachable");
    let target = wid;
    if (lidMigrated && serializedOf(wid).endsWith("@c.us")) {
      const lid = apiContact.getCurrentLid(wid);
      if (!lid) throw new Error("No LID for user");
      target = lid;
    } else if (!lidMigrated && wid.isLid() && !apiContact.getPhoneNumber(wid) && !Chat.get(wid)) {
      throw new Error("could not find phone number for lid while enforcing pre-migration rules");
    }
    const existing = Chat.get(target);
    if (!existing && target.isLid()) {
      // The page's createChat needs an origin for an @lid chat, and reports one outside
      // its valid list (unless the account is LID-migrated).
      if (origin === undefined || origin === null) throw new Error("Origin type is missing when creating LID chat");
      if (!lidMigrated && !VALID_LID_ORIGINS.includes(origin)) report("event", { kind: "unexpected-lid-chat", origin });
      if (origin === "username_contactless_search") report("event", { kind: "share_own_pn", origin });
    }
    report("event", { kind: "find_chat", wid: serializedOf(wid), origin: origin ?? null });
    return { chat: existing || chatFor(target), created: !existing };
  }

  // ---- Seen, typing, ephemeral fields. ------------------------------------------------------
  async function sendSeen(args) {
    // Destructured like the real one: passing a chat leaves `chat` undefined, and the next
    // line throws "Cannot read properties of undefined (reading 'markedUnread')".
    const { chat, threadId, afterAvailable = true } = args;
    if (chat.markedUnread || chat.unreadCount === 0) {
      report("seen", { chat: serializedOf(chat.id), skipped: true });
      return;
    }
    if (!Stream.get("available") && afterAvailable) {
      await new Promise((resolve) => Stream.once("change:available", resolve));
    }
    chat.set("unreadCount", 0);
    report("seen", { chat: serializedOf(chat.id), skipped: false, threadId: threadId ?? null });
  }
  const chatState = (kind) => async (wid) => {
    if (!isWid(wid)) throw new TypeError(`sendChatState: expected a wid, got ${typeof wid}`);
    report("typing", { chat: serializedOf(wid), on: kind === "typing", state: kind });
  };
  const getEphemeralFields = (chat) => ({
    ephemeralDuration: chat.ephemeralDuration || 0,
    ephemeralSettingTimestamp: chat.ephemeralSettingTimestamp || 0,
    disappearingModeInitiator: "chat",
    afterReadDuration: 0,
  });

  // ---- Sending. ------------------------------------------------------------------------------
  // Which sender a chat expects (WA's own getMeUserLidOrJidForChat).
  function expectedSender(chat) {
    const lidChat = chat.id.isLid() || (chat.groupMetadata && chat.groupMetadata.isLidAddressingMode);
    return lidChat ? meUser.getMaybeMeLidUser() : meUser.getMaybeMePnUser();
  }

  function addAndSendMsgToChat(chat, message) {
    if (!(chat instanceof ChatModel)) throw new TypeError("addAndSendMsgToChat: chat.id.toLogString is not a function");
    if (!message || !(message.id instanceof MsgKey)) throw new Error("ModelCreateError: invalid message key");
    const model = new Model(message);
    const expected = expectedSender(chat);
    const rightSender = isWid(message.from) && message.from.equals(expected);
    const ephemeral = getEphemeralFields(chat);
    const sent = {
      id: serializedOf(message.id),
      chat: serializedOf(chat.id),
      body: message.body,
      from: serializedOf(message.from) ?? null,
      self: message.self ?? null,
      local: message.local ?? null,
      ephemeralDuration: message.ephemeralDuration ?? null,
      ephemeralExpected: ephemeral.ephemeralDuration,
      participant: serializedOf(message.id.participant) ?? null,
    };
    const added = Promise.resolve().then(() => {
      addToChat(chat, model);
      return model;
    });
    // The page's send path attaches the chat's privacy token (a cs token when it has none
    // but may), and ignores the timelock: WhatsApp's server refuses instead (§5.2).
    const token = chat.getTcToken() != null ? "tc" : faults.has("cstoken_only") ? "cs" : null;
    sent.token = token;
    const cold = chat.id.isUser() && chat.tcToken == null;
    const firstToChat = !chat.msgs.getModelsArray().some((m) => m.id.fromMe);
    let refusal = null;
    if (faults.has("send_rejected_475") || (capped && cold && firstToChat)) {
      refusal = { errorCode: "UserReachedMaxMonthlyLimitForNewMessages" };
    } else if (faults.has("send_rejected_463") || faults.has("send_rejected_463_code") || (cold && isUserReachoutTimelocked())) {
      // The timelock's 463 is not in the page's nack enum: most builds drop it.
      refusal = faults.has("send_rejected_463_code") ? { ackErrorCode: 463 } : {};
    }
    let outcome;
    if (!rightSender) outcome = { result: "ERROR_UNKNOWN", ack: 0 };
    else if (refusal) outcome = { result: "ERROR_UNKNOWN", ack: -1, refusal };
    else if (faults.has("send_result_reject")) outcome = { reject: "Contact is blocked", ack: 0 };
    else if (faults.has("send_result_error")) outcome = { result: "ERROR_NETWORK", ack: 0 };
    else if (faults.has("send_no_ack")) outcome = { pending: true, ack: 0 };
    else if (faults.has("send_nack")) outcome = { result: "OK", ack: -1 };
    else outcome = { result: "OK", ack: 1 };
    const result = added.then(
      () =>
        new Promise((resolve, reject) => {
          if (outcome.pending) {
            report("sent", { ...sent, result: "PENDING" });
            return; // the server never answers: the message stays on the clock
          }
          setTimeout(() => {
            report("sent", { ...sent, result: outcome.result ?? `REJECTED: ${outcome.reject}`, refused: !!outcome.refusal });
            if (outcome.reject) return reject(new Error(outcome.reject));
            if (outcome.refusal) {
              // The server's push of the new timelock comes with its refusal.
              if (faults.has("timelock_pushed_midsession") && !isUserReachoutTimelocked()) setTimelock(true, Date.now() + 3600000);
              model.set({ ack: -1, isSendFailure: true, ...outcome.refusal });
            } else if (outcome.result === "OK" && token !== null) {
              // Delivered: the page issues our own token to the contact.
              report("event", { kind: "token_issued", chat: serializedOf(chat.id), carried: token });
            }
            if (outcome.result === "OK") {
              model.set("ack", 1);
              if (outcome.ack < 0) setTimeout(() => model.set("ack", outcome.ack), config.ackMs);
            }
            resolve({ messageSendResult: outcome.result, t: Math.floor(Date.now() / 1000), count: 1 });
          }, config.ackMs);
        }),
    );
    return [added, result];
  }

  // ---- Linking and sync. ---------------------------------------------------------------------
  function connectPaired() {
    Socket.set({ state: "OPENING", stream: "DISCONNECTED" });
    // Connected at once, then the offline resume: progress events (without a value) until
    // the delivery ends, then the main stream and hasSynced.
    Socket.set({ state: "CONNECTED", stream: "SYNCING" });
    Conn.set("connected", true);
    resume = { progress: 0, count: config.offlineCount, complete: false };
    const step = () => {
      Cmd.trigger("offline_progress_update_from_bridge");
      if (resume.progress >= 100) {
        resume.complete = true;
        Cmd.isOfflineDeliveryEnd = true;
        Cmd.trigger("offline_delivery_end_from_bridge");
        Socket.set({ stream: "CONNECTED" });
        Cmd.trigger("main_stream_mode_ready_from_bridge");
        Socket.set("hasSynced", true);
        report("event", { kind: "connected" });
        flushPending();
        // The real page's service worker, registered once linked (no reload to cut it off).
        if (faults.has("service_worker") && navigator.serviceWorker) {
          navigator.serviceWorker.register("/sw.js").catch((error) => console.error("no service worker", error));
        }
        return;
      }
      resume.progress = Math.min(100, resume.progress + 25);
      setTimeout(step, config.syncStepMs);
    };
    step();
  }

  // Tells the server a push was handled, so it is not replayed to the next page.
  const confirm = (seq) => report("delivered", { seq });
  const handled = new Set();

  // Pushes that arrive before the page has synced are held, as the real page holds them.
  const pending = [];
  function flushPending() {
    while (pending.length) {
      const { message, seq } = pending.shift();
      deliver(message, seq);
    }
  }

  const placeholders = new Map(); // id → {msg, incoming}: ciphertext waiting for a resend
  // The people-and-ids fault switches (§6), applied to a message as it arrives.
  let usernamesGiven = 0;
  function peopleFaults(incoming) {
    const out = { ...incoming };
    const from = String(out.chat || out.from || "");
    const lidCustomer = from.endsWith("@lid") && !out.fromMe && !out.lidPhone;
    if (lidCustomer && out.username === undefined && faults.has("username_only_customer")) {
      out.username = `customer.${from.split("@")[0].slice(-4)}`;
    }
    if (lidCustomer && faults.has("username_changed")) {
      usernamesGiven += 1;
      out.username = `customer_v${usernamesGiven}`;
    }
    if (lidCustomer && faults.has("username_then_phone")) {
      // WhatsApp maps the phone a moment after the first message.
      setTimeout(() => mapLid(from, `34${from.split("@")[0].slice(-9).padStart(9, "6")}@c.us`), 300);
    }
    if (faults.has("no_name_no_username") && !out.fromMe) {
      out.notifyName = "";
      delete out.username;
    }
    // Other clients' ids are opaque and long (§3).
    if (faults.has("long_ids") && !out.fromMe) out.id = `3A${"F0E1D2C3B4A59687".repeat(2)}${out.id}`;
    return out;
  }
  // The fields WhatsApp's parser sets for each kind, defaults included (WHATSAPP_WEB_MEDIA.md
  // §1): a media message's `body` is its thumbnail and its text is `caption`; a document
  // without a written caption has its file name as caption; live location's text is
  // `comment`. A test gives what it wants in `incoming.media`.
  function kindFields(incoming) {
    const f = incoming.media || {};
    const keys = {
      filehash: f.filehash,
      encFilehash: f.encFilehash,
      mediaKey: f.mediaKey,
      mediaKeyTimestamp: f.mediaKeyTimestamp,
      directPath: f.directPath ?? "",
      isViewOnce: false,
    };
    switch (incoming.type) {
      case "image":
        return { ...keys, caption: f.caption, mimetype: f.mimetype ?? "", size: f.size, width: f.width ?? 0, height: f.height ?? 0, body: f.thumbnail ?? "" };
      case "video":
      case "ptv":
        return { ...keys, caption: f.caption, mimetype: f.mimetype, size: f.size, duration: f.duration === undefined ? undefined : String(f.duration), width: f.width, height: f.height, isGif: f.isGif, body: f.thumbnail ?? "" };
      case "ptt":
      case "audio":
        return { ...keys, mimetype: f.mimetype ?? "audio/ogg; codecs=opus", size: f.size, duration: String(f.duration ?? 0), waveform: undefined, body: "" };
      case "document":
        return {
          ...keys,
          filename: f.filename,
          mimetype: f.mimetype,
          size: f.size,
          pageCount: f.pageCount ?? 0,
          caption: f.caption ?? f.filename,
          isCaptionByUser: f.caption !== undefined,
          body: f.thumbnail ?? "",
        };
      case "sticker":
        return { ...keys, mimetype: f.mimetype ?? "image/webp", width: 512, height: 512, isAnimated: false, isLottie: false, body: "" };
      case "location":
        if (f.isLive) return { isLive: true, lat: f.lat, lng: f.lng, comment: f.comment, accuracy: 10, speed: 0, degrees: 0, sequence: 1, body: f.thumbnail ?? "" };
        return { lat: f.lat, lng: f.lng, loc: f.loc, clientUrl: f.clientUrl, body: f.thumbnail ?? "" };
      case "vcard":
        return { body: f.vcard ?? "", vcardFormattedName: f.name };
      case "multi_vcard":
        return {
          body: "",
          vcardList: (f.cards || []).map((card) => ({ displayName: card.name, vcard: card.vcard, isMultiVcard: false })),
          vcardFormattedName: `${(f.cards || []).length} contacts`,
        };
      case "unknown":
        return { futureproofType: f.futureproofType, body: "" };
      default:
        return {};
    }
  }
  // A reply carries the quoted message's short id, its sender, and a snapshot without id.
  function quoteFields(incoming, remote) {
    const q = incoming.quote;
    if (!q) return {};
    return {
      quotedStanzaID: q.id,
      quotedParticipant: createWid(q.from || serializedOf(remote)),
      quotedMsg: { type: q.type || "chat", body: q.body, caption: q.caption },
    };
  }

  // ---- Edits, deletions and reactions (WHATSAPP_WEB_MEDIA.md §3). --------------------------
  // Only a loaded original is changed; nothing is `add`ed for an edit or a revoke.
  const loadedMsg = (shortId) => Msg.getModelsArray().find((m) => m.id && m.id.id === shortId);
  function editMessage(push) {
    const msg = loadedMsg(push.id);
    if (!msg || msg.type === "revoked") return;
    const field = msg.type === "chat" ? "body" : "caption";
    if (field === "caption" && !push.text) return; // an edit emptying a caption is dropped
    const editKey = new MsgKey({ fromMe: msg.id.fromMe, remote: msg.id.remote, id: `EDIT${Date.now()}` });
    msg.set({
      [field]: push.text,
      ...(field === "caption" ? { isCaptionByUser: true } : {}),
      latestEditMsgKey: editKey,
      latestEditSenderTimestampMs: Date.now(),
    });
  }
  // A deletion for everyone re-keys the model, then one `set` makes it `revoked` with the
  // original key in `protocolMessageKey` and its text and media gone.
  function revokeMessage(push) {
    const msg = loadedMsg(push.id);
    if (!msg || msg.type === "revoked") return;
    const oldKey = msg.id;
    msg.trigger("revoked", msg);
    const newKey = new MsgKey({ fromMe: oldKey.fromMe, remote: oldKey.remote, id: `REVOKE${oldKey.id}` });
    msg.set({
      id: newKey,
      type: "revoked",
      subtype: "sender",
      protocolMessageKey: oldKey,
      revokeSender: msg.from,
      revokeTimestamp: Math.floor(Date.now() / 1000),
      isOverwrittenByRevoke: true,
      body: undefined,
      caption: undefined,
      quotedMsg: undefined,
      mediaData: undefined,
    });
    msg.trigger("change:msgKey", { newKey, oldKey });
  }
  // Reactions are no messages: the add-on processor hands a new one to the module's export
  // (history with allowNotify off); a removal goes through the module's own path, which a
  // wrapper on the export never sees.
  const reactionRows = new Map(); // parent|sender → row
  const reactionsModule = {
    addOrUpdateReactionsModelCollection(row, _options) {
      reactionRows.set(`${row.parentMsgKey}|${row.senderUserJid}`, row);
      const parent = Msg.get(row.parentMsgKey);
      if (parent) parent.set("hasReaction", true);
    },
  };
  function reactTo(push) {
    const remote = createWid(push.chat);
    const parentKey = new MsgKey({ fromMe: !!push.fromMe, remote, id: push.id });
    const row = {
      msgKey: `REACT${Date.now()}`,
      parentMsgKey: serializedOf(parentKey),
      senderUserJid: push.from,
      reactionText: push.emoji,
      timestamp: Date.now(),
      orphan: loadedMsg(push.id) ? 0 : 1,
      read: false,
      ack: 0,
    };
    if (!push.emoji) {
      reactionRows.delete(`${row.parentMsgKey}|${row.senderUserJid}`);
      return;
    }
    reactionsModule.addOrUpdateReactionsModelCollection(row, { allowNotify: !push.history });
  }

  function deliver(incoming, seq) {
    if (Socket.get("state") !== "CONNECTED" || !Socket.get("hasSynced")) {
      pending.push({ message: incoming, seq });
      return;
    }
    confirm(seq);
    incoming = peopleFaults(incoming);
    const fromMe = !!incoming.fromMe;
    const remote = createWid(incoming.chat || incoming.from);
    if (incoming.lidPhone) mapLid(serializedOf(remote), incoming.lidPhone);
    const participant = incoming.author ? createWid(incoming.author) : undefined;
    const key = new MsgKey({ fromMe, remote, id: incoming.id, participant });
    const chat = chatFor(remote);
    if (incoming.ephemeral) chat.set({ ephemeralDuration: incoming.ephemeral, ephemeralSettingTimestamp: 1700000000 });
    const ownSender = remote.isLid() || (chat.groupMetadata && chat.groupMetadata.isLidAddressingMode) ? meUser.getMaybeMeLidUser() : meUser.getMaybeMePnUser();
    // With the album receiver off (`album`), an album's photos and videos arrive as
    // `unknown`, their type in `futureproofType` (§1).
    if (incoming.parent && faults.has("album")) {
      incoming = { ...incoming, type: "unknown", media: { futureproofType: incoming.type } };
    }
    const ciphertext = incoming.type === "ciphertext";
    // A bot's photo or video first arrives as `loading_media`, then is edited into what it
    // is (`loading_media_then_edit`, §1).
    const loading = faults.has("loading_media_then_edit") && !fromMe && ["image", "video"].includes(incoming.type);
    const msg = new Model({
      id: key,
      type: loading ? "loading_media" : incoming.type || "chat",
      subtype: incoming.subtype ?? undefined,
      body: ciphertext || loading ? "" : incoming.body,
      t: incoming.t ?? Math.floor(Date.now() / 1000),
      from: fromMe ? ownSender : participant ? remote : createWid(incoming.from),
      to: fromMe ? remote : ownSender,
      author: participant,
      notifyName: incoming.notifyName ?? "",
      ack: fromMe ? 1 : 0,
      self: fromMe ? "out" : "in",
      isNewMsg: incoming.isNewMsg !== false,
      ...(ciphertext || loading ? {} : kindFields(incoming)),
      ...quoteFields(incoming, remote),
      // A photo or video of an album names the album it belongs to (§1).
      ...(incoming.parent
        ? { parentMsgKey: new MsgKey({ fromMe, remote, id: incoming.parent }), associationType: "MEDIA_ALBUM", viewMode: "HIDDEN" }
        : {}),
    });
    if (!fromMe && msg.isNewMsg) chat.set("unreadCount", chat.unreadCount + 1);
    if (!fromMe && remote.isUser()) {
      // The customer wrote: their privacy token comes with it (§5.2).
      chat.tcToken = { token: `tc-${incoming.id}`, t: Math.floor(Date.now() / 1000) };
      contactFor(remote, { username: incoming.username, pushname: incoming.notifyName });
    }
    if (!ciphertext && !loading && incoming.media && incoming.media.filehash) media.attach(msg, incoming);
    addToChat(chat, msg);
    if (loading) {
      setTimeout(() => {
        const editKey = new MsgKey({ fromMe, remote, id: `EDIT${Date.now()}` });
        msg.set({ type: incoming.type, ...kindFields(incoming), latestEditMsgKey: editKey, latestEditSenderTimestampMs: Date.now() });
        if (incoming.media && incoming.media.filehash) media.attach(msg, incoming);
      }, 300);
    }
    if (ciphertext) {
      const decrypt = incoming.decrypt || "auto";
      if (decrypt === "auto") {
        setTimeout(() => msg.set({ type: "chat", body: incoming.body }), config.decryptMs);
      } else {
        placeholders.set(serializedOf(key), { msg, incoming });
      }
    }
  }

  // The resend request of a placeholder (stuck ciphertext), gated like the real page.
  const syncGating = { isPlaceholderMessageResendEnabled: () => false };
  const placeholderResend = {
    handlePlaceholderMsgsSeen(msgs, force) {
      if (!Array.isArray(msgs)) throw new TypeError("handlePlaceholderMsgsSeen: expected an array of messages");
      if (!syncGating.isPlaceholderMessageResendEnabled()) return;
      for (const msg of msgs) {
        const id = serializedOf(msg.id);
        const waiting = placeholders.get(id);
        report("event", { kind: "resend_requested", id, force: !!force });
        if (!waiting || waiting.incoming.decrypt !== "resend") continue;
        placeholders.delete(id);
        setTimeout(() => msg.set({ type: "chat", body: waiting.incoming.body }), config.decryptMs);
      }
    },
  };

  async function logout() {
    Cmd.trigger("starting_logout_from_bridge");
    await saveKeys(null);
    keys.paired = false;
    // A logged-out page keeps nothing of its chats.
    for (const name of ["msgs", "chats"]) {
      await historyStore(name, "readwrite").then((tx) => tx.objectStore(name).clear());
    }
    Cmd.trigger("logout_from_bridge");
    setTimeout(() => location.assign("/?post_logout=1"), 0);
  }

  const altLinking = {
    getPairingType: () => (faults.has("passkey_bridge_code_only") && pairingType === "SHORTCAKE_PASSKEY" ? "QR_CODE" : pairingType),
    setPairingType(type) {
      violation("setPairingType");
      pairingType = type;
    },
    async initializeAltDeviceLinking() {
      violation("initializeAltDeviceLinking");
      newAdvSecret();
      altStage = "Initialized";
    },
    async initializeQRLinking() {
      violation("initializeQRLinking");
      newAdvSecret();
      altStage = "NotStarted";
      pairingType = "QR_CODE";
    },
    async startAltLinkingFlow(phone, notify) {
      if (altStage !== "Initialized") throw new Error("Invariant: alt device linking is not initialized");
      // A renewal the server refuses: a CompanionHelloError naming its IQ error.
      for (const [fault, name] of [
        ["link_code_rate_limited", "IQErrorRateOverlimit"],
        ["link_code_feature_not_available", "IQErrorFeatureNotAvailable"],
      ]) {
        if (faults.has(fault) && codesMade > 0) {
          const error = new Error("CompanionHelloError");
          error.type = { name };
          throw error;
        }
      }
      altStage = "CodeSent";
      const last4 = String(phone).slice(-4).padStart(4, "0");
      const code = codesMade === 0 ? `FAKE${last4}` : `FAK${codesMade % 10}${last4}`;
      codesMade += 1;
      codeMadeAt = Date.now();
      codeHellos = 0;
      report("event", { kind: "pairing_code", phone: String(phone), code, notify: !!notify, at: Date.now() });
      // The server's word on the code, as the fault switches ask.
      if (faults.has("link_code_primary_hello")) setTimeout(() => LinkDeviceEvents.trigger("link_device_events:primary_hello_received"), 500);
      if (faults.has("link_code_server_refresh") && codesMade === 1) setTimeout(() => LinkDeviceEvents.trigger("link_device_events:refresh_alt_linking_code"), 1000);
      if (faults.has("link_code_force_manual_refresh")) setTimeout(() => LinkDeviceEvents.trigger("link_device_events:force_manual_refresh"), 1000);
      return code;
    },
  };
  let codesMade = 0;
  let codeMadeAt = 0;
  let codeHellos = 0;
  // What the page's code screen calls to start a new code (§2).
  const linkDeviceAction = {
    async resetLinkDeviceState(args) {
      const { linkDeviceMethod } = args;
      violation("resetLinkDeviceState");
      report("event", { kind: "link_reset", method: linkDeviceMethod ?? null });
      if (linkDeviceMethod === "ALT_DEVICE_LINKING") {
        await altLinking.initializeAltDeviceLinking();
        pairingType = "ALT_DEVICE_LINKING";
      } else {
        await altLinking.initializeQRLinking();
      }
    },
  };

  // ---- The passkey step ("Shortcake", §5.1). ---------------------------------------------------
  const PairingType = { QR_CODE: "QR_CODE", ALT_DEVICE_LINKING: "ALT_DEVICE_LINKING", SHORTCAKE_PASSKEY: "SHORTCAKE_PASSKEY" };
  const LinkDeviceEvents = new Events();
  let shortcakeStage = "NotStarted";
  let verificationCode = null;
  let passkeyPending = false;
  let passkeyLinks = null; // who the link completes as
  let stageTimer = null;
  // Anything the page must not see a driver do while the step is pending.
  function violation(what) {
    if (passkeyPending) report("event", { kind: "passkey_violation", what });
  }
  window.addEventListener("pagehide", () => {
    if (passkeyPending && navigator.sendBeacon) {
      navigator.sendBeacon(
        "/__fake/report/event",
        new Blob([JSON.stringify({ kind: "passkey_violation", what: "reload" })], { type: "application/json" }),
      );
    }
  });
  const b64urlDecode = (text) =>
    Uint8Array.from(atob(String(text).replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const b64url = (buffer) =>
    btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  function setStage(stage) {
    shortcakeStage = stage;
    clearTimeout(stageTimer);
    if (stage !== "NotStarted" && stage !== "Failed") {
      stageTimer = setTimeout(() => shortcakeError("timeout"), config.shortcakeStageMs);
    }
    card()?.setAttribute("data-stage", stage);
  }
  const card = () => document.querySelector('[data-testid="shortcake_passkey_prompt_card"]');
  let embeddedOptions = null;
  function enterPasskey(me, lid) {
    passkeyPending = true;
    passkeyLinks = { me, lid };
    clearTimeout(refTimer);
    // The QR screen goes; a handoff key from the current ADV secret, then a new secret.
    Conn.set({ ref: undefined, refTTL: undefined });
    document.querySelector("div[data-ref]")?.remove();
    newAdvSecret();
    pairingType = PairingType.SHORTCAKE_PASSKEY;
    registerShortcake();
    const box = document.createElement("div");
    box.setAttribute("data-testid", "shortcake_passkey_prompt_card");
    box.innerHTML =
      '<p>Confirm it\'s you with your passkey</p><button data-testid="shortcake_continue_button">Continue</button>' +
      '<button data-testid="shortcake_cancel_button">Cancel</button><p data-testid="shortcake_error" hidden></p>';
    document.body.appendChild(box);
    box.querySelector('[data-testid="shortcake_continue_button"]').onclick = () =>
      shortcakeAction.startShortcakePasskeyPairing().catch((error) => console.error("passkey", error));
    box.querySelector('[data-testid="shortcake_cancel_button"]').onclick = cancelPasskey;
    setStage("NotStarted");
    report("event", { kind: "passkey_started", at: Date.now() });
    embeddedOptions = null;
    if (faults.has("passkey_options_embedded") || faults.has("passkey_options_stale")) {
      fetch("/__fake/passkey/options")
        .then((r) => r.text())
        .then((text) => (embeddedOptions = JSON.parse(text)));
    }
    if (!faults.has("passkey_bridge_code_only")) LinkDeviceEvents.trigger("link_device_events:passkey_prologue_request");
    if (faults.has("qr_refs_run_out_during_passkey")) setTimeout(() => Socket.set("state", "UNPAIRED_IDLE"), 300);
    if (faults.has("adv_secret_event_during_passkey")) setTimeout(() => newAdvSecret(), 300);
  }
  function shortcakeError(reason) {
    clearTimeout(stageTimer);
    shortcakeStage = "Failed";
    report("event", { kind: "passkey_error", reason });
    LinkDeviceEvents.trigger("link_device_events:shortcake_error", reason);
    const error = card()?.querySelector('[data-testid="shortcake_error"]');
    if (error) {
      error.hidden = false;
      error.textContent = reason === "timeout" ? "This took too long. Try again." : "Something went wrong. Try again.";
    }
  }
  function cancelPasskey() {
    passkeyPending = false;
    clearTimeout(stageTimer);
    card()?.remove();
    shortcakeStage = "NotStarted";
    verificationCode = null;
    pairingType = PairingType.QR_CODE;
    report("event", { kind: "passkey_cancelled" });
    newAdvSecret();
    startQrBatch();
  }
  function completePairing() {
    setStage("WaitingForPairingCompletion");
    const wait = config.shortcakeStepMs * (faults.has("pairing_completion_late") ? 4 : 1);
    setTimeout(() => {
      if (shortcakeStage !== "WaitingForPairingCompletion") return;
      clearTimeout(stageTimer);
      passkeyPending = false;
      report("event", { kind: "passkey_completed", at: Date.now() });
      Socket.set("state", "PAIRING");
      saveKeys({ paired: true, me: passkeyLinks.me, lid: passkeyLinks.lid }).then(() =>
        setTimeout(() => location.reload(), config.reloadAfterScanMs),
      );
    }, wait);
  }
  const shortcakeApi = {
    getShortcakeLinkingStage: () => shortcakeStage,
    getVerificationCode: () => verificationCode,
  };
  const shortcakeAction = {
    async startShortcakePasskeyPairing() {
      if (!passkeyPending || (shortcakeStage !== "NotStarted" && shortcakeStage !== "Failed")) {
        throw new Error("Invariant: no passkey pairing to start");
      }
      setStage("NotStarted");
      if (faults.has("getref_fails")) return shortcakeError("server_error");
      // Options come with the server's prologue (embedded) or are fetched at Continue; a
      // cached set older than its life is fetched again.
      let options = embeddedOptions;
      if (!options || faults.has("passkey_options_stale")) {
        if (faults.has("passkey_options_stale") && embeddedOptions) report("event", { kind: "passkey_options_refetched" });
        options = JSON.parse(await (await fetch("/__fake/passkey/options")).text());
      }
      if (faults.has("webauthn_rejected")) {
        // The authenticator holds no credential for these options: the browser refuses.
        options = { ...options, allowCredentials: [{ type: "public-key", id: "AAAAAAAAAAAAAAAAAAAAAA" }] };
      }
      if (faults.has("webauthn_not_available") || !navigator.credentials) return shortcakeError("WebAuthn not available");
      const native = navigator.credentials.get;
      if (!String(Function.prototype.toString.call(native)).includes("[native code]")) violation("navigator.credentials");
      const publicKey = {
        ...options,
        timeout: Number(options.timeout) || undefined,
        challenge: b64urlDecode(options.challenge),
        allowCredentials: (options.allowCredentials || []).map((c) => ({ ...c, id: b64urlDecode(c.id) })),
      };
      let credential;
      try {
        credential = await navigator.credentials.get({ publicKey });
      } catch (error) {
        // A failed ceremony: the retry button (Continue again).
        report("event", { kind: "passkey_ceremony_failed", name: error && error.name });
        return shortcakeError("ceremony");
      }
      const response = credential.response;
      const answer = await (
        await fetch("/__fake/passkey/assertion", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            id: b64url(credential.rawId),
            clientDataJSON: b64url(response.clientDataJSON),
            authenticatorData: b64url(response.authenticatorData),
            signature: b64url(response.signature),
          }),
        })
      ).json();
      if (!answer.ok) return shortcakeError("server_error");
      setStage("WaitingForPrimaryIdentity");
      LinkDeviceEvents.trigger("link_device_events:shortcake_prologue_sent");
      setTimeout(() => {
        if (shortcakeStage !== "WaitingForPrimaryIdentity") return;
        if (faults.has("handoff_expired") || faults.has("code_mismatch")) {
          // The handoff key expired: the owner compares the code and confirms it.
          verificationCode = "K7Q2M9XA";
          setStage("WaitingForVerificationCodeConfirmation");
          LinkDeviceEvents.trigger("link_device_events:shortcake_verification_code_ready", verificationCode, false);
          const shown = document.createElement("p");
          shown.setAttribute("data-testid", "shortcake_verification_code_display");
          shown.textContent = `${verificationCode.slice(0, 4)}-${verificationCode.slice(4)}`;
          card()?.appendChild(shown);
          return;
        }
        completePairing();
      }, config.shortcakeStepMs * (faults.has("continuation_late") ? 4 : 1));
    },
    confirmShortcakeVerificationCode() {
      if (shortcakeStage !== "WaitingForVerificationCodeConfirmation") {
        throw new Error("Invariant: no verification code to confirm");
      }
      report("event", { kind: "passkey_code_confirmed" });
      if (faults.has("code_mismatch")) return shortcakeError("server_error");
      if (faults.has("confirm_late")) return void setTimeout(completePairing, config.shortcakeStepMs * 4);
      completePairing();
    },
  };
  let shortcakeRegistered = false;
  // Deferred: the action and the screen register when the passkey screen mounts.
  function registerShortcake() {
    if (shortcakeRegistered) return;
    shortcakeRegistered = true;
    register({ WAWebShortcakeLinkingAction: shortcakeAction, WAWebShortcakePasskeyScreen: { default: {} } });
  }

  // ---- The modules, in the waves the real page registers them. ------------------------------
  const waves = [
    {
      WAWebSocketModel: { Socket },
      WAWebConnModel: { Conn },
      WAWebCmd: { Cmd },
      WAWebCollections: { default: { Msg, Chat, Contact }, Msg, Chat, Contact },
      WAWebChatLoadMessages: { loadEarlierMsgs },
      WAWebStreamModel: { Stream },
      WAWebBackendEventBus: { BackendEventBus },
      WAWebLaunchSocketUtils: launchSocket,
      WABase64: { encodeB64 },
      WAWebCompanionRegClientUtils: { DEVICE_PLATFORM: PLATFORM },
      WAWebAdvSignatureApi: {
        getADVSecretKey: async () => {
          if (!advSecret) throw new Error("secretKey is null or undefined");
          return advSecret;
        },
      },
      WAWebUserPrefsMultiDevice: { advSecretEventEmitter: advEvents, getADVSecretKey: () => advSecret },
      WAWebUserPrefsInfoStore: { waNoiseInfo: { get: async () => ({ staticKeyPair: { pubKey: NOISE_PUB.buffer } }) } },
      WAWebSignalStoreApi: {
        waSignalStore: { getRegistrationInfo: async () => ({ identityKeyPair: { pubKey: IDENTITY_PUB.buffer } }) },
      },
      WAWebOfflineHandler: {
        OfflineMessageHandler: new Proxy(offlineHandler, {
          get(target, name) {
            const method = target[name];
            if (typeof method !== "function" || name === "hasInitOfflineResumeManager") return method;
            // Every getter delegates to a resume manager that exists only once the resume
            // started on this page load: before that, a TypeError.
            return (...args) => {
              if (resume === null) throw new TypeError(`Cannot read properties of null (reading '${String(name)}')`);
              return method(...args);
            };
          },
        }),
      },
      WAWebWidFactory: { createWid, createWidFromWidLike: (like) => createWid(serializedOf(like)) },
      WAWebMsgKey: { default: MsgKey },
    },
    {
      WAWebUserPrefsMeUser: meUser,
      WAWebBuildConstants: { VERSION_STR: config.version },
      WAWebFindChatAction: { findOrCreateLatestChat },
      WAWebSendMsgChatAction: { addAndSendMsgToChat },
      WAWebUpdateUnreadChatAction: { sendSeen, markSeen: async (chat) => sendSeen({ chat, afterAvailable: false }) },
      WAWebChatStateBridge: {
        sendChatStateComposing: chatState("typing"),
        sendChatStatePaused: chatState("idle"),
        sendChatStateRecording: chatState("recording_audio"),
      },
      WAWebAltDeviceLinkingApi: altLinking,
      WAWebLinkDeviceAction: linkDeviceAction,
      WAWebPairingType: { PairingType },
      WAWebLinkDeviceEvents: { WAWebLinkDeviceEvents: LinkDeviceEvents },
      WAWebShortcakeLinkingApi: shortcakeApi,
      WAWebApiContact: apiContact,
      WAWebLidMigrationUtils: lidMigration,
      WAWebGetEphemeralFieldsMsgActionsUtils: { getEphemeralFields },
      WAWebSyncGatingUtils: syncGating,
      WAWebUserPrefsIndexedDBStorage: { userPrefsIdb },
      WAWebReachoutTimelockUtils: reachoutTimelockUtils,
      WAWebGetReachoutTimelockJob: getReachoutTimelockJob,
      WAWebIndividualNewChatMessageCappingLimitUtils: cappingUtils,
      WAWebChatOriginTypes: { VALID_LID_ORIGINS },
      ...media.modules,
      WAWebReactionsMsgAction: reactionsModule,
      WAWebNonMessageDataRequestPlaceholderMessageResendUtils: placeholderResend,
    },
  ];
  function register(wave) {
    for (const [name, exports] of Object.entries(wave)) {
      if (faults.has(`missing_module:${name}`)) continue;
      const shown = { ...exports };
      for (const fault of faults) {
        const [kind, target] = fault.split(":");
        if (kind === "missing_export" && target.startsWith(`${name}.`)) delete shown[target.slice(name.length + 1)];
      }
      // Modules whose exports are read live (gating overrides) keep their identity.
      const live = exports === syncGating || exports === meUser || exports === launchSocket || exports === reactionsModule;
      window.__d(name, [], (_global, _require, module) => {
        module.exports = live && Object.keys(shown).length === Object.keys(exports).length ? exports : shown;
      });
    }
  }

  // ---- Pushes from the server. ------------------------------------------------------------
  const events = new EventSource("/__fake/events");
  events.onmessage = (message) => {
    const push = JSON.parse(message.data);
    // A replay after a reconnect of the event stream: this page handled it already.
    if (handled.has(push.seq)) return;
    handled.add(push.seq);
    if (push.type !== "incoming") confirm(push.seq);
    switch (push.type) {
      case "scan": {
        const refuse = (why) => report("event", { kind: "scan_refused", why });
        if (Socket.get("state") !== "UNPAIRED" || !Conn.get("ref")) return refuse("no QR on the screen");
        if (pairingType !== "QR_CODE") return refuse("the page is in pairing-code mode");
        if (push.qr !== undefined && push.qr !== null) {
          const [ref, , , adv] = String(push.qr).split(",");
          if (ref !== Conn.get("ref")) return refuse("the QR's ref is not the current one");
          if (adv !== advSecret) return refuse("the QR's ADV secret is stale");
        }
        if (faults.has("passkey_after_qr_scan") && !faults.has("passkey_not_required")) {
          enterPasskey(push.me, push.lid);
          break;
        }
        clearTimeout(refTimer);
        Socket.set("state", "PAIRING");
        Conn.set({ ref: undefined, refTTL: undefined });
        // The real page stores its keys, then reloads itself after a successful scan.
        saveKeys({ paired: true, me: push.me, lid: push.lid }).then(() =>
          setTimeout(() => location.reload(), config.reloadAfterScanMs),
        );
        break;
      }
      case "code_entered": {
        if (pairingType !== "ALT_DEVICE_LINKING" || altStage !== "CodeSent") {
          report("event", { kind: "code_refused", why: "no code on the screen" });
          break;
        }
        // The page refuses the phone's hello on a code over 180 s old, or after 3 on one code.
        codeHellos += 1;
        if (faults.has("primary_hello_old_code") || Date.now() - codeMadeAt > 180000) {
          report("event", { kind: "code_refused", why: "the code is too old" });
          break;
        }
        if (faults.has("primary_hello_fourth") && codeHellos <= 3) {
          LinkDeviceEvents.trigger("link_device_events:primary_hello_received");
          report("event", { kind: "code_refused", why: "a hello that did not finish" });
          break;
        }
        if (codeHellos > 3) {
          report("event", { kind: "code_refused", why: "too many hellos on one code" });
          break;
        }
        if (faults.has("passkey_after_pairing_code")) {
          enterPasskey(push.me, push.lid);
          break;
        }
        clearTimeout(refTimer);
        Socket.set("state", "PAIRING");
        saveKeys({ paired: true, me: push.me, lid: push.lid }).then(() =>
          setTimeout(() => location.reload(), config.reloadAfterScanMs),
        );
        break;
      }
      case "link_event":
        // The server's word on the code: the phone typed it, a refresh, a manual refresh.
        LinkDeviceEvents.trigger(`link_device_events:${push.name}`);
        break;
      case "passkey_cancel":
        if (passkeyPending) card()?.querySelector('[data-testid="shortcake_cancel_button"]')?.click();
        break;
      case "passkey_continue": {
        // The owner presses Continue: where the window stands then says whether it was
        // brought forward for them.
        report("event", { kind: "passkey_continue", visibility: document.visibilityState, focused: document.hasFocus() });
        if (passkeyPending) card()?.querySelector('[data-testid="shortcake_continue_button"]')?.click();
        break;
      }
      case "incoming":
        deliver(push.message, push.seq);
        break;
      case "lid":
        mapLid(push.lid, push.phone);
        break;
      case "timelock":
        setTimelock(push.active, push.ends ?? null, push.enforcementType);
        break;
      case "capped":
        setCapped(push.capped);
        break;
      case "contact":
        contactFor(createWid(push.id), { username: push.username, name: push.name });
        break;
      case "ack": {
        const msg = Msg.get(push.id);
        if (msg) msg.set("ack", push.ack);
        break;
      }
      case "edit":
        editMessage(push);
        break;
      case "revoke":
        revokeMessage(push);
        break;
      case "reaction":
        reactTo(push);
        break;
      case "logout":
        logout();
        break;
      case "state":
        Socket.set("state", push.state);
        break;
      case "reload":
        location.reload();
        break;
    }
  };

  // ---- Start: the first wave, Debug.VERSION, then the rest. ---------------------------------
  register(waves[0]);
  const lateMs = faults.has("late_modules") ? config.lateModulesMs : config.secondWaveMs;
  if (!faults.has("no_debug_version")) {
    setTimeout(() => {
      window.Debug = { VERSION: config.version };
      setTimeout(() => register(waves[1]), lateMs);
      // An extra reload while the driver injects (as after a service-worker update).
      if (faults.has("extra_reload") && !sessionStorage.getItem("fake-extra-reload")) {
        sessionStorage.setItem("fake-extra-reload", "1");
        setTimeout(() => location.reload(), 50);
      }
    }, config.debugDelayMs);
  } else {
    register(waves[1]);
  }
  loadKeys()
    .catch((error) => console.error("keys could not be read", error))
    .then(() => {
      setTimeout(() => {
        Socket.set("state", "OPENING");
        if (keys.paired) {
          restoreHistory()
            .catch((error) => console.error("history could not be read", error))
            .then(connectPaired);
        } else startQrBatch();
      }, config.debugDelayMs + 10);
    });
})();
