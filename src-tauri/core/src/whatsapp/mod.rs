//! WhatsApp Web, driven in a headless Chromium (WHATSAPP_WEB.md). Everything page-facing is
//! in `inject.js`; this module turns what the page reports into account states and messages.

pub mod account;
pub mod browser;
pub mod chromium;
pub mod delivery;
#[cfg(unix)]
mod devtools_pipe;
pub mod driver;
pub mod error;
#[cfg(windows)]
pub mod job;
pub mod kinds;
pub mod limits;
pub mod media;
pub mod message;
pub mod page;
pub mod page_event;
pub mod private;
pub mod process;
pub mod qr;
mod recent;
pub mod window;
