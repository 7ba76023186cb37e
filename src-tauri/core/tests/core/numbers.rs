//! Numbers: what the owner can add, rename and remove, and what that records and announces.

use leadline_core::error::{Error, ErrorCode};
use leadline_core::events::CoreEvent;
use leadline_core::model::chat::{Direction, Origin};
use leadline_core::model::number::LinkState;
use leadline_core::numbers::name::MAX_NAME_CHARS;
use leadline_core::store::messages::NewMessage;
use leadline_core::store::{account_settings, app_settings, chats, contacts, leads, messages};

use crate::support::{T0, core};

#[tokio::test]
async fn a_number_added_is_listed_announced_and_logged() {
    let (core, events) = core();
    let added = core.add_number("  Shop  ").await.unwrap();
    assert_eq!(added.name, "Shop", "outer spaces must be trimmed");
    assert_eq!(
        added.link_state,
        LinkState::Unlinked,
        "a new number is not linked yet"
    );
    assert_eq!(added.created_at, T0);
    assert_eq!((added.chat_count, added.lead_count), (0, 0));

    assert_eq!(core.numbers().await.unwrap(), vec![added.clone()]);
    assert!(
        matches!(events.take().as_slice(), [CoreEvent::NumberUpserted(n)] if *n == added),
        "adding must announce the number once"
    );
    let log = core.activity(10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].kind, "number_added");
    assert_eq!(log[0].account_id, Some(added.id));
}

#[tokio::test]
async fn names_in_any_script_with_emoji_round_trip_exactly() {
    let (core, _) = core();
    for name in [
        "متجر الورد 🌹",
        "Магазин",
        "店舗 東京",
        "שלום shop",
        "👟👟👟",
    ] {
        let added = core.add_number(name).await.unwrap();
        assert_eq!(added.name, name, "the name must be stored exactly as typed");
    }
    assert_eq!(core.numbers().await.unwrap().len(), 5);
}

#[tokio::test]
async fn unusable_names_are_refused_with_a_reason_and_nothing_is_stored() {
    let (core, events) = core();
    let too_long = "é".repeat(MAX_NAME_CHARS + 1);
    let cases = [
        ("", "Give the number a name"),
        ("   \t ", "Give the number a name"),
        ("\u{200B}\u{200D}\u{FEFF}", "Give the number a name"),
        ("Shop\nSales", "one line"),
        (too_long.as_str(), "61 characters"),
    ];
    for (name, reason) in cases {
        match core.add_number(name).await {
            Err(e @ Error::InvalidInput(_)) => {
                assert!(e.to_string().contains(reason), "{name:?}: {e}");
                assert_eq!(e.code(), ErrorCode::InvalidInput);
            }
            other => panic!("{name:?} must be refused as invalid input, got {other:?}"),
        }
    }
    let exactly_max = "ß".repeat(MAX_NAME_CHARS);
    assert!(
        core.add_number(&exactly_max).await.is_ok(),
        "a name of exactly the limit is fine"
    );
    assert_eq!(
        core.numbers().await.unwrap().len(),
        1,
        "refused names must store nothing"
    );
    assert_eq!(events.names(), vec!["number:upserted"]);
}

#[tokio::test]
async fn a_duplicate_name_is_a_conflict_whatever_its_case() {
    let (core, _) = core();
    core.add_number("Shop").await.unwrap();
    let e = core.add_number("SHOP").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict, "{e}");
    assert!(
        e.to_string()
            .contains("already have a number called “SHOP”"),
        "{e}"
    );
    // The window says it in the owner's language from its key and values.
    let text = e.text();
    assert_eq!(text.key, "number.name_taken");
    assert_eq!(text.args.get("name").map(String::as_str), Some("SHOP"));
    assert_eq!(text.english, e.to_string());

    let other = core.add_number("Sales").await.unwrap();
    let e = core.rename_number(other.id, "shop").await.unwrap_err();
    assert_eq!(
        e.code(),
        ErrorCode::Conflict,
        "renaming onto another number's name must be refused"
    );
    assert_eq!(
        core.numbers().await.unwrap()[1].name,
        "Sales",
        "a refused rename changes nothing"
    );
}

#[tokio::test]
async fn renaming_changes_the_name_announces_it_and_logs_old_and_new() {
    let (core, events) = core();
    let shop = core.add_number("Shop").await.unwrap();
    events.take();
    let renamed = core.rename_number(shop.id, "Main shop").await.unwrap();
    assert_eq!(renamed.name, "Main shop");
    assert_eq!(renamed.id, shop.id);
    assert!(
        matches!(events.take().as_slice(), [CoreEvent::NumberUpserted(n)] if n.name == "Main shop")
    );
    let log = core.activity(1).await.unwrap();
    assert_eq!(log[0].message, "Renamed number “Shop” to “Main shop”");

    // Same name again: nothing to record.
    core.rename_number(shop.id, " Main shop ").await.unwrap();
    assert_eq!(
        core.activity(10).await.unwrap().len(),
        2,
        "a no-op rename must not be logged"
    );
}

