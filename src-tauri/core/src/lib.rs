//! Leadline's core: everything the app does, with no Tauri in sight. The shell hands it an
//! event sink, a clock and a store; tests hand it their own.

pub mod ai;
pub mod app;
pub mod backup;
pub mod bot;
pub mod chats;
pub mod clock;
pub mod contacts;
pub mod desktop;
pub mod error;
pub mod events;
mod files;
pub mod i18n;
pub mod instance;
pub mod keychain_thread;
pub mod leadline;
pub mod leads;
pub mod local_ai;
pub mod logging;
pub mod media;
pub mod models;
pub mod numbers;
pub mod reports;
pub mod runtime;
pub mod secrets;
pub mod settings;
pub mod store;
pub mod text;
mod text_enum;
pub mod whatsapp;

pub mod model;
pub mod net;

pub use app::App;
pub use clock::{Clock, SystemClock};
pub use error::{Error, ErrorCode, Result};
pub use events::{CoreEvent, EventSink};
pub use leadline::Leadline;
pub use store::database::Store;
pub use text::Text;
