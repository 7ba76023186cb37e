//! Desktop notifications: a lead that qualified pops up with its name and number; clicking
//! it brings the window forward on that lead, where the notification server reports clicks
//! (the freedesktop servers on Linux, such as GNOME's, KDE's and dunst, do). Whether a
//! server is there at all is asked, not assumed, so Settings can say so.

use leadline_core::CoreEvent;
use leadline_core::leads::QualifiedLead;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::{Action, ActionType, Notification};
use ts_rs::TS;

/// The action type of lead notifications: its "default" action is a click on the
/// notification itself, which the plugin reports as `tap`.
const LEAD_ACTIONS: &str = "lead";

/// Registers the click handler. Without the notification plugin (the shell's tests) there
/// is nothing to register.
pub fn setup<R: Runtime>(app: &AppHandle<R>) {
    let Some(notification) = app.try_state::<Notification<R>>() else {
        return;
    };
    let open = ActionType::builder(LEAD_ACTIONS)
        .actions(vec![Action::builder("default", "Open the lead").build()])
        .build();
    if let Err(e) = notification.register_action_types(vec![open]) {
        tracing::warn!(error = %e, "lead notifications will not open the lead when clicked");
    }
    let handle = app.clone();
    let registered = notification.on_action(move |performed| {
        if performed.action_id() != "tap" && performed.action_id() != "default" {
            return;
        }
        let Some(id) = performed.notification().map(|n| i64::from(n.id())) else {
            return;
        };
        open_lead(&handle, id);
    });
    if let Err(e) = registered {
        tracing::warn!(error = %e, "lead notifications will not open the lead when clicked");
    }
}

/// Brings the window forward and tells it to show lead `id`.
fn open_lead<R: Runtime>(app: &AppHandle<R>, id: i64) {
    tracing::info!(lead = id, "the owner opened a lead from its notification");
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
    let event = CoreEvent::LeadOpen { id };
    if let Err(e) = app.emit(event.name(), event.payload()) {
        tracing::warn!(error = %e, "could not ask the window to show the lead");
    }
}

/// The notification for a lead that just qualified: the lead's name and number as the
/// title, the reason and key fields as the body.
pub fn qualified<R: Runtime>(app: &AppHandle<R>, lead: &QualifiedLead) {
    let Some(notification) = app.try_state::<Notification<R>>() else {
        return;
    };
    let who = match (&lead.name, &lead.phone) {
        (Some(name), Some(phone)) => format!("{name} · {phone}"),
        (Some(name), None) => name.clone(),
        (None, Some(phone)) => phone.clone(),
        (None, None) => "A new lead".to_string(),
    };
    let details: Vec<String> = lead
        .fields
        .iter()
        .filter(|(key, _)| key != "name")
        .take(3)
        .map(|(key, value)| format!("{key}: {value}"))
        .collect();
    let mut body = lead.reason.clone();
    if !details.is_empty() {
        body = format!("{body}\n{}", details.join(" · "));
    }
    let mut builder = notification
        .builder()
        .title(format!("Qualified lead: {who}"))
        .body(body)
        .action_type_id(LEAD_ACTIONS);
    // The id comes back with a click; a lead id past i32 (never in practice) just can't.
    if let Ok(id) = i32::try_from(lead.lead_id) {
        builder = builder.id(id);
    }
    if let Err(e) = builder.show() {
        tracing::warn!(lead = lead.lead_id, error = %e, "the desktop notification could not be shown");
    }
}

/// Whether desktop notifications can be shown on this computer, as Settings says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NotificationsStatus {
    pub available: bool,
    /// The notification service, e.g. "dunst 1.9.0", when one answered.
    pub server: Option<String>,
    /// What it means for the owner, and what to do when notifications can't show.
    pub message: String,
}

/// Asks the session's notification server who it is. Blocking (a D-Bus round trip).
#[cfg(all(unix, not(target_os = "macos")))]
pub fn status() -> NotificationsStatus {
    match notify_rust::get_server_information() {
        Ok(info) => NotificationsStatus {
            available: true,
            server: Some(format!("{} {}", info.name, info.version)),
            message: "Qualified leads pop up on your desktop.".into(),
        },
        Err(e) => {
            tracing::info!(error = %e, "no desktop notification service");
            NotificationsStatus {
                available: false,
                server: None,
                message: "No notification service is running on this computer, so qualified leads can't pop up. \
                          They still appear in Leads and Activity. Desktops such as GNOME and KDE include one; \
                          on a minimal desktop install a notification daemon (for example dunst) and restart Leadline."
                    .into(),
            }
        }
    }
}

/// macOS and Windows always have their notification centre.
#[cfg(not(all(unix, not(target_os = "macos"))))]
pub fn status() -> NotificationsStatus {
    NotificationsStatus {
        available: true,
        server: None,
        message: "Qualified leads pop up on your desktop (allow Leadline in the system's notification settings)."
            .into(),
    }
}

/// A sample notification, so the owner sees what one looks like.
pub fn show_test<R: Runtime>(app: &AppHandle<R>) {
    qualified(
        app,
        &QualifiedLead {
            lead_id: 0,
            account_id: 0,
            name: Some("Test lead".into()),
            phone: Some("+1 555 0100".into()),
            reason: "This is how Leadline tells you a lead is ready.".into(),
            score: 100,
            fields: Vec::new(),
        },
    );
}
