//! IPC commands, one file per domain. Each is thin: parse, call the core, map the error.

pub mod activity;
pub mod ai;
pub mod app;
pub mod autostart;
pub mod contacts;
pub mod conversations;
pub mod data;
pub mod leads;
pub mod linking;
mod names;
pub mod notifications;
pub mod numbers;
pub mod settings;
pub mod updates;

use leadline_core::ai::assistant::{NumberAi, PlaygroundMessage, PlaygroundTurn};
use leadline_core::ai::pricing::PriceTable;
use leadline_core::ai::providers::{ConnectionCheck, PresetInfo, ProviderInput, ProviderView};
use leadline_core::backup::Backup;
use leadline_core::bot::settings::NumberBot;
use leadline_core::chats::{ChatListRequest, ChatSummary, Transcript};
use leadline_core::contacts::import::ImportReport;
use leadline_core::leads::LeadSummary;
use leadline_core::leads::detail::{LeadDetail, LeadEdit};
use leadline_core::leads::export::{LeadExport, LeadExportRequest};
use leadline_core::leads::page::{LeadPage, LeadPageRequest};
use leadline_core::leads::webhook::{WebhookCheck, WebhookView};
use leadline_core::numbers::WaNumber;
use leadline_core::numbers::linking::{LinkEvent, NumberState};
use leadline_core::reports::activity::{ActivityEntry, ActivityGroup};
use leadline_core::reports::home::HomeFigures;
use leadline_core::settings::AppSettings;
pub use names::NAMES;
use tauri::Runtime;
use tauri::ipc::Invoke;
use ts_rs::TS;

use crate::notify::NotificationsStatus;
use crate::state::AppStatus;
use settings::BrowserInUse;

pub fn handler<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app::app_status,
        app::app_retry_open,
        numbers::numbers_list,
        numbers::numbers_add,
        numbers::numbers_rename,
        numbers::numbers_remove,
        linking::numbers_link,
        linking::numbers_unlink,
        linking::numbers_refresh_qr,
        linking::numbers_pairing_code,
        linking::numbers_use_here,
        linking::numbers_states,
        settings::settings_get,
        settings::settings_set,
        settings::settings_browser,
        settings::bots_paused,
        settings::bots_pause,
        autostart::autostart_get,
        autostart::autostart_set,
        data::app_backup,
        data::app_open_logs,
        data::app_remove_data,
        updates::update_check,
        updates::update_install,
        updates::update_restart,
        activity::activity_list,
        ai::ai_presets,
        ai::ai_providers,
        ai::ai_provider_save,
        ai::ai_provider_remove,
        ai::ai_provider_test,
        ai::ai_prices,
        ai::ai_prices_set,
        ai::number_ai_get,
        ai::number_ai_set,
        ai::playground_turn,
        ai::number_bot_get,
        ai::number_bot_set,
        ai::webhook_get,
        ai::webhook_set,
        ai::webhook_test,
        leads::leads_latest,
        leads::leads_page,
        leads::lead_get,
        leads::lead_edit,
        leads::lead_take_pending,
        leads::leads_export,
        conversations::chats_list,
        conversations::chat_transcript,
        conversations::chat_reply,
        conversations::chat_pause,
        conversations::chat_resume,
        conversations::chat_ignore,
        activity::home_figures,
        notifications::notifications_status,
        notifications::notifications_test,
        contacts::contacts_import,
        contacts::contacts_known,
        contacts::contacts_forget,
    ]
}

/// A command as the TypeScript bindings describe it.
pub struct Signature {
    pub name: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub result: String,
}

