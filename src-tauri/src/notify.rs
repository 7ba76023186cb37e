//! Desktop notifications: a lead that qualified pops up with its name and number; clicking
//! it brings the window forward on that lead, where the notification server reports clicks
//! (the freedesktop servers on Linux, such as GNOME's, KDE's and dunst, do). Whether a
//! server is there at all is asked, not assumed, so Settings can say so.

use leadline_core::events::CoreEvent;
use leadline_core::model::lead::QualifiedLead;
use leadline_core::text;
use leadline_core::text::Text;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::{Action, ActionType, Notification};
use ts_rs::TS;

use leadline_core::i18n;

/// A notification's words in the owner's language (from the shared dictionaries).
fn say(key: &str, args: &[(&str, &str)]) -> String {
    i18n::say(i18n::current(), key, args)
}

/// The action type of lead notifications: its "default" action is a click on the
/// notification itself, which the plugin reports as `tap`.
const LEAD_ACTIONS: &str = "lead";

/// A lead to show in a window that is still loading (opened from a notification when the
/// window was closed).
#[derive(Default)]
pub struct PendingLead(std::sync::Mutex<Option<i64>>);

impl PendingLead {
    fn set(&self, id: i64) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(id);
        }
    }

    /// The lead to show, once.
    pub fn take(&self) -> Option<i64> {
        self.0.lock().ok().and_then(|mut slot| slot.take())
    }
}

/// Registers the click handler. Without the notification plugin (the shell's tests) there
/// is nothing to register.
pub fn setup<R: Runtime>(app: &AppHandle<R>) {
    let Some(notification) = app.try_state::<Notification<R>>() else {
        return;
    };
    let open = ActionType::builder(LEAD_ACTIONS)
        .actions(vec![
            Action::builder("default", say("notify.open", &[])).build(),
        ])
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
    if !crate::window::show_window(app) {
        // A new window: its page asks for the lead when it has loaded.
        if let Some(pending) = app.try_state::<PendingLead>() {
            pending.set(id);
        }
        return;
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
        (None, None) => say("notify.unnamed", &[]),
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
        .title(say("notify.qualifiedTitle", &[("who", &who)]))
        .body(plain(&body))
        .action_type_id(LEAD_ACTIONS);
    // The id comes back with a click; a lead id past i32 (never in practice) just can't.
    if let Ok(id) = i32::try_from(lead.lead_id) {
        builder = builder.id(id);
    }
    if let Err(e) = builder.show() {
        tracing::warn!(lead = lead.lead_id, error = %e, "the desktop notification could not be shown");
    }
}

/// `text` as a notification body shows it: the freedesktop servers read bodies as markup
/// (`<b>`, `<a href>`, `<img>`), and a lead's name or reason is a customer's words, so
/// there it is escaped; elsewhere bodies are plain text already.
fn plain(text: &str) -> String {
    if cfg!(all(unix, not(target_os = "macos"))) {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    } else {
        text.to_string()
    }
}

/// The notification for a customer Leadline gave up answering (sent once per message):
/// who, through which number, why, and what to do.
pub fn reply_failed<R: Runtime>(app: &AppHandle<R>, number: &str, who: &str, reason: &Text) {
    let Some(notification) = app.try_state::<Notification<R>>() else {
        return;
    };
    let reason = i18n::translate(reason, i18n::current());
    let body = format!("{number}: {reason} {}", say("notify.failedNext", &[]));
    if let Err(e) = notification
        .builder()
        .title(say("notify.failedTitle", &[("who", who)]))
        .body(plain(&body))
        .show()
    {
        tracing::warn!(error = %e, "the desktop notification could not be shown");
    }
}

/// The notification for incoming messages Leadline can't store (once per run): why, and
/// that they wait in WhatsApp.
pub fn store_failed<R: Runtime>(app: &AppHandle<R>, reason: &Text) {
    let Some(notification) = app.try_state::<Notification<R>>() else {
        return;
    };
    let reason = i18n::translate(reason, i18n::current());
    let body = format!("{reason} {}", say("notify.storeFailedNext", &[]));
    if let Err(e) = notification
        .builder()
        .title(say("notify.storeFailedTitle", &[]))
        .body(plain(&body))
        .show()
    {
        tracing::warn!(error = %e, "the desktop notification could not be shown");
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
    pub text: Text,
}

/// Asks the session's notification server who it is. Blocking (a D-Bus round trip).
#[cfg(all(unix, not(target_os = "macos")))]
pub fn status() -> NotificationsStatus {
    match notify_rust::get_server_information() {
        Ok(info) => NotificationsStatus {
            available: true,
            server: Some(format!("{} {}", info.name, info.version)),
            text: text!(
                "notifications.available",
                "Qualified leads pop up on your desktop."
            ),
        },
        Err(e) => {
            tracing::info!(error = %e, "no desktop notification service");
            NotificationsStatus {
                available: false,
                server: None,
                text: text!(
                    "notifications.no_service",
                    "No notification service is running on this computer, so qualified leads can't pop up. \
                     They still appear in Leads and Activity. Desktops such as GNOME and KDE include one; \
                     on a minimal desktop install a notification daemon (for example dunst) and restart Leadline."
                ),
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
        text: text!(
            "notifications.allow",
            "Qualified leads pop up on your desktop (allow Leadline in the system's notification settings)."
        ),
    }
}

/// A sample notification, so the owner sees what one looks like.
pub fn show_test<R: Runtime>(app: &AppHandle<R>) {
    qualified(
        app,
        &QualifiedLead {
            lead_id: 0,
            account_id: 0,
            name: Some(say("notify.sampleName", &[])),
            phone: Some("+1 555 0100".into()),
            reason: say("notify.sampleReason", &[]),
            score: 100,
            fields: Vec::new(),
        },
    );
}

/// Says once per run, when the window is first closed, that Leadline keeps working.
pub fn running_in_background<R: Runtime>(app: &AppHandle<R>) {
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if SAID.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    let Some(notification) = app.try_state::<Notification<R>>() else {
        return;
    };
    if let Err(e) = notification
        .builder()
        .title(say("notify.backgroundTitle", &[]))
        .body(say("notify.backgroundBody", &[]))
        .show()
    {
        tracing::warn!(error = %e, "could not say that Leadline keeps running");
    }
}

#[cfg(test)]
mod tests {
    use super::{PendingLead, plain};

    #[test]
    fn a_customers_words_in_a_notification_are_never_markup() {
        let name = "<b>Ana</b> & <a href=\"https://evil.example\">click</a>";
        let shown = plain(name);
        if cfg!(all(unix, not(target_os = "macos"))) {
            assert_eq!(
                shown,
                "&lt;b&gt;Ana&lt;/b&gt; &amp; &lt;a href=\"https://evil.example\"&gt;click&lt;/a&gt;"
            );
        } else {
            assert_eq!(shown, name, "no markup there: shown as written");
        }
    }

    #[test]
    fn a_pending_lead_is_given_once() {
        let pending = PendingLead::default();
        assert_eq!(pending.take(), None);
        pending.set(7);
        pending.set(9);
        assert_eq!(pending.take(), Some(9), "the latest click wins");
        assert_eq!(pending.take(), None, "and is shown once");
    }
}
