//! Desktop notifications: a lead that qualified pops up with its name and number; clicking
//! it brings the window forward on that lead, where the notification server reports clicks
//! (the freedesktop servers on Linux, such as GNOME's, KDE's and dunst, do). Whether a
//! server is there at all is asked, not assumed, so Settings can say so.

use leadline_core::leads::QualifiedLead;
use leadline_core::{CoreEvent, Text, text};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::{Action, ActionType, Notification};
use ts_rs::TS;

use crate::language::{self, Language};

/// The words of a notification, in one language.
struct Words {
    open: &'static str,
    title: &'static str,
    unnamed: &'static str,
    sample_name: &'static str,
    sample_reason: &'static str,
    background_title: &'static str,
    background_body: &'static str,
    failed_title: &'static str,
    failed_next: &'static str,
}

const ENGLISH: Words = Words {
    open: "Open the lead",
    title: "Qualified lead: ",
    unnamed: "A new lead",
    sample_name: "Test lead",
    sample_reason: "This is how Leadline tells you a lead is ready.",
    background_title: "Leadline is still running",
    background_body: "It keeps answering your customers. Open it from its icon in the system tray, where you can also quit.",
    failed_title: "Leadline could not answer ",
    failed_next: "Answer them on the phone.",
};

fn words() -> &'static Words {
    match language::current() {
        Language::Es => &Words {
            open: "Abrir el cliente potencial",
            title: "Cliente calificado: ",
            unnamed: "Un nuevo cliente potencial",
            sample_name: "Cliente de prueba",
            sample_reason: "Así te avisa Leadline de que un cliente potencial está listo.",
            background_title: "Leadline sigue funcionando",
            background_body: "Sigue respondiendo a tus clientes. Ábrelo desde su icono en la bandeja del sistema, donde también puedes salir.",
            failed_title: "Leadline no pudo responder a ",
            failed_next: "Respóndele desde el teléfono.",
        },
        Language::Pt => &Words {
            open: "Abrir o lead",
            title: "Lead qualificado: ",
            unnamed: "Um novo lead",
            sample_name: "Lead de teste",
            sample_reason: "É assim que o Leadline avisa que um lead está pronto.",
            background_title: "O Leadline continua funcionando",
            background_body: "Ele continua respondendo seus clientes. Abra-o pelo ícone na bandeja do sistema, onde também pode sair.",
            failed_title: "O Leadline não conseguiu responder a ",
            failed_next: "Responda pelo telefone.",
        },
        Language::Ar => &Words {
            open: "افتح العميل المحتمل",
            title: "عميل مؤهَّل: ",
            unnamed: "عميل محتمل جديد",
            sample_name: "عميل تجريبي",
            sample_reason: "هكذا يخبرك Leadline بأن عميلًا محتملًا جاهز.",
            background_title: "ما زال Leadline يعمل",
            background_body: "يواصل الرد على عملائك. افتحه من أيقونته في شريط النظام، ومن هناك يمكنك إغلاقه أيضًا.",
            failed_title: "تعذّر على Leadline الرد على ",
            failed_next: "ردّ عليه من الهاتف.",
        },
        Language::En => &ENGLISH,
    }
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
        .actions(vec![Action::builder("default", words().open).build()])
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
    if !crate::show_window(app) {
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
        (None, None) => words().unnamed.to_string(),
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
        .title(format!("{}{who}", words().title))
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

/// The notification for a customer Leadline gave up answering (sent once per message):
/// who, through which number, why, and what to do.
pub fn reply_failed<R: Runtime>(app: &AppHandle<R>, number: &str, who: &str, reason: &Text) {
    let Some(notification) = app.try_state::<Notification<R>>() else {
        return;
    };
    let body = format!("{number}: {reason} {}", words().failed_next);
    if let Err(e) = notification
        .builder()
        .title(format!("{}{who}", words().failed_title))
        .body(body)
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
            name: Some(words().sample_name.into()),
            phone: Some("+1 555 0100".into()),
            reason: words().sample_reason.into(),
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
    let words = words();
    if let Err(e) = notification
        .builder()
        .title(words.background_title)
        .body(words.background_body)
        .show()
    {
        tracing::warn!(error = %e, "could not say that Leadline keeps running");
    }
}

#[cfg(test)]
mod tests {
    use super::PendingLead;

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
