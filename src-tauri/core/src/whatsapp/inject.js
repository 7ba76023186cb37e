// Leadline's bridge into WhatsApp Web. Everything that depends on the page's internals is in
// this file, and every module name is in MODULES: following a WhatsApp Web change should be
// an edit here. Reports go to Rust as JSON through the CDP binding named in CONFIG.binding.
//
// Runs in every new document (Page.addScriptToEvaluateOnNewDocument), so a reload re-injects
// it; the guards below keep it out of iframes and from running twice in one document.
(() => {
  "use strict";
  const CONFIG = /*LEADLINE_CONFIG*/ { binding: "__leadlineEmit", readyTimeoutMs: 30000, pollMs: 200 };

  if (window.top !== window) return;
  if (window.__leadline) return;

  const MODULES = {
    socket: "WAWebSocketModel",
    conn: "WAWebConnModel",
    cmd: "WAWebCmd",
    collections: "WAWebCollections",
    msgKey: "WAWebMsgKey",
    findChat: "WAWebFindChatAction",
    sendMsg: "WAWebSendMsgChatAction",
    seen: "WAWebUpdateUnreadChatAction",
    chatState: "WAWebChatStateBridge",
    regUtils: "WAWebCompanionRegClientUtils",
    advSignature: "WAWebAdvSignatureApi",
    userPrefs: "WAWebUserPrefsInfoStore",
    signalStore: "WAWebSignalStoreApi",
    altLinking: "WAWebAltDeviceLinkingApi",
  };

  const emit = (report) => {
    try {
      window[CONFIG.binding](JSON.stringify(report));
    } catch (_) {
      // The binding is gone only while the browser shuts down: nothing to tell.
    }
  };

  let warnedSerialized = false;
  // Ids are read defensively: the minifier has renamed `_serialized` before.
  function serialized(value) {
    if (value === null || value === undefined) return null;
    if (typeof value === "string") return value;
    if (typeof value._serialized === "string") return value._serialized;
    if (!warnedSerialized) {
      warnedSerialized = true;
      emit({ event: "warning", message: "ids have no _serialized field; rebuilding them from their parts" });
    }
    if (value.remote !== undefined && value.id !== undefined) {
      return `${!!value.fromMe}_${serialized(value.remote)}_${value.id}`;
    }
    if (value.user && value.server) return `${value.user}@${value.server}`;
    return null;
  }

  const bridge = { ready: false };
  window.__leadline = bridge;

  function load() {
    const modules = {};
    for (const [key, name] of Object.entries(MODULES)) {
      try {
        modules[key] = window.require(name);
      } catch (error) {
        // Optional modules are checked where they are used.
        modules[key] = null;
        modules[`${key}Error`] = String((error && error.message) || error);
      }
    }
    for (const key of ["socket", "conn", "cmd", "collections"]) {
      if (!modules[key]) {
        throw new Error(`WhatsApp Web changed: module ${MODULES[key]} is missing (${modules[`${key}Error`]})`);
      }
    }
    return modules;
  }

  async function qrString(m, ref) {
    try {
      const noise = await m.userPrefs.waNoiseInfo.get();
      const registration = await m.signalStore.waSignalStore.getRegistrationInfo();
      const staticKey = noise.staticKeyPair.pubKey;
      const identityKey = registration.identityKeyPair.pubKey;
      const toB64 = (key) => (typeof key === "string" ? key : btoa(String.fromCharCode(...new Uint8Array(key))));
      const adv = await m.advSignature.getADVSecretKey();
      return [ref, toB64(staticKey), toB64(identityKey), adv, m.regUtils.DEVICE_PLATFORM].join(",");
    } catch (error) {
      // The old DOM route to the same string.
      const box = document.querySelector("div[data-ref]");
      const fallback = box && box.getAttribute("data-ref");
      if (fallback) return fallback;
      throw error;
    }
  }

  function watchMessage(msg) {
    if (!msg.isNewMsg) return; // history, not something that just happened
    if (msg.type === "ciphertext") {
      msg.once("change:type", () => watchMessage(msg));
      return;
    }
    const id = serialized(msg.id);
    if (!id) {
      emit({ event: "warning", message: "a message without a readable id was skipped" });
      return;
    }
    emit({
      event: "message",
      id,
      chat: serialized(msg.id.remote),
      from: serialized(msg.from),
      author: serialized(msg.author),
      from_me: !!msg.id.fromMe,
      type: msg.type,
      body: typeof msg.body === "string" ? msg.body : "",
      timestamp: typeof msg.t === "number" ? msg.t : null,
      push_name: msg.notifyName || null,
    });
    msg.on("change:ack", (_model, ack) => emit({ event: "ack", id, ack }));
  }

  function start() {
    let m;
    try {
      m = load();
    } catch (error) {
      emit({ event: "failed", reason: String(error.message || error) });
      return;
    }
    const { Socket } = m.socket;
    const { Conn } = m.conn;
    const { Cmd } = m.cmd;
    const { Msg, Chat } = m.collections;

    const reportMe = () => {
      const me = serialized(Conn.wid);
      if (me) emit({ event: "me", me });
    };
    const reportSocket = () => {
      if (Socket.state === "CONNECTED") reportMe();
      emit({ event: "socket", state: String(Socket.state), has_synced: !!Socket.hasSynced });
    };
    const reportQr = async () => {
      if (!Conn.ref) return emit({ event: "qr", qr: null });
      try {
        emit({ event: "qr", qr: await qrString(m, Conn.ref) });
      } catch (error) {
        emit({ event: "failed", reason: `the login QR could not be read (${error.message || error})` });
      }
    };

    Socket.on("change:state change:hasSynced", reportSocket);
    Conn.on("change:ref", reportQr);
    Conn.on("change:wid", reportMe);
    Cmd.on("offline_progress_update_from_bridge", (percent) => emit({ event: "progress", percent: Number(percent) || 0 }));
    Cmd.on("logout logout_from_bridge", () => emit({ event: "logout" }));
    Msg.on("add", watchMessage);

    async function chatFor(wid) {
      const found = Chat.get(wid);
      if (found) return found;
      if (!m.findChat) throw new Error(`module ${MODULES.findChat} is missing`);
      const result = await m.findChat.findOrCreateLatestChat(wid);
      return result.chat || result;
    }

    Object.assign(bridge, {
      ready: true,
      async send(wid, text) {
        const chat = await chatFor(wid);
        const MsgKey = m.msgKey.default || m.msgKey;
        const me = Conn.wid;
        const key = new MsgKey({ from: me, to: chat.id, id: await MsgKey.newId(), selfDir: "out" });
        const message = {
          id: key,
          ack: 0,
          body: text,
          type: "chat",
          t: Math.floor(Date.now() / 1000),
          from: me,
          to: chat.id,
          isNewMsg: true,
          local: true,
        };
        await m.sendMsg.addAndSendMsgToChat(chat, message);
        return serialized(key);
      },
      async seen(wid) {
        await m.seen.sendSeen(await chatFor(wid), false);
      },
      async typing(wid, on) {
        const chat = await chatFor(wid);
        if (on) await m.chatState.sendChatStateComposing(chat.id);
        else await m.chatState.sendChatStatePaused(chat.id);
      },
      refreshQr() {
        Cmd.refreshQR();
      },
      // The last own messages in a chat (sent from here or the phone, history included):
      // after a crash, whether a reply already went out.
      recentOwn(wid) {
        const all = typeof Msg.getModelsArray === "function" ? Msg.getModelsArray() : Msg.models || [];
        return all
          .filter((msg) => msg.id && msg.id.fromMe && serialized(msg.id.remote) === wid)
          .slice(-50)
          .map((msg) => ({ id: serialized(msg.id), body: String(msg.body || ""), timestamp: Number(msg.t) || 0 }));
      },
      takeover() {
        Socket.takeover();
      },
      async logout() {
        await Socket.logout();
      },
      async pairingCode(phone) {
        const linking = m.altLinking;
        if (!linking) throw new Error(`module ${MODULES.altLinking} is missing`);
        linking.setPairingType("ALT_DEVICE_LINKING");
        await linking.initializeAltDeviceLinking();
        return linking.startAltLinkingFlow(phone, true);
      },
    });

    emit({ event: "injected", version: String(window.Debug.VERSION) });
    reportSocket();
    reportQr();
  }

  // WhatsApp Web is ready for this once Debug.VERSION is set.
  const began = Date.now();
  (function waitUntilReady() {
    if (window.Debug && window.Debug.VERSION) return start();
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