#[tokio::test]
async fn a_number_that_no_longer_exists_is_not_found() {
    let (core, events) = core();
    assert_eq!(
        core.rename_number(42, "X").await.unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        core.remove_number(42).await.unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert!(
        events.names().is_empty(),
        "failed operations must announce nothing"
    );
}

#[tokio::test]
async fn removing_a_number_deletes_everything_under_it_and_nothing_else() {
    let (core, events) = core();
    let shop = core.add_number("Shop").await.unwrap();
    let keep = core.add_number("Keep").await.unwrap();
    let (shop_id, keep_id) = (shop.id, keep.id);
    core.store()
        .call(move |conn| {
            for account in [shop_id, keep_id] {
                let wa_id = format!("c{account}@c.us");
                let contact = contacts::upsert(conn, account, &wa_id, None, None, None, 1)?;
                let chat = chats::upsert(conn, account, &wa_id, Some(contact.id), 1, 1)?;
                let message = NewMessage {
                    account_id: account,
                    chat_id: chat.id,
                    wa_msg_id: &format!("m{account}"),
                    direction: Direction::In,
                    origin: Origin::Customer,
                    author: None,
                    body: "hola",
                    kind: leadline_core::model::message_kind::MessageKind::Text,
                    details: None,
                    sent_at: 1,
                };
                messages::insert(conn, &message, 1)?;
                leads::upsert(conn, account, contact.id, None, 1)?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let listed = core.numbers().await.unwrap();
    assert_eq!(
        (listed[0].chat_count, listed[0].lead_count),
        (1, 1),
        "the list must count what removal deletes"
    );

    events.take();
    core.remove_number(shop_id).await.unwrap();
    assert!(
        matches!(events.take().as_slice(), [CoreEvent::NumberRemoved { id }] if *id == shop_id)
    );
    assert_eq!(
        core.numbers().await.unwrap(),
        vec![core.numbers().await.unwrap()[0].clone()]
    );
    assert_eq!(core.numbers().await.unwrap()[0].id, keep_id);

    let left = |account: i64| {
        core.store()
            .call_blocking(move |conn| {
                Ok([
                    contacts::of_account(conn, account)?.len(),
                    chats::of_account(conn, account)?.len(),
                    messages::of_account(conn, account)?.len(),
                    leads::of_account(conn, account)?.len(),
                    usize::from(account_settings::bot(conn, account)?.is_some()),
                ])
            })
            .unwrap()
    };
    assert_eq!(
        left(shop_id),
        [0; 5],
        "nothing of the removed number remains"
    );
    assert_eq!(left(keep_id), [1; 5], "the other number's data stays");

    let log = core.activity(1).await.unwrap();
    assert_eq!(
        log[0].message,
        "Removed number “Shop” with 1 conversations and 1 leads"
    );
    assert_eq!(log[0].account_id, None);
}

/// Item 9 of "exactly once": a removed number's id, webhook address and secret never pass
/// to a number added after it.
#[tokio::test]
async fn a_removed_numbers_id_and_webhook_never_pass_to_a_new_number() {
    use leadline_core::secrets::Keychain;
    let (core, _) = core();
    let keychain = std::sync::Arc::new(leadline_core::secrets::MemoryKeychain::default());
    let core = core.with_keychain(keychain.clone());
    let first = core.add_number("First").await.unwrap();
    let newest = core.add_number("Newest").await.unwrap();
    core.set_webhook(
        newest.id,
        Some("https://hooks.example.com/lead".into()),
        Some("whsec-newest".into()),
    )
    .await
    .unwrap();
    core.remove_number(newest.id).await.unwrap();
    assert_eq!(
        keychain.get(&format!("webhook-{}", newest.id)).unwrap(),
        None,
        "its secret left the keychain"
    );
    let next = core.add_number("Next").await.unwrap();
    assert!(
        next.id > newest.id,
        "a new number never gets a removed one's id ({} after {})",
        next.id,
        newest.id
    );
    let webhook = core.webhook(next.id).await.unwrap();
    assert_eq!(webhook.url, None, "no webhook inherited");
    assert!(!webhook.secret_set);
    let key = format!("webhook_url:{}", newest.id);
    let leftover = core
        .store()
        .call(move |conn| Ok(app_settings::get(conn, &key)?))
        .await
        .unwrap();
    assert_eq!(leftover, None, "its webhook address is gone from the store");
    assert!(first.id < newest.id);

    // "Remove all data" takes every webhook secret, removed numbers' included.
    keychain
        .set(
            &format!("webhook-{}", first.id),
            &leadline_core::ai::secret::ApiKey::new("s1"),
        )
        .unwrap();
    core.forget_all_webhook_secrets().await.unwrap();
    assert_eq!(
        keychain.get(&format!("webhook-{}", first.id)).unwrap(),
        None
    );
}
