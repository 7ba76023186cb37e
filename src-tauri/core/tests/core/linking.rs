//! What a number's WhatsApp states do to its data.

use leadline_core::events::CoreEvent;
use leadline_core::model::number::LinkState;
use leadline_core::whatsapp::account::AccountState;

use crate::support::core;

fn working(me: &str) -> AccountState {
    AccountState::Working { me: me.into() }
}

#[tokio::test]
async fn linking_records_the_whatsapp_id_once_and_logging_out_marks_the_number() {
    let (core, events) = core();
    let shop = core.add_number("Shop").await.unwrap();
    events.take();

    leadline_core::numbers::linking::state_changed(&core, shop.id, AccountState::Starting)
        .await
        .unwrap();
    leadline_core::numbers::linking::state_changed(&core, shop.id, working("15550001111@c.us"))
        .await
        .unwrap();
    let number = &core.numbers().await.unwrap()[0];
    assert_eq!(number.link_state, LinkState::Linked);
    assert_eq!(number.wa_id.as_deref(), Some("15550001111@c.us"));
    let log = core.activity(10).await.unwrap();
    assert_eq!(log[0].message, "Linked “Shop” to WhatsApp as +15550001111");

    // Working again after a browser restart: nothing new to record.
    leadline_core::numbers::linking::state_changed(&core, shop.id, working("15550001111@c.us"))
        .await
        .unwrap();
    assert_eq!(
        core.activity(10).await.unwrap().len(),
        log.len(),
        "a restart must not log a new link"
    );

    leadline_core::numbers::linking::state_changed(&core, shop.id, AccountState::LoggedOut)
        .await
        .unwrap();
    assert_eq!(
        core.numbers().await.unwrap()[0].link_state,
        LinkState::LoggedOut
    );
    assert!(
        core.activity(1).await.unwrap()[0]
            .message
            .contains("logged out")
    );

    let statuses: Vec<AccountState> = events
        .take()
        .into_iter()
        .filter_map(|e| match e {
            CoreEvent::AccountStatus { id, state } if id == shop.id => Some(state),
            _ => None,
        })
        .collect();
    assert_eq!(statuses.len(), 4, "every state is announced: {statuses:?}");
}

#[tokio::test]
async fn one_whatsapp_number_cannot_be_linked_as_two_numbers() {
    let (core, _) = core();
    let first = core.add_number("Shop").await.unwrap();
    let second = core.add_number("Shop again").await.unwrap();
    leadline_core::numbers::linking::state_changed(&core, first.id, working("15550001111@c.us"))
        .await
        .unwrap();
    leadline_core::numbers::linking::state_changed(&core, second.id, working("15550001111@c.us"))
        .await
        .unwrap();
    let numbers = core.numbers().await.unwrap();
    assert_eq!(
        numbers[1].link_state,
        LinkState::Unlinked,
        "the second must not claim the same WhatsApp id"
    );
}

#[tokio::test]
async fn a_state_for_a_removed_number_is_harmless() {
    let (core, _) = core();
    leadline_core::numbers::linking::state_changed(&core, 404, working("15550001111@c.us"))
        .await
        .unwrap();
    assert!(core.numbers().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_failure_is_audited_once_with_its_reason_by_key_and_values() {
    let (core, _) = core();
    let shop = core.add_number("Shop").await.unwrap();
    let failed = AccountState::failed(leadline_core::whatsapp::account::failure_reason(
        "UNPAIRED_IDLE",
    ));
    leadline_core::numbers::linking::state_changed(&core, shop.id, failed.clone())
        .await
        .unwrap();
    leadline_core::numbers::linking::state_changed(&core, shop.id, failed)
        .await
        .unwrap();
    let log = core.activity(10).await.unwrap();
    let failures: Vec<_> = log.iter().filter(|e| e.kind == "number_failed").collect();
    assert_eq!(
        failures.len(),
        1,
        "a failure repeated while retrying is one entry"
    );
    let args = &failures[0].args;
    assert_eq!(args.get("name").map(String::as_str), Some("Shop"));
    assert_eq!(
        args.get("reason").map(String::as_str),
        Some("WhatsApp reported a problem (UNPAIRED_IDLE). Leadline will try again.")
    );
    assert_eq!(
        args.get("reason_key").map(String::as_str),
        Some("wa.socket_problem")
    );
    assert_eq!(
        args.get("reason_state").map(String::as_str),
        Some("UNPAIRED_IDLE")
    );
    assert_eq!(
        failures[0].message,
        "“Shop” stopped working: WhatsApp reported a problem (UNPAIRED_IDLE). Leadline will try again."
    );
}

#[tokio::test]
async fn the_whatsapp_web_build_is_recorded_with_the_number_and_told_in_activity_once() {
    use leadline_core::whatsapp::page::PageInfo;
    let (core, events) = core();
    let shop = core.add_number("Shop").await.unwrap();
    assert_eq!(shop.wa_version, None, "unknown until the page says");
    events.take();
    let info = |version: &str, missing: &[&str]| {
        PageInfo::new(
            Some(version.into()),
            None,
            missing.iter().map(|m| m.to_string()).collect(),
        )
    };

    leadline_core::numbers::linking::page_changed(&core, shop.id, info("2.3000.1045818043", &[]))
        .await
        .unwrap();
    let number = &core.numbers().await.unwrap()[0];
    assert_eq!(number.wa_version.as_deref(), Some("2.3000.1045818043"));
    assert!(number.wa_version_tested);
    let log = core.activity(10).await.unwrap();
    assert_eq!(log[0].kind, "wa_version");
    assert_eq!(
        log[0].args.get("variant").map(String::as_str),
        Some("tested")
    );
    assert!(
        events
            .take()
            .iter()
            .any(|e| matches!(e, CoreEvent::NumberUpserted(n) if n.wa_version.is_some())),
        "the window hears of the version with the number"
    );

    // The same build after a reload: nothing new.
    leadline_core::numbers::linking::page_changed(&core, shop.id, info("2.3000.1045818043", &[]))
        .await
        .unwrap();
    assert_eq!(core.activity(10).await.unwrap().len(), log.len());
    assert!(events.take().is_empty());

    // A build outside the tested range, lacking a feature: said plainly, once each.
    leadline_core::numbers::linking::page_changed(
        &core,
        shop.id,
        info("2.3000.1099999999", &["typingOn"]),
    )
    .await
    .unwrap();
    let number = &core.numbers().await.unwrap()[0];
    assert!(!number.wa_version_tested);
    assert_eq!(number.wa_missing_features, ["typingOn"]);
    let log = core.activity(10).await.unwrap();
    let kinds: Vec<&str> = log.iter().take(2).map(|e| e.kind.as_str()).collect();
    assert!(
        kinds.contains(&"wa_version") && kinds.contains(&"wa_features_missing"),
        "{kinds:?}"
    );
    assert!(
        log.iter()
            .any(|e| e.args.get("variant").map(String::as_str) == Some("untested"))
    );
    leadline_core::numbers::linking::page_changed(
        &core,
        shop.id,
        info("2.3000.1099999999", &["typingOn"]),
    )
    .await
    .unwrap();
    assert_eq!(core.activity(10).await.unwrap().len(), log.len());
}
