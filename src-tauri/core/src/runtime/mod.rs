//! One supervised task per WhatsApp number: it starts the browser, restarts it with backoff
//! when it crashes or hangs (the profile keeps the link, so no new QR), deletes the profile
//! when WhatsApp logs the number out, and never leaves a browser behind. Commands reach a
//! task by channel; its state leaves by watch.

pub mod channel;
pub mod profile;
pub mod supervise;
pub mod tasks;
