// The fake page's media (WHATSAPP_WEB_MEDIA.md §2, §5): WAWebDownloadManager's low-level
// download with the real page's checks in their order and its typed errors, a message's
// `downloadMedia` (the only path that asks the phone to upload again, never timed out by the
// page), the in-memory blob cache, WAWebMmsMediaTypes and the download qpl. The bytes come
// from the fake's CDN (/__fake/mms/…), where the harness put them.
"use strict";

window.__fakeMedia = ({ faults, report }) => {
  class HttpStatusCodeError extends Error {
    constructor(status, message) {
      super(message);
      this.name = "HttpStatusCodeError";
      this.status = status;
    }
  }
  class MediaNotFoundError extends HttpStatusCodeError {
    constructor(message) {
      super(404, message);
      this.name = "MediaNotFoundError";
    }
  }
  class MMSForbiddenError extends HttpStatusCodeError {
    constructor(message) {
      super(403, message);
      this.name = "MMSForbiddenError";
    }
  }
  class MMSThrottleError extends HttpStatusCodeError {
    constructor(message) {
      super(507, message);
      this.name = "MMSThrottleError";
    }
  }
  const named = (name) =>
    class extends Error {
      constructor(message) {
        super(message);
        this.name = name;
      }
    };
  const HttpNetworkError = named("HttpNetworkError");
  const MmsDownloadFilehashMismatchError = named("MmsDownloadFilehashMismatchError");
  const MediaDecryptionError = named("MediaDecryptionError");
  const InvalidMediaFileType = named("InvalidMediaFileType");
  const MediaNotOnPhone = named("MediaNotOnPhone");
  const MediaNeedsReupload = named("MediaNeedsReupload");

  const MEDIA_TYPES = { IMAGE: "image", VIDEO: "video", GIF: "gif", PTV: "ptv", PTT: "ptt", AUDIO: "audio", DOCUMENT: "document", STICKER: "sticker" };
  const audio = ["audio/ogg; codecs=opus", "audio/mp4", "audio/mpeg", "audio/aac", "audio/amr"];
  const video = ["video/mp4", "video/3gpp"];
  const VALID = { image: ["image/jpeg", "image/png", "image/webp"], video, gif: video, ptv: video, ptt: audio, audio, sticker: ["image/webp"] };
  function getMsgMediaType(msg) {
    if (!["image", "video", "ptv", "ptt", "audio", "document", "sticker"].includes(msg.type)) {
      throw new Error(`getMsgMediaType: not a media message (${msg.type})`);
    }
    return msg.type === "video" && msg.isGif ? "gif" : msg.type;
  }

  async function sha256(buffer) {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", buffer));
    let text = "";
    for (const byte of digest) text += String.fromCharCode(byte);
    return btoa(text);
  }

  const memo = new Map(); // filehash → the decrypted bytes
  async function downloadAndMaybeDecrypt(opts) {
    const type = opts.type;
    // Current builds check the mimetype before anything, with no flag; a missing one is
    // application/octet-stream.
    const mimetype = opts.mimetype === undefined || opts.mimetype === null ? "application/octet-stream" : opts.mimetype;
    report("event", { kind: "download", type, mimetype, directPath: opts.directPath ?? null });
    if (!faults.has("mimetype_check_gated")) {
      const valid = VALID[type];
      if ((valid && !valid.includes(mimetype)) || (type === "document" && mimetype === "image/svg+xml")) {
        throw new InvalidMediaFileType(`Unexpected mimetype ${mimetype} for media type ${type}`);
      }
    }
    const qpl = opts.downloadQpl;
    qpl.addAnnotations({ string: { mediaType: type } }); // a missing qpl throws a TypeError here
    if (faults.has("qpl_worker_decrypt")) {
      if (typeof qpl.getQPLAttrs !== "function" || typeof qpl.isActive !== "function") {
        throw new MediaDecryptionError("decryptMedia: compound worker failed: qpl.getQPLAttrs is not a function");
      }
      qpl.getQPLAttrs();
      qpl.isActive();
    }
    if (!opts.mediaKey) throw new MediaDecryptionError(`decryptMedia: missing key for type ${type}`);
    if (!opts.encFilehash) throw new MediaDecryptionError(`decryptMedia: missing encFilehash for type ${type}`);
    if (opts.filehash && memo.has(opts.filehash)) return memo.get(opts.filehash).slice(0);
    const path = opts.directPath || `/enc/${encodeURIComponent(opts.encFilehash)}`;
    let response;
    try {
      response = await fetch(`/__fake/mms${path}`, { signal: opts.signal });
    } catch (error) {
      if (opts.signal && opts.signal.aborted) throw error;
      throw new HttpNetworkError(`mmsDownload: ${error}`);
    }
    if (!response.ok) {
      const text = await response.text();
      const status = response.status;
      if (status === 404 || status === 410 || (status === 403 && text.includes("URL signature expired"))) {
        throw new MediaNotFoundError(`mmsDownload: ${status}`);
      }
      if (status === 403) throw new MMSForbiddenError("mmsDownload: 403");
      if (status === 507) throw new MMSThrottleError("mmsDownload: 507");
      throw new HttpStatusCodeError(status, `mmsDownload: ${status}`);
    }
    const bytes = await response.arrayBuffer();
    const cipher = faults.has("ciphertext_hash_mismatch") ? new Uint8Array([...new Uint8Array(bytes), 0]).buffer : bytes;
    if ((await sha256(cipher)) !== opts.encFilehash) {
      throw new MmsDownloadFilehashMismatchError("mmsDownload: ciphertext hash mismatch");
    }
    if (opts.filehash) memo.set(opts.filehash, bytes);
    return bytes.slice(0);
  }

  const blobCache = new Map(); // filehash → Blob
  const InMemoryMediaBlobCache = { get: (filehash) => blobCache.get(filehash), has: (filehash) => blobCache.has(filehash) };

  // What the fake adds to a media message once it is on the page: mediaData after a tick,
  // the media object with its download entry, and `downloadMedia`.
  function attach(msg, media) {
    const entry = { directPath: msg.directPath, encFilehash: msg.encFilehash, mediaKey: msg.mediaKey, mediaKeyTimestamp: msg.mediaKeyTimestamp };
    msg.mediaObject = {
      entries: {
        getDownloadEntry: () => ({
          directPath: entry.directPath,
          getEncfilehash: () => entry.encFilehash,
          getMediaKey: () => entry.mediaKey,
          getMediaKeyTimestamp: () => entry.mediaKeyTimestamp,
        }),
      },
    };
    setTimeout(() => {
      msg.mediaData = { filehash: msg.filehash, size: msg.size, mediaStage: "INIT", mediaBlob: null };
    }, 0);
    msg.downloadMedia = async (opts) => {
      if (!opts) throw new TypeError("Cannot read properties of undefined (reading 'downloadEvenIfExpensive')");
      const data = msg.mediaData;
      if (!data || msg.type === "revoked" || data.mediaStage === "ERROR_MISSING") return undefined;
      if (faults.has("untrusted_sender") && !opts.isUserInitiated) return undefined;
      data.mediaStage = "REUPLOADING";
      report("event", { kind: "reupload_asked", id: media.id });
      // The phone is away: the page sets no timeout of its own.
      if (faults.has("phone_offline")) return new Promise(() => {});
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (faults.has("media_deleted_on_phone")) {
        data.mediaStage = "ERROR_MISSING";
        return undefined;
      }
      if (faults.has("rmr_error")) {
        data.mediaStage = "NEED_POKE";
        return undefined;
      }
      // The phone uploaded it again: the new path is only on the media object's entries.
      entry.directPath = `${msg.directPath}.reuploaded`;
      data.mediaStage = "FETCHING";
      try {
        const response = await fetch(`/__fake/mms${entry.directPath}`);
        if (!response.ok) throw new Error(String(response.status));
        const blob = await response.blob();
        blobCache.set(msg.filehash, blob);
        data.mediaBlob = { forceToBlob: () => blob };
        data.mediaStage = "RESOLVED";
      } catch (_) {
        data.mediaStage = "NEED_POKE";
      }
      return undefined;
    };
  }

  return {
    attach,
    modules: {
      WAWebDownloadManager: { downloadManager: { downloadAndMaybeDecrypt } },
      WAWebMmsMediaTypes: { MEDIA_TYPES, getMsgMediaType, getValidMimeTypes: (type) => VALID[type] ?? null },
      WAWebStartMediaDownloadQpl: {
        startMediaDownloadQpl: () => {
          const qpl = {
            addAnnotations: () => qpl,
            addPoint: () => qpl,
            getQPLAttrs: () => ({ markerId: 1, instanceKey: 1 }),
            isActive: () => false,
          };
          return qpl;
        },
      },
      WAWebMediaInMemoryBlobCache: { InMemoryMediaBlobCache },
      WAWebMmsClientErrors: { MediaNotFoundError, MMSForbiddenError, MMSThrottleError, MmsDownloadFilehashMismatchError },
      WAWebHttpErrors: { HttpStatusCodeError, HttpNetworkError },
      WAWebMediaFileErrors: { InvalidMediaFileType },
      WAWebDownloadManagerErrors: { MediaNotOnPhone, MediaNeedsReupload },
      WAWebMediaLoadErrors: { MediaDecryptionError },
    },
  };
};
