//! App settings: defaults, saving, and values this build can't read.

use leadline_core::error::ErrorCode;
use leadline_core::events::CoreEvent;
use leadline_core::model::settings::{AppSettings, Theme};
use leadline_core::store::app_settings;

use crate::support::core;

#[tokio::test]
async fn settings_start_at_their_defaults() {
    let (core, _) = core();
    assert_eq!(
        core.settings().await.unwrap(),
        AppSettings {
            theme: Theme::System,
            browser_path: None,
            whatsapp_url: None,
            language: None,
            detailed_logs_until: None,
            ai_spend_per_hour_micros: None,
        }
    );
}

#[tokio::test]
async fn saved_settings_are_read_back_and_announced() {
    let (core, events) = core();
    let browser = tempfile::NamedTempFile::new().unwrap();
    let chosen = AppSettings {
        theme: Theme::Dark,
        browser_path: Some(browser.path().display().to_string()),
        whatsapp_url: Some("http://127.0.0.1:9/".into()),
        language: Some("ar".into()),
        detailed_logs_until: None,
        ai_spend_per_hour_micros: Some(2_500_000),
    };
    assert_eq!(core.set_settings(chosen.clone()).await.unwrap(), chosen);
    assert_eq!(core.settings().await.unwrap(), chosen);
    assert!(matches!(events.take().as_slice(), [CoreEvent::SettingsChanged(s)] if *s == chosen));
}

#[tokio::test]
async fn blank_browser_and_address_mean_automatic() {
    let (core, _) = core();
    let saved = core
        .set_settings(AppSettings {
            browser_path: Some("   ".into()),
            whatsapp_url: Some("\t".into()),
            ..AppSettings::default()
        })
        .await
        .unwrap();
    assert_eq!(saved.browser_path, None);
    assert_eq!(saved.whatsapp_url, None);
}

#[tokio::test]
async fn a_missing_browser_or_a_bad_address_is_refused_and_nothing_changes() {
    let (core, events) = core();
    let missing = core
        .set_settings(AppSettings {
            browser_path: Some("/nonexistent/chrome".into()),
            ..AppSettings::default()
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), ErrorCode::InvalidInput);
    assert!(
        missing.to_string().contains("/nonexistent/chrome"),
        "{missing}"
    );

    for bad in ["web.whatsapp.com", "ftp://x", "https://a b"] {
        let refused = core
            .set_settings(AppSettings {
                whatsapp_url: Some(bad.into()),
                ..AppSettings::default()
            })
            .await
            .unwrap_err();
        assert_eq!(refused.code(), ErrorCode::InvalidInput, "{bad}");
        assert!(refused.to_string().contains("https://"), "{refused}");
    }
    let klingon = core
        .set_settings(AppSettings {
            language: Some("tlh".into()),
            ..AppSettings::default()
        })
        .await
        .unwrap_err();
    assert_eq!(klingon.code(), ErrorCode::InvalidInput);
    assert_eq!(core.settings().await.unwrap(), AppSettings::default());
    assert!(events.take().is_empty(), "nothing announced");
}

#[tokio::test]
async fn unreadable_or_unknown_stored_values_fall_back_without_failing() {
    let (core, _) = core();
    core.store()
        .call(|conn| {
            app_settings::put(conn, "theme", r#""purple""#, 1)?;
            app_settings::put(conn, "from_a_newer_build", r#"{"x":1}"#, 1)?;
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

#[tokio::test]
async fn detailed_logs_last_a_day_at_most_and_end_by_themselves() {
    use crate::support::T0;
    const DAY: i64 = 24 * 60 * 60 * 1000;
    let (core, _) = core();
    let asked = |until: i64| AppSettings {
        detailed_logs_until: Some(until),
        ..AppSettings::default()
    };
    let saved = core.set_settings(asked(T0 + 7 * DAY)).await.unwrap();
    assert_eq!(
        saved.detailed_logs_until,
        Some(T0 + DAY),
        "never longer than a day"
    );
    let saved = core.set_settings(asked(T0 + 3_600_000)).await.unwrap();
    assert_eq!(saved.detailed_logs_until, Some(T0 + 3_600_000));
    let saved = core.set_settings(asked(T0 - 1)).await.unwrap();
    assert_eq!(saved.detailed_logs_until, None, "a past end is off");
}
