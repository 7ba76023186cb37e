//! What a number's WhatsApp states do to its data.

use leadline_core::CoreEvent;
use leadline_core::numbers::LinkState;
use leadline_core::whatsapp::AccountState;

use crate::support::core;

fn working(me: &str) -> AccountState {
    AccountState::Working { me: me.into() }
}

#[tokio::test]
async fn linking_records_the_whatsapp_id_once_and_logging_out_marks_the_number() {
    let (core, events) = core();
    let shop = core.add_number("Shop").await.unwrap();
    events.take();

    core.account_state_changed(shop.id, AccountState::Starting)
        .await
        .unwrap();
    core.account_state_changed(shop.id, working("15550001111@c.us"))
        .await
        .unwrap();
    let number = &core.numbers().await.unwrap()[0];
    assert_eq!(number.link_state, LinkState::Linked);
    assert_eq!(number.wa_id.as_deref(), Some("15550001111@c.us"));
    let log = core.activity(10).await.unwrap();
    assert_eq!(log[0].message, "Linked “Shop” to WhatsApp as +15550001111");

    // Working again after a browser restart: nothing new to record.
    core.account_state_changed(shop.id, working("15550001111@c.us"))
        .await
        .unwrap();
    assert_eq!(
        core.activity(10).await.unwrap().len(),
        log.len(),
        "a restart must not log a new link"
    );

    core.account_state_changed(shop.id, AccountState::LoggedOut)
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
    core.account_state_changed(first.id, working("15550001111@c.us"))
        .await
        .unwrap();
    core.account_state_changed(second.id, working("15550001111@c.us"))
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
    core.account_state_changed(404, working("15550001111@c.us"))
        .await
        .unwrap();
    assert!(core.numbers().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_failure_is_audited_once_with_its_reason_by_key_and_values() {
    let (core, _) = core();
    let shop = core.add_number("Shop").await.unwrap();
    let failed = AccountState::failed(leadline_core::whatsapp::failure_reason("UNPAIRED_IDLE"));
    core.account_state_changed(shop.id, failed.clone())
        .await
        .unwrap();
    core.account_state_changed(shop.id, failed).await.unwrap();
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
