// The IPC command names, shared by build.rs (the ACL manifest) and the handler list.
pub const NAMES: &[&str] = &[
    "app_status",
    "app_retry_open",
    "numbers_list",
    "numbers_add",
    "numbers_rename",
    "numbers_remove",
    "numbers_link",
    "numbers_unlink",
    "numbers_refresh_qr",
    "numbers_pairing_code",
    "numbers_use_here",
    "numbers_states",
    "settings_get",
    "settings_set",
    "settings_browser",
    "activity_list",
];
