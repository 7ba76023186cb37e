// English: the source of every key, kept in en.json so the Rust side says the same texts
// (the core's sentences as `core.<key>`, which must read exactly as the core's English
// template, a test compares them; the tray's and the notifications' words). Other
// languages must translate each one (the type checker fails on a missing key). `{name}`
// marks a value filled in at run time.
import english from "./en.json";

export const en = english;
export type Key = keyof typeof en;
