// The local fake of WhatsApp Web (tests only). It copies the parts of the real page that
// Leadline's driver touches: Meta's module loader, Backbone-like models, the login sequence
// with rotating QR refs and a real reload after the scan, and message delivery. The test
// harness steers it through the server (/__fake/*), which pushes to this page over SSE the
// way the real server pushes to the real page.
"use strict";

(() => {
  const config = window.__fakeConfig;
  const faults = new Set(config.faults);

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
    serialize() {
      return JSON.parse(JSON.stringify(this.attributes));
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
    get(id) {
      const key = typeof id === "object" && id !== null ? serializedOf(id) : id;
      return this._models.find((m) => serializedOf(m.id) === key);
    }
    add(model) {
      this._models.push(model);
      this.trigger("add", model, this);
      return model;
    }
    remove(model) {
      this._models = this._models.filter((m) => m !== model);
      this.trigger("remove", model, this);
    }
  }

  // ---- Server communication. -------------------------------------------------------------
  function report(kind, payload) {
    return fetch(`/__fake/report/${kind}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
    }).catch(() => {});
  }

  // ---- Message keys (ids). ---------------------------------------------------------------
  const SERIALIZED = faults.has("serialized_renamed") ? "$1" : "_serialized";
  function serializedOf(id) {
    if (id === null || id === undefined) return undefined;
    if (typeof id === "string") return id;
    return id[SERIALIZED];
  }
  let idCounter = 0;
  class MsgKey {
    constructor({ fromMe, remote, id, from, to, selfDir }) {
      this.fromMe = fromMe ?? selfDir === "out";
      this.remote = remote ?? (this.fromMe ? to : from);
      this.id = id;
      this[SERIALIZED] = `${this.fromMe}_${serializedOf(this.remote)}_${this.id}`;
    }
    toString() {
      return this[SERIALIZED];
    }
    static async newId() {
      idCounter += 1;
      return `3EB0${Date.now().toString(16).toUpperCase()}${idCounter}`;
    }
  }

  // ---- State, persisted in the browser profile in IndexedDB, like the real page's keys
  // (IndexedDB commits each transaction, so a killed browser keeps a finished pairing). ----
  const keys = { paired: false, me: null };
  const me = () => keys.me;
  function database() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("fake-wa", 1);
      request.onupgradeneeded = () => request.result.createObjectStore("keys");
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

  const Socket = new Model({ state: "OPENING", hasSynced: false });
  Socket.takeover = () => {
    report("event", { kind: "takeover" });
    Socket.set("state", "CONNECTED");
  };
  Socket.logout = async () => logout();
  const Conn = new Model({ ref: null, platform: "web", wid: null });
  const Cmd = new Events();
  const Msg = new Collection();
  const Chat = new Collection();

  let refTimer = null;
  let refsLeft = 0;
  let refCount = 0;

  function issueRef() {
    refCount += 1;
    const ref = `2@fake${refCount}${Math.random().toString(36).slice(2, 10)}`;
    Conn.set("ref", ref);
    return ref;
  }

  function startQrBatch() {
    clearTimeout(refTimer);
    refsLeft = config.refsPerBatch;
    const next = (first) => {
      if (refsLeft === 0) {
        Conn.set("ref", null);
        Socket.set("state", "UNPAIRED_IDLE");
        showRef(null);
        return;
      }
      refsLeft -= 1;
      const ref = issueRef();
      showRef(ref);
      refTimer = setTimeout(() => next(false), first ? config.firstRefMs : config.refMs);
    };
    Socket.set("state", "UNPAIRED");
    next(true);
  }

  // The old DOM route to the same string: div[data-ref] with a canvas inside.
  function showRef(ref) {
    let box = document.querySelector("div[data-ref]");
    if (!box) {
      box = document.createElement("div");
      box.innerHTML = '<canvas width="264" height="264"></canvas><span><button>Reload QR</button></span>';
      document.body.appendChild(box);
    }
    if (ref) {
      box.setAttribute("data-ref", qrStringFor(ref));
    } else {
      box.setAttribute("data-ref", "");
    }
  }

  const NOISE_PUB = "FakeNoisePublicKey+AAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  const IDENTITY_PUB = "FakeIdentityPublicKey+AAAAAAAAAAAAAAAAAAAAAAAA=";
  const ADV_SECRET = "FakeAdvSecret/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  const PLATFORM = "WINDOWS";
  function qrStringFor(ref) {
    return [ref, NOISE_PUB, IDENTITY_PUB, ADV_SECRET, PLATFORM].join(",");
  }
  Conn.on("change:ref", (_model, ref) => report("qr", { qr: ref ? qrStringFor(ref) : null }));

  function connectPaired() {
    Socket.set("state", "OPENING");
    Conn.set("wid", me());
    let percent = 0;
    const step = () => {
      Cmd.trigger("offline_progress_update_from_bridge", percent);
      if (percent >= 100) {
        Socket.set("state", "CONNECTED");
        Socket.set("hasSynced", true);
        report("event", { kind: "connected" });
        flushPending();
        return;
      }
      percent = Math.min(100, percent + 25);
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

  function chatFor(wid) {
    let chat = Chat.get(wid);
    if (!chat) {
      chat = new Model({ id: { _serialized: wid, [SERIALIZED]: wid, server: wid.split("@")[1] }, name: wid });
      Chat.add(chat);
    }
    return chat;
  }

  function deliver(incoming, seq) {
    if (Socket.get("state") !== "CONNECTED" || !Socket.get("hasSynced")) {
      pending.push({ message: incoming, seq });
      return;
    }
    confirm(seq);
    const fromMe = !!incoming.fromMe;
    const remote = incoming.chat || incoming.from;
    const key = new MsgKey({ fromMe, remote, id: incoming.id });
    const msg = new Model({
      id: key,
      type: incoming.type || "chat",
      body: incoming.type === "ciphertext" ? "" : incoming.body,
      t: incoming.t ?? Math.floor(Date.now() / 1000),
      from: fromMe ? me() : incoming.from,
      to: fromMe ? remote : me(),
      author: incoming.author ?? undefined,
      notifyName: incoming.notifyName ?? "",
      ack: fromMe ? 1 : 0,
      isNewMsg: incoming.isNewMsg !== false,
    });
    chatFor(remote);
    Msg.add(msg);
    if (incoming.type === "ciphertext") {
      setTimeout(() => msg.set({ type: "chat", body: incoming.body }), config.decryptMs);
    }
  }

  async function logout() {
    await saveKeys(null);
    Cmd.trigger("logout");
    setTimeout(() => location.assign("/?post_logout=1"), 0);
  }

  // ---- The modules the driver reads. -----------------------------------------------------
  const modules = {
    WAWebSocketModel: { Socket },
    WAWebConnModel: { Conn },
    WAWebCmd: {
      Cmd: Object.assign(Cmd, {
        refreshQR() {
          if (Socket.get("state") === "UNPAIRED_IDLE") startQrBatch();
        },
      }),
    },
    WAWebCollections: { Msg, Chat },
    WAWebMsgKey: MsgKey,
    WAWebCompanionRegClientUtils: { DEVICE_PLATFORM: PLATFORM },
    WAWebAdvSignatureApi: { getADVSecretKey: async () => ADV_SECRET },
    WAWebUserPrefsInfoStore: {
      waNoiseInfo: { get: async () => ({ staticKeyPair: { pubKey: NOISE_PUB } }) },
    },
    WAWebSignalStoreApi: {
      waSignalStore: {
        getRegistrationInfo: async () => ({ identityKeyPair: { pubKey: IDENTITY_PUB } }),
      },
    },
    WAWebFindChatAction: {
      findOrCreateLatestChat: async (wid) => ({ chat: chatFor(serializedOf(wid) || String(wid)) }),
    },
    WAWebSendMsgChatAction: {
      addAndSendMsgToChat: async (chat, message) => {
        const model = new Model(message);
        Msg.add(model);
        report("sent", {
          id: serializedOf(message.id),
          chat: serializedOf(chat.id),
          body: message.body,
        });
        setTimeout(() => model.set("ack", 1), 10);
        return [Promise.resolve(model), Promise.resolve("OK")];
      },
    },
    WAWebUpdateUnreadChatAction: {
      sendSeen: async (chat) => report("seen", { chat: serializedOf(chat.id) }),
    },
    WAWebChatStateBridge: {
      sendChatStateComposing: async (wid) => report("typing", { chat: serializedOf(wid) || wid, on: true }),
      sendChatStatePaused: async (wid) => report("typing", { chat: serializedOf(wid) || wid, on: false }),
    },
    WAWebAltDeviceLinkingApi: {
      setPairingType: () => {},
      initializeAltDeviceLinking: async () => {},
      startAltLinkingFlow: async (phone) => {
        const code = `FAKE${String(phone).slice(-4).padStart(4, "0")}`;
        report("event", { kind: "pairing_code", phone: String(phone), code });
        return code;
      },
    },
    WAWebLogoutAction: { logout },
  };
  for (const [name, exports] of Object.entries(modules)) {
    if (faults.has(`missing_module:${name}`)) continue;
    window.__d(name, [], (_global, _require, module) => {
      module.exports = exports;
    });
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
      case "scan":
        if (Socket.get("state") !== "UNPAIRED" || !Conn.get("ref")) break;
        clearTimeout(refTimer);
        Socket.set("state", "PAIRING");
        Conn.set("ref", null);
        // The real page stores its keys, then reloads itself after a successful scan.
        saveKeys({ paired: true, me: push.me }).then(() =>
          setTimeout(() => location.reload(), config.reloadAfterScanMs),
        );
        break;
      case "incoming":
        deliver(push.message, push.seq);
        break;
      case "ack": {
        const msg = Msg.get(push.id);
        if (msg) msg.set("ack", push.ack);
        break;
      }
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

  // ---- Start: Debug.VERSION tells a driver the page is ready for injection. ----------------
  if (!faults.has("no_debug_version")) {
    setTimeout(() => {
      window.Debug = { VERSION: "2.3000.1029999999" };
    }, config.debugDelayMs);
  }
  loadKeys()
    .catch((error) => console.error("keys could not be read", error))
    .then(() => {
      setTimeout(() => {
        if (keys.paired) connectPaired();
        else startQrBatch();
      }, config.debugDelayMs + 10);
    });
})();
