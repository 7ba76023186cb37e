//! App settings: defaults, saving, and values this build can't read.

use leadline_core::error::ErrorCode;
use leadline_core::events::CoreEvent;
use leadline_core::model::settings::{AppSettings, Theme, VoiceHearing};
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
            media_keep_days: None,
            voice: VoiceHearing::Off,
        }
    );
}

#[tokio::test]
async fn saved_settings_are_read_back_and_announced() {
    let (core, events) = core();
    // A Chromium where the owner keeps one (its name, and executable).
    let folder = tempfile::tempdir().unwrap();
    let browser = folder.path().join("chromium");
    std::fs::write(&browser, "#!/bin/sh\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let chosen = AppSettings {
        theme: Theme::Dark,
        browser_path: Some(browser.display().to_string()),
        whatsapp_url: Some("http://127.0.0.1:9/".into()),
        language: Some("ar".into()),
        detailed_logs_until: None,
        ai_spend_per_hour_micros: Some(2_500_000),
        media_keep_days: Some(30),
        voice: VoiceHearing::Provider {
            provider: "openai".into(),
        },
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

/// Issue 25, item 8: only a Chromium-family program is taken as the browser, and the
/// answer is the same whether or not there is a file at the path (Settings is no way to
/// learn what is on the disk); WhatsApp's address is https unless on this computer.
#[tokio::test]
async fn only_a_chromium_family_browser_and_an_https_whatsapp_address_are_taken() {
    let (core, _) = core();
    let refusal = |path: &str| {
        let core = core.clone();
        let path = path.to_string();
        async move {
            core.set_settings(AppSettings {
                browser_path: Some(path.clone()),
                ..AppSettings::default()
            })
            .await
            .unwrap_err()
            .to_string()
            .replace(&path, "PATH")
        }
    };
    let not_a_browser = refusal("/bin/sh").await;
    assert!(not_a_browser.contains("Chrome"), "{not_a_browser}");
    assert_eq!(
        not_a_browser,
        refusal("/nonexistent/sh").await,
        "a file or none: the same answer"
    );
    assert_eq!(not_a_browser, refusal("/nonexistent/chrome").await);
    assert_eq!(not_a_browser, refusal("/etc/passwd").await);

    for insecure in ["http://web.whatsapp.example", "http://10.1.2.3:8080"] {
        let refused = core
            .set_settings(AppSettings {
                whatsapp_url: Some(insecure.into()),
                ..AppSettings::default()
            })
            .await
            .unwrap_err();
        assert_eq!(refused.code(), ErrorCode::InvalidInput, "{insecure}");
    }
    for taken in ["https://web.whatsapp.com", "http://127.0.0.1:8123/"] {
        let saved = core
            .set_settings(AppSettings {
                whatsapp_url: Some(taken.into()),
                ..AppSettings::default()
            })
            .await;
        assert!(saved.is_ok(), "{taken}: {saved:?}");
    }
}
