// Every IPC command, once: `module::name(the arguments the UI sends) -> what it gets back`.
// The handler, the signatures of the TypeScript bindings (`commands/registry.rs`) and the names
// the ACL manifest lists (`build.rs`) are all made from this list; a new command is one
// line here plus its line in `capabilities/main.json`. Argument names are the UI's
// (camelCase), as Tauri maps them onto the function's parameters.
commands! {
    app::app_status() -> AppStatus;
    app::app_retry_open() -> AppStatus;
    numbers::numbers_list() -> Vec<WaNumber>;
    numbers::numbers_add(name: String) -> WaNumber;
    numbers::numbers_rename(id: i64, name: String) -> WaNumber;
    numbers::numbers_remove(id: i64) -> ();
    linking::numbers_link(id: i64, onEvent: ChannelOf<LinkEvent>) -> ();
    linking::numbers_unlink(id: i64) -> ();
    linking::numbers_refresh_qr(id: i64) -> ();
    linking::numbers_pairing_code(id: i64, phone: String) -> String;
    linking::numbers_use_here(id: i64) -> ();
    linking::numbers_confirm_passkey(id: i64) -> ();
    linking::numbers_states() -> Vec<NumberState>;
    settings::settings_get() -> AppSettings;
    settings::settings_set(settings: AppSettings) -> AppSettings;
    settings::settings_browser() -> BrowserInUse;
    settings::first_steps_get() -> FirstSteps;
    settings::first_steps_set(choice: FirstStepsChoice) -> FirstSteps;
    bot::bots_paused() -> bool;
    bot::bots_pause(paused: bool) -> bool;
    autostart::autostart_get() -> bool;
    autostart::autostart_set(enabled: bool) -> bool;
    data::app_backup() -> Backup;
    data::app_open_logs() -> ();
    data::app_remove_data(confirm: String) -> data::DataRemoved;
    updates::update_check() -> updates::UpdateCheck;
    updates::update_install(onProgress: ChannelOf<updates::UpdateProgress>) -> ();
    updates::update_restart() -> ();
    reports::activity_list(limit: u32, group: Option<ActivityGroup>, numberId: Option<i64>, beforeId: Option<i64>) -> Vec<ActivityEntry>;
    ai::ai_presets() -> Vec<PresetInfo>;
    ai::ai_providers() -> Vec<ProviderView>;
    ai::ai_provider_save(provider: ProviderInput) -> ProviderView;
    ai::ai_provider_remove(id: String) -> ();
    ai::ai_provider_test(id: String) -> ConnectionCheck;
    ai::ai_prices() -> PriceTable;
    ai::ai_prices_set(prices: PriceTable) -> PriceTable;
    ai::number_ai_get(id: i64) -> NumberAi;
    ai::number_ai_set(id: i64, ai: NumberAi) -> NumberAi;
    ai::playground_turn(id: i64, conversation: Vec<PlaygroundMessage>) -> PlaygroundTurn;
    bot::number_bot_get(id: i64) -> NumberBot;
    bot::number_bot_set(id: i64, bot: NumberBot) -> NumberBot;
    webhook::webhook_get(id: i64) -> WebhookView;
    webhook::webhook_set(id: i64, url: Option<String>, secret: Option<String>) -> WebhookView;
    webhook::webhook_test(id: i64) -> WebhookCheck;
    leads::leads_latest(limit: u32) -> Vec<LeadSummary>;
    leads::leads_page(request: LeadPageRequest) -> LeadPage;
    leads::lead_get(id: i64) -> LeadDetail;
    leads::lead_edit(id: i64, edit: LeadEdit) -> LeadDetail;
    leads::lead_take_pending() -> Option<i64>;
    leads::leads_export(request: LeadExportRequest, onProgress: ChannelOf<ExportProgress>) -> LeadExport;
    chats::chats_list(request: ChatListRequest) -> Vec<ChatSummary>;
    chats::chat_transcript(id: i64, beforeId: Option<i64>, limit: u32) -> Transcript;
    chats::chat_reply(id: i64, text: String) -> ();
    chats::chat_pause(id: i64, minutes: u32) -> ChatSummary;
    chats::chat_resume(id: i64) -> ChatSummary;
    chats::chat_ignore(id: i64, ignored: bool) -> ChatSummary;
    chats::media_retry(messageId: i64) -> ();
    chats::media_file(messageId: i64) -> MediaContent;
    chats::media_save(messageId: i64) -> String;
    voice::speech_models() -> Vec<SpeechModel>;
    voice::speech_model_install(id: String) -> Vec<SpeechModel>;
    voice::speech_model_cancel(id: String) -> ();
    voice::speech_model_use(id: Option<String>) -> Vec<SpeechModel>;
    voice::speech_model_remove(id: String) -> Vec<SpeechModel>;
    voice::speech_use_provider(provider: String) -> AppSettings;
    local_ai::local_ai_models() -> Vec<ModelFile>;
    local_ai::local_ai_install(id: String) -> Vec<ModelFile>;
    local_ai::local_ai_cancel(id: String) -> ();
    local_ai::local_ai_use(id: String) -> LocalAiState;
    local_ai::local_ai_remove(id: String) -> Vec<ModelFile>;
    local_ai::local_ai_state() -> LocalAiState;
    reports::home_figures() -> HomeFigures;
    notifications::notifications_status() -> NotificationsStatus;
    notifications::notifications_test() -> NotificationsStatus;
    // The file goes as the raw body, the rest as JSON in a header (`ipc.ts`).
    contacts::contacts_import(id: i64, file: RawBody) -> ImportReport;
    contacts::contacts_known(id: i64) -> u32;
    contacts::contacts_forget(id: i64) -> u32;
}
