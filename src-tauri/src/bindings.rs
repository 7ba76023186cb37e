//! The TypeScript bindings (`ui/src/lib/bindings.ts`), generated from the Rust types.

use leadline_core::error::ErrorCode;
use leadline_core::events::CoreEvent;
use leadline_core::model::number::{LinkState, WaNumber};
use leadline_core::model::settings::{AppSettings, Theme, VoiceHearing};
use leadline_core::numbers::linking::{LinkEvent, NumberState};
use leadline_core::reports::activity::ActivityEntry;
use leadline_core::text::Text;
use leadline_core::whatsapp::account::AccountState;
use ts_rs::TS;

use crate::commands;
use crate::ipc::IpcError;
use crate::state::AppStatus;

/// The whole `ui/src/lib/bindings.ts`: every IPC type, the command table and the events.
pub fn typescript_bindings() -> String {
    let cfg = ts_rs::Config::new().with_large_int("number");
    let mut out = String::from(
        "// Generated from the Rust types by `scripts/bindings.sh`. Do not edit by hand:\n\
         // the shell test `bindings_match_the_rust_types` fails when this file drifts.\n\n\
         import type { Channel } from \"@tauri-apps/api/core\";\n",
    );
    let declarations = [
        decl::<Text>(&cfg),
        decl::<ErrorCode>(&cfg),
        decl::<IpcError>(&cfg),
        decl::<AppStatus>(&cfg),
        decl::<LinkState>(&cfg),
        decl::<leadline_core::model::limits::Limits>(&cfg),
        decl::<WaNumber>(&cfg),
        decl::<AccountState>(&cfg),
        decl::<LinkEvent>(&cfg),
        decl::<NumberState>(&cfg),
        decl::<Theme>(&cfg),
        decl::<AppSettings>(&cfg),
        decl::<VoiceHearing>(&cfg),
        decl::<crate::commands::settings::BrowserInUse>(&cfg),
        decl::<ActivityEntry>(&cfg),
        decl::<leadline_core::model::lead::QualifiedLead>(&cfg),
        decl::<leadline_core::model::lead::Stage>(&cfg),
        decl::<leadline_core::model::lead::LeadSummary>(&cfg),
        decl::<leadline_core::model::lead::LeadFilter>(&cfg),
        decl::<leadline_core::model::lead::LeadSort>(&cfg),
        decl::<leadline_core::model::lead::LeadPageRequest>(&cfg),
        decl::<leadline_core::model::lead::LeadPage>(&cfg),
        decl::<leadline_core::leads::detail::LeadFieldValue>(&cfg),
        decl::<leadline_core::model::lead::ChangedBy>(&cfg),
        decl::<leadline_core::model::lead::LeadChange>(&cfg),
        decl::<leadline_core::model::lead::LeadEvent>(&cfg),
        decl::<leadline_core::leads::detail::LeadDetail>(&cfg),
        decl::<leadline_core::leads::detail::LeadEdit>(&cfg),
        decl::<leadline_core::leads::export::LeadExportRequest>(&cfg),
        decl::<leadline_core::leads::export::LeadExport>(&cfg),
        decl::<leadline_core::leads::export::ExportProgress>(&cfg),
        decl::<leadline_core::model::chat::ChatKind>(&cfg),
        decl::<leadline_core::model::chat::Direction>(&cfg),
        decl::<leadline_core::model::chat::Origin>(&cfg),
        decl::<leadline_core::model::chat::BotInChat>(&cfg),
        decl::<leadline_core::model::chat::LastMessage>(&cfg),
        decl::<leadline_core::model::chat::ChatSummary>(&cfg),
        decl::<leadline_core::model::chat::ChatListRequest>(&cfg),
        decl::<leadline_core::model::message_kind::MessageKind>(&cfg),
        decl::<leadline_core::model::message_kind::ContactCard>(&cfg),
        decl::<leadline_core::model::message_kind::Quoted>(&cfg),
        decl::<leadline_core::model::message_kind::MessageDetails>(&cfg),
        decl::<leadline_core::model::media::MediaState>(&cfg),
        decl::<leadline_core::model::media::MediaFile>(&cfg),
        decl::<leadline_core::model::media::MediaContent>(&cfg),
        decl::<leadline_core::model::speech::SpeechModel>(&cfg),
        decl::<leadline_core::model::model_file::ModelFile>(&cfg),
        decl::<leadline_core::model::local_ai::LocalAiState>(&cfg),
        decl::<leadline_core::model::transcript::VoiceTranscript>(&cfg),
        decl::<leadline_core::model::transcript::HearingState>(&cfg),
        decl::<leadline_core::model::chat::ChatMessage>(&cfg),
        decl::<leadline_core::model::chat::Transcript>(&cfg),
        decl::<leadline_core::reports::activity::ActivityGroup>(&cfg),
        decl::<leadline_core::reports::home::PeriodFigures>(&cfg),
        decl::<leadline_core::reports::home::HomeFigures>(&cfg),
        decl::<crate::notify::NotificationsStatus>(&cfg),
        decl::<leadline_core::backup::Backup>(&cfg),
        decl::<crate::commands::data::DataRemoved>(&cfg),
        decl::<crate::commands::updates::AvailableUpdate>(&cfg),
        decl::<crate::commands::updates::UpdateCheck>(&cfg),
        decl::<crate::commands::updates::UpdateProgress>(&cfg),
        decl::<leadline_core::contacts::import::SkippedEntry>(&cfg),
        decl::<leadline_core::contacts::import::ImportReport>(&cfg),
        decl::<leadline_core::model::behaviour::OutsideHours>(&cfg),
        decl::<leadline_core::model::behaviour::UnseenMedia>(&cfg),
        decl::<leadline_core::model::behaviour::Behaviour>(&cfg),
        decl::<leadline_core::model::schedule::Period>(&cfg),
        decl::<leadline_core::model::schedule::Closure>(&cfg),
        decl::<leadline_core::model::schedule::Schedule>(&cfg),
        decl::<leadline_core::model::quick_reply::MatchKind>(&cfg),
        decl::<leadline_core::model::quick_reply::QuickReply>(&cfg),
        decl::<leadline_core::model::bot_start::BotStart>(&cfg),
        decl::<leadline_core::bot::settings::NumberBot>(&cfg),
        decl::<leadline_core::leads::webhook::WebhookView>(&cfg),
        decl::<leadline_core::leads::webhook::WebhookCheck>(&cfg),
        decl::<CoreEvent>(&cfg),
        decl::<leadline_core::ai::provider::Preset>(&cfg),
        decl::<leadline_core::ai::pricing::Price>(&cfg),
        decl::<leadline_core::model::lead_field::FieldKind>(&cfg),
        decl::<leadline_core::model::lead_field::LeadField>(&cfg),
        decl::<leadline_core::ai::providers::KeyState>(&cfg),
        decl::<leadline_core::ai::providers::ProviderView>(&cfg),
        decl::<leadline_core::ai::providers::PresetInfo>(&cfg),
        decl::<leadline_core::ai::providers::ProviderInput>(&cfg),
        decl::<leadline_core::ai::providers::ConnectionCheck>(&cfg),
        decl::<leadline_core::model::number_ai::NumberAi>(&cfg),
        decl::<leadline_core::model::first_steps::FirstStep>(&cfg),
        decl::<leadline_core::model::first_steps::FirstSteps>(&cfg),
        decl::<leadline_core::model::first_steps::FirstStepsChoice>(&cfg),
        decl::<leadline_core::ai::assistant::PlaygroundMessage>(&cfg),
        decl::<leadline_core::ai::playground_photo::PlaygroundPhoto>(&cfg),
        decl::<leadline_core::ai::assistant::FoundField>(&cfg),
        decl::<leadline_core::ai::assistant::PlaygroundTurn>(&cfg),
    ];
    for declaration in declarations {
        out.push('\n');
        out.push_str(&declaration);
    }

    out.push_str(&commands_table(&cfg));
    out.push_str(
        "\n/** The payload each event carries, by event name. */\n\
         export type EventPayload<N extends CoreEvent[\"type\"]> = Extract<CoreEvent, { type: N }>[\"payload\"];\n",
    );
    out
}

/// The `Commands` type: every command, its arguments and what it resolves to.
fn commands_table(cfg: &ts_rs::Config) -> String {
    let mut out = String::new();
    out.push_str(
        "\n/** Every command: its arguments and what it resolves to (errors are `IpcError`). */\n",
    );
    out.push_str("export type Commands = {\n");
    for command in commands::registry::signatures(cfg) {
        let args = if command.args.is_empty() {
            "Record<string, never>".to_string()
        } else {
            let args: Vec<String> = command
                .args
                .iter()
                .map(|(name, ty)| format!("{name}: {ty}"))
                .collect();
            format!("{{ {} }}", args.join("; "))
        };
        out.push_str(&format!(
            "  {}: {{ args: {args}; result: {} }};\n",
            command.name, command.result
        ));
    }
    out.push_str("};\n");
    out
}

fn decl<T: TS + 'static>(cfg: &ts_rs::Config) -> String {
    let docs = T::docs().unwrap_or_default();
    format!("{docs}export {}\n", T::decl(cfg))
}
