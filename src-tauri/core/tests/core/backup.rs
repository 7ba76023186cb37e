//! A backup taken while messages are being written is one consistent moment of the
//! database, and taking it does not stop the writes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use leadline_core::leadline::Leadline;
use leadline_core::model::chat::{Direction, Origin};
use leadline_core::store::database::Store;
use leadline_core::store::messages::NewMessage;
use leadline_core::store::{self, chats, messages};

use crate::support::{Recorded, T0, TestClock};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_while_messages_are_written_is_consistent_and_does_not_block_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("leadline.db")).unwrap();
    let core = Leadline::new(store.clone(), Recorded::default().sink(), TestClock::at(T0));
    let shop = core.add_number("Shop").await.unwrap();
    let account = shop.id;
    let chat_id = store
        .call(move |conn| Ok(chats::upsert(conn, account, "c@c.us", None, 0, 0)?.id))
        .await
        .unwrap();

    // The writer: each message and the chat's "last message" move together, as the bot
    // stores them, one transaction each.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(0));
    let writer = {
        let (store, stop, written) = (store.clone(), stop.clone(), written.clone());
        tokio::spawn(async move {
            let mut n: i64 = 0;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                store
                    .call(move |conn| {
                        let tx = conn.transaction()?;
                        let (wa_msg_id, body) = (format!("m{n}"), "hola ".repeat(40));
                        let message = NewMessage {
                            account_id: account,
                            chat_id,
                            wa_msg_id: &wa_msg_id,
                            direction: Direction::In,
                            origin: Origin::Customer,
                            author: None,
                            body: &body,
                            kind: leadline_core::model::message_kind::MessageKind::Text,
                            details: None,
                            sent_at: n,
                        };
                        messages::insert(&tx, &message, n)?;
                        chats::upsert(&tx, account, "c@c.us", None, n, n)?;
                        tx.commit()?;
                        Ok(())
                    })
                    .await
                    .unwrap();
                written.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    while written.load(Ordering::SeqCst) < 500 {
        tokio::task::yield_now().await;
    }

    let folder = dir.path().join("backups");
    let mut copies = Vec::new();
    for _ in 0..3 {
        let before = written.load(Ordering::SeqCst);
        let backup = core.backup_database(&folder).await.unwrap();
        let during = written.load(Ordering::SeqCst) - before;
        assert!(
            during > 0,
            "messages kept being written while the backup ran"
        );
        copies.push(backup);
    }
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();

    for backup in &copies {
        assert!(backup.path.ends_with(".db"), "{}", backup.path);
        assert!(backup.bytes > 0);
        let path = std::path::Path::new(&backup.path);
        assert_eq!(
            store::backup::quick_check(path).unwrap(),
            "ok",
            "SQLite finds nothing wrong in the copy"
        );
        // A backup opens in Leadline as it is (same schema version).
        let copy = Store::open(path).unwrap();
        let said = copy
            .call_blocking(|conn| Ok(messages::of_account(conn, account)?))
            .unwrap();
        let count = said.len() as i64;
        let newest = said.iter().map(|m| m.sent_at).max().unwrap_or(0);
        let last = copy
            .call_blocking(|conn| Ok(chats::of_account(conn, account)?))
            .unwrap()
            .remove(0)
            .last_message_at
            .unwrap_or(0);
        assert!(
            count >= 500,
            "the copy has the messages written before it: {count}"
        );
        assert_eq!(count, newest, "no message is missing in the middle");
        assert_eq!(
            last, newest,
            "the chat and its messages are from the same moment"
        );
    }
    let names: std::collections::BTreeSet<_> = copies.iter().map(|b| b.path.clone()).collect();
    assert_eq!(names.len(), 3, "a backup never overwrites another");
    let leftovers: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty(), "no half-written file is left");
    let log = core.activity(10).await.unwrap();
    assert_eq!(log.iter().filter(|e| e.kind == "backup_made").count(), 3);
}

#[tokio::test]
async fn a_backup_into_a_folder_that_cannot_be_made_is_refused_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("leadline.db")).unwrap();
    let core = Leadline::new(store, Recorded::default().sink(), TestClock::at(T0));
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    let refused = core
        .backup_database(&file.join("backups"))
        .await
        .unwrap_err();
    assert_eq!(refused.text().key, "backup.folder_unusable");
    assert!(
        refused.to_string().contains("can't be used for the backup"),
        "{refused}"
    );
}
