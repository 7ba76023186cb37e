//! App settings: defaults, saving, and values this build can't read.

use leadline_core::CoreEvent;
use leadline_core::settings::{AppSettings, Theme};

use crate::support::core;

#[tokio::test]
async fn settings_start_at_their_defaults() {
    let (core, _) = core();
    assert_eq!(
        core.settings().await.unwrap(),
        AppSettings {
            theme: Theme::System
        }
    );
}

#[tokio::test]
async fn saved_settings_are_read_back_and_announced() {
    let (core, events) = core();
    let dark = AppSettings { theme: Theme::Dark };
    assert_eq!(core.set_settings(dark.clone()).await.unwrap(), dark);
    assert_eq!(core.settings().await.unwrap(), dark);
    assert!(matches!(events.take().as_slice(), [CoreEvent::SettingsChanged(s)] if *s == dark));
}

#[tokio::test]
async fn unreadable_or_unknown_stored_values_fall_back_without_failing() {
    let (core, _) = core();
    core.store()
        .call(|conn| {
            conn.execute_batch(
                r#"INSERT INTO app_settings (key, value, updated_at) VALUES ('theme', '"purple"', 1);
                   INSERT INTO app_settings (key, value, updated_at) VALUES ('from_a_newer_build', '{"x":1}', 1);"#,
            )?;
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(
        core.settings().await.unwrap().theme,
        Theme::System,
        "an unknown theme falls back to the default"
    );
}

#[test]
fn event_names_match_their_serialized_tags() {
    let events = [
        CoreEvent::NumberRemoved { id: 1 },
        CoreEvent::SettingsChanged(AppSettings::default()),
    ];
    for event in events {
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(
            json["type"],
            event.name(),
            "the UI types payloads by the event's name"
        );
    }
}