/// The argument names and types of every command in `handler`, for the bindings. The shell
/// tests call each command with exactly these arguments, so a mismatch fails there.
pub fn signatures(cfg: &ts_rs::Config) -> Vec<Signature> {
    let sig = |name, args: Vec<(&'static str, String)>, result| Signature { name, args, result };
    vec![
        sig("app_status", vec![], AppStatus::name(cfg)),
        sig("app_retry_open", vec![], AppStatus::name(cfg)),
        sig("numbers_list", vec![], Vec::<WaNumber>::name(cfg)),
        sig(
            "numbers_add",
            vec![("name", String::name(cfg))],
            WaNumber::name(cfg),
        ),
        sig(
            "numbers_rename",
            vec![("id", i64::name(cfg)), ("name", String::name(cfg))],
            WaNumber::name(cfg),
        ),
        sig(
            "numbers_remove",
            vec![("id", i64::name(cfg))],
            <()>::name(cfg),
        ),
        sig(
            "numbers_link",
            vec![
                ("id", i64::name(cfg)),
                ("onEvent", format!("Channel<{}>", LinkEvent::name(cfg))),
            ],
            <()>::name(cfg),
        ),
        sig(
            "numbers_unlink",
            vec![("id", i64::name(cfg))],
            <()>::name(cfg),
        ),
        sig(
            "numbers_refresh_qr",
            vec![("id", i64::name(cfg))],
            <()>::name(cfg),
        ),
        sig(
            "numbers_pairing_code",
            vec![("id", i64::name(cfg)), ("phone", String::name(cfg))],
            String::name(cfg),
        ),
        sig(
            "numbers_use_here",
            vec![("id", i64::name(cfg))],
            <()>::name(cfg),
        ),
        sig("numbers_states", vec![], Vec::<NumberState>::name(cfg)),
        sig("settings_get", vec![], AppSettings::name(cfg)),
        sig(
            "settings_set",
            vec![("settings", AppSettings::name(cfg))],
            AppSettings::name(cfg),
        ),
        sig("settings_browser", vec![], BrowserInUse::name(cfg)),
        sig("bots_paused", vec![], bool::name(cfg)),
        sig(
            "bots_pause",
            vec![("paused", bool::name(cfg))],
            bool::name(cfg),
        ),
        sig("autostart_get", vec![], bool::name(cfg)),
        sig(
            "autostart_set",
            vec![("enabled", bool::name(cfg))],
            bool::name(cfg),
        ),
        sig("app_backup", vec![], Backup::name(cfg)),
        sig("app_open_logs", vec![], <()>::name(cfg)),
        sig(
            "app_remove_data",
            vec![("confirm", String::name(cfg))],
            data::DataRemoved::name(cfg),
        ),
        sig("update_check", vec![], updates::UpdateCheck::name(cfg)),
        sig(
            "update_install",
            vec![(
                "onProgress",
                format!("Channel<{}>", updates::UpdateProgress::name(cfg)),
            )],
            <()>::name(cfg),
        ),
        sig("update_restart", vec![], <()>::name(cfg)),
        sig(
            "activity_list",
            vec![
                ("limit", u32::name(cfg)),
                ("group", Option::<ActivityGroup>::name(cfg)),
                ("numberId", Option::<i64>::name(cfg)),
                ("beforeId", Option::<i64>::name(cfg)),
            ],
            Vec::<ActivityEntry>::name(cfg),
        ),
        sig("ai_presets", vec![], Vec::<PresetInfo>::name(cfg)),
        sig("ai_providers", vec![], Vec::<ProviderView>::name(cfg)),
        sig(
            "ai_provider_save",
            vec![("provider", ProviderInput::name(cfg))],
            ProviderView::name(cfg),
        ),
        sig(
            "ai_provider_remove",
            vec![("id", String::name(cfg))],
            <()>::name(cfg),
        ),
        sig(
            "ai_provider_test",
            vec![("id", String::name(cfg))],
            ConnectionCheck::name(cfg),
        ),
        sig("ai_prices", vec![], PriceTable::name(cfg)),
        sig(
            "ai_prices_set",
            vec![("prices", PriceTable::name(cfg))],
            PriceTable::name(cfg),
        ),
        sig(
            "number_ai_get",
            vec![("id", i64::name(cfg))],
            NumberAi::name(cfg),
        ),
        sig(
            "number_ai_set",
            vec![("id", i64::name(cfg)), ("ai", NumberAi::name(cfg))],
            NumberAi::name(cfg),
        ),
        sig(
            "playground_turn",
            vec![
                ("id", i64::name(cfg)),
                ("conversation", Vec::<PlaygroundMessage>::name(cfg)),
            ],
            PlaygroundTurn::name(cfg),
        ),
        sig(
            "number_bot_get",
            vec![("id", i64::name(cfg))],
            NumberBot::name(cfg),
        ),
        sig(
            "number_bot_set",
            vec![("id", i64::name(cfg)), ("bot", NumberBot::name(cfg))],
            NumberBot::name(cfg),
        ),
        sig(
            "webhook_get",
            vec![("id", i64::name(cfg))],
            WebhookView::name(cfg),
        ),
        sig(
            "webhook_set",
            vec![
                ("id", i64::name(cfg)),
                ("url", Option::<String>::name(cfg)),
                ("secret", Option::<String>::name(cfg)),
            ],
            WebhookView::name(cfg),
        ),
        sig(
            "webhook_test",
            vec![("id", i64::name(cfg))],
            WebhookCheck::name(cfg),
        ),
        sig(
            "leads_latest",
            vec![("limit", u32::name(cfg))],
            Vec::<LeadSummary>::name(cfg),
        ),
        sig(
            "leads_page",
            vec![("request", LeadPageRequest::name(cfg))],
            LeadPage::name(cfg),
        ),
        sig(
            "lead_get",
            vec![("id", i64::name(cfg))],
            LeadDetail::name(cfg),
        ),
        sig(
            "lead_edit",
            vec![("id", i64::name(cfg)), ("edit", LeadEdit::name(cfg))],
            LeadDetail::name(cfg),
        ),
        sig("lead_take_pending", vec![], Option::<i64>::name(cfg)),
        sig(
            "leads_export",
            vec![("request", LeadExportRequest::name(cfg))],
            LeadExport::name(cfg),
        ),
        sig(
            "chats_list",
            vec![("request", ChatListRequest::name(cfg))],
            Vec::<ChatSummary>::name(cfg),
        ),
        sig(
            "chat_transcript",
            vec![
                ("id", i64::name(cfg)),
                ("beforeId", Option::<i64>::name(cfg)),
                ("limit", u32::name(cfg)),
            ],
            Transcript::name(cfg),
        ),
        sig(
            "chat_reply",
            vec![("id", i64::name(cfg)), ("text", String::name(cfg))],
            <()>::name(cfg),
        ),
        sig(
            "chat_pause",
            vec![("id", i64::name(cfg)), ("minutes", u32::name(cfg))],
            ChatSummary::name(cfg),
        ),
        sig(
            "chat_resume",
            vec![("id", i64::name(cfg))],
            ChatSummary::name(cfg),
        ),
        sig(
            "chat_ignore",
            vec![("id", i64::name(cfg)), ("ignored", bool::name(cfg))],
            ChatSummary::name(cfg),
        ),
        sig("home_figures", vec![], HomeFigures::name(cfg)),
        sig(
            "notifications_status",
            vec![],
            NotificationsStatus::name(cfg),
        ),
        sig("notifications_test", vec![], NotificationsStatus::name(cfg)),
        sig(
            "contacts_import",
            // The file goes as the raw body, the rest as JSON in a header (`ipc.ts`).
            vec![("id", i64::name(cfg)), ("file", "Uint8Array".to_string())],
            ImportReport::name(cfg),
        ),
        sig(
            "contacts_known",
            vec![("id", i64::name(cfg))],
            u32::name(cfg),
        ),
        sig(
            "contacts_forget",
            vec![("id", i64::name(cfg))],
            u32::name(cfg),
        ),
    ]
}
