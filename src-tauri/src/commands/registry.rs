//! The one list of commands (`list.rs`) made into the handler, the names for the ACL
//! manifest and the signatures for the TypeScript bindings.

use std::marker::PhantomData;

use leadline_core::ai::assistant::{PlaygroundMessage, PlaygroundTurn};
use leadline_core::ai::pricing::PriceTable;
use leadline_core::ai::providers::{ConnectionCheck, PresetInfo, ProviderInput, ProviderView};
use leadline_core::backup::Backup;
use leadline_core::bot::settings::NumberBot;
use leadline_core::contacts::import::ImportReport;
use leadline_core::leads::detail::{LeadDetail, LeadEdit};
use leadline_core::leads::export::{ExportProgress, LeadExport, LeadExportRequest};
use leadline_core::leads::webhook::{WebhookCheck, WebhookView};
use leadline_core::model::chat::{ChatListRequest, ChatSummary, Transcript};
use leadline_core::model::first_steps::{FirstSteps, FirstStepsChoice};
use leadline_core::model::lead::LeadSummary;
use leadline_core::model::lead::{LeadPage, LeadPageRequest};
use leadline_core::model::local_ai::LocalAiState;
use leadline_core::model::media::MediaContent;
use leadline_core::model::model_file::ModelFile;
use leadline_core::model::number::WaNumber;
use leadline_core::model::number_ai::NumberAi;
use leadline_core::model::settings::AppSettings;
use leadline_core::model::speech::SpeechModel;
use leadline_core::numbers::linking::{LinkEvent, NumberState};
use leadline_core::reports::activity::{ActivityEntry, ActivityGroup};
use leadline_core::reports::home::HomeFigures;
use tauri::Runtime;
use tauri::ipc::Invoke;
use ts_rs::TS;

use super::settings::BrowserInUse;
use super::{
    ai, app, autostart, bot, chats, contacts, data, leads, linking, local_ai, notifications,
    numbers, reports, settings, updates, voice, webhook,
};
use crate::notify::NotificationsStatus;
use crate::state::AppStatus;

/// A command as the TypeScript bindings describe it.
pub struct Signature {
    pub name: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub result: String,
}

/// How an argument or a result is written in TypeScript.
pub trait IpcType {
    fn ts_name(cfg: &ts_rs::Config) -> String;
}

impl<T: TS> IpcType for T {
    fn ts_name(cfg: &ts_rs::Config) -> String {
        T::name(cfg)
    }
}

/// A `Channel<T>` argument: the command streams `T`s back to the UI.
pub struct ChannelOf<T>(PhantomData<T>);

impl<T: TS> IpcType for ChannelOf<T> {
    fn ts_name(cfg: &ts_rs::Config) -> String {
        format!("Channel<{}>", T::name(cfg))
    }
}

/// A file sent as the request's raw body (`ipc.ts` sends a `Uint8Array` that way).
pub struct RawBody;

impl IpcType for RawBody {
    fn ts_name(_: &ts_rs::Config) -> String {
        "Uint8Array".to_string()
    }
}

/// From the one list: `NAMES`, `handler()` and `signatures()`. The shell tests call every
/// command with exactly its listed arguments, so a list that disagrees with a function's
/// parameters fails there.
macro_rules! commands {
    ($($module:ident :: $name:ident ( $($arg:ident : $ty:ty),* ) -> $result:ty;)*) => {
        /// Every command's name (the ACL manifest and the capability check use these).
        pub const NAMES: &[&str] = &[$(stringify!($name)),*];

        pub fn handler<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($module::$name),*]
        }

        /// The argument names and types of every command, and its result, for the bindings.
        pub fn signatures(cfg: &ts_rs::Config) -> Vec<Signature> {
            vec![$(Signature {
                name: stringify!($name),
                args: vec![$((stringify!($arg), <$ty as IpcType>::ts_name(cfg))),*],
                result: <$result as IpcType>::ts_name(cfg),
            }),*]
        }
    };
}

include!("list.rs");
