//! Core events on their way out: to the window under their fixed names, and to the desktop
//! pieces that react to them (language, notifications, tray).

use std::sync::Arc;

use leadline_core::events::{CoreEvent, EventSink};
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// An event sink that emits each core event to the webview under its fixed name.
pub fn forward_events<R: Runtime>(app: AppHandle<R>) -> EventSink {
    Arc::new(move |event: CoreEvent| {
        if let CoreEvent::LeadQualified(lead) = &event {
            crate::notify::qualified(&app, lead);
        }
        if let CoreEvent::ReplyFailed {
            number,
            who,
            reason,
            ..
        } = &event
        {
            crate::notify::reply_failed(&app, number, who, reason);
        }
        if let CoreEvent::StoreFailed { reason } = &event {
            crate::notify::store_failed(&app, reason);
        }
        if let Some(tray) = app.try_state::<crate::tray::Tray<R>>() {
            tray.on_event(&event);
        }
        if let Err(e) = app.emit(event.name(), event.payload()) {
            tracing::warn!(event = event.name(), error = %e, "could not forward an event to the window");
        }
    })
}
