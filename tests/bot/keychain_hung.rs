//! A keychain that never answers can't stop the app (issue 25, item 6): each turn that
//! gives up waiting on it must not leave a thread of the pool the store uses behind.
//! The runtime here has 8 blocking threads (tokio's default is 512: the same failure,
//! 64 times sooner).

use std::time::Duration;

use leadline_core::bot::inbox::Handled;

use super::Bot;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(8)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn turns_with_the_keychain_hung_leave_the_database_answering() {
    runtime().block_on(async {
        let bot = Bot::start().await;
        bot.keychain.lock(true);
        for n in 0..12 {
            let chat = format!("3461100{n:04}@c.us");
            // Each turn gives up on the keychain after its 0.5 s wait, and no later.
            let handled = tokio::time::timeout(
                Duration::from_secs(5),
                bot.customer(&format!("H{n}"), &chat, "¿Hola?"),
            )
            .await;
            assert!(
                matches!(handled, Ok(Some(Handled::Failed { .. }))),
                "turn {n}: {handled:?}"
            );
        }
        // Intake stores, and the window's reads answer, while the keychain stays locked.
        let stored = tokio::time::timeout(
            Duration::from_secs(3),
            bot.receive(super::from_customer("H-after", "¿Sigue ahí?")),
        )
        .await;
        let listed = tokio::time::timeout(Duration::from_secs(3), bot.core.numbers()).await;
        bot.keychain.lock(false);
        assert!(
            matches!(stored, Ok(Some(_))),
            "a message is stored with the keychain hung"
        );
        assert!(
            matches!(listed, Ok(Ok(_))),
            "a plain database call answers with the keychain hung"
        );
    });
}
