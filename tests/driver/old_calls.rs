//! The calls of the old contract fail against the fake as they fail on the real site
//! (WHATSAPP_WEB.md, "What changed"): the fake is only worth its strictness. Each is run in
//! the fake's own page in a real Chromium, without Leadline's bridge.

use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::page::Page;
use futures::StreamExt;

use super::*;

struct Bare {
    browser: Browser,
    page: Page,
    handler: tokio::task::JoinHandle<()>,
    _profile: tempfile::TempDir,
}

async fn open(fake: &FakeWhatsApp) -> Bare {
    let profile = tempfile::tempdir().unwrap();
    let chrome = browser::find(None).expect("Chromium is installed (scripts/setup.sh --test)");
    let mut config = BrowserConfig::builder()
        .chrome_executable(chrome)
        .user_data_dir(profile.path())
        .disable_default_args()
        .args(browser::FLAGS.iter().copied());
    if browser::needs_no_sandbox() {
        config = config.no_sandbox();
    }
    let (browser, mut events) = Browser::launch(config.build().unwrap()).await.unwrap();
    let handler = tokio::spawn(async move { while events.next().await.is_some() {} });
    let page = browser.new_page(fake.url()).await.unwrap();
    Bare {
        browser,
        page,
        handler,
        _profile: profile,
    }
}

impl Bare {
    /// Runs `body` (an async function body) in the page; returns what it returned, or
    /// `threw: <name>: <message>`.
    async fn run(&self, body: &str) -> String {
        let expression = format!(
            "(async () => {{ try {{ return String(await (async () => {{ {body} }})()); }} \
             catch (e) {{ return 'threw: ' + e.name + ': ' + e.message; }} }})()"
        );
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            // A reload of the page (after the scan) destroys the context mid-call: again.
            match self.page.evaluate(expression.as_str()).await {
                Ok(value) => return value.into_value::<String>().unwrap(),
                Err(e) => {
                    assert!(tokio::time::Instant::now() < deadline, "{body}: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    /// Waits until `condition` (an expression) is true in the page.
    async fn until(&self, what: &str, condition: &str) {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        let body = format!("try {{ return !!({condition}); }} catch (e) {{ return false; }}");
        while self.run(&body).await != "true" {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the page never had {what}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn close(mut self) {
        let _ = self.browser.close().await;
        let _ = self.browser.wait().await;
        self.handler.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_old_contracts_calls_fail_against_the_fake_as_on_the_real_site() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("send_result_error");
    let page = open(&fake).await;
    page.until("its late modules", "require('WAWebUserPrefsMeUser')")
        .await;

    // Progress is read from the offline handler only once the resume started.
    assert!(
        page.run("return require('WAWebOfflineHandler').OfflineMessageHandler.getOfflineDeliveryProgress();")
            .await
            .starts_with("threw: TypeError"),
        "the offline handler throws before the resume"
    );
    // The webpack-era refresh is gone from Cmd.
    assert_eq!(
        page.run("return typeof require('WAWebCmd').Cmd.refreshQR;")
            .await,
        "undefined"
    );
    assert!(
        page.run("require('WAWebCmd').Cmd.refreshQR();")
            .await
            .starts_with("threw: TypeError")
    );
    assert!(
        page.run("return require('WAWebWidFactory').createWid(34600000001);")
            .await
            .starts_with("threw: TypeError"),
        "createWid takes a string only"
    );

    fake.scan(ME);
    page.until(
        "a linked, synced page",
        "require('WAWebSocketModel').Socket.hasSynced",
    )
    .await;
    fake.incoming(incoming("O1", CUSTOMER, "hola"));
    page.until(
        "the customer's chat",
        &format!("require('WAWebCollections').Chat.get('{CUSTOMER}')"),
    )
    .await;

    // "Me" lives in the user prefs only: Conn.wid is never set.
    assert_eq!(
        page.run("return require('WAWebConnModel').Conn.wid;").await,
        "undefined"
    );
    assert_eq!(
        page.run("return String(require('WAWebUserPrefsMeUser').getMaybeMePnUser());")
            .await,
        ME
    );
    let chat = format!("const chat = require('WAWebCollections').Chat.get('{CUSTOMER}');");
    // sendSeen takes one object now.
    assert_eq!(
        page.run(&format!(
            "{chat} await require('WAWebUpdateUnreadChatAction').sendSeen(chat, false);"
        ))
        .await,
        "threw: TypeError: Cannot read properties of undefined (reading 'markedUnread')"
    );
    // ...and waits for the stream while the page is away, unless told not to.
    assert_eq!(
        page.run(&format!(
            "{chat} return Promise.race([require('WAWebUpdateUnreadChatAction').sendSeen({{ chat }}).then(() => 'resolved'), \
             new Promise((r) => setTimeout(() => r('waiting'), 1000))]);"
        ))
        .await,
        "waiting"
    );
    // findOrCreateLatestChat needs a Wid.
    assert!(
        page.run(&format!(
            "return (await require('WAWebFindChatAction').findOrCreateLatestChat('{CUSTOMER}')).chat;"
        ))
        .await
        .starts_with("threw: TypeError")
    );
    // A message key from the old sender (Conn.wid) or from strings is refused.
    assert!(
        page.run(&format!(
            "{chat} const K = require('WAWebMsgKey').default; \
             return new K({{ from: require('WAWebConnModel').Conn.wid, to: chat.id, id: await K.newId(), selfDir: 'out' }});"
        ))
        .await
        .contains("not a wid")
    );
    assert!(
        page.run(&format!(
            "const K = require('WAWebMsgKey').default; return new K({{ from: '{ME}', to: '{CUSTOMER}', id: 'X', selfDir: 'out' }});"
        ))
        .await
        .contains("not a wid")
    );
    // One await on the send's array "succeeds" while the server refused the message: the
    // old driver reported it sent.
    let one_await = page
        .run(&format!(
            "{chat} const K = require('WAWebMsgKey').default; \
             const from = require('WAWebUserPrefsMeUser').getMaybeMePnUser(); \
             const key = new K({{ from, to: chat.id, id: await K.newId(), selfDir: 'out' }}); \
             const awaited = await require('WAWebSendMsgChatAction').addAndSendMsgToChat(chat, \
               {{ id: key, ack: 0, body: 'x', type: 'chat', t: 1, from, to: chat.id, local: true, self: 'out', isNewMsg: true }}); \
             return [Array.isArray(awaited), awaited.length, (await awaited[1]).messageSendResult].join(' ');"
        ))
        .await;
    assert_eq!(one_await, "true 2 ERROR_NETWORK");
    // Takeover outside a conflict throws, as the real Socket does.
    assert_eq!(
        page.run("require('WAWebSocketModel').Socket.takeover();")
            .await,
        "threw: Error: Takeover called without conflict!"
    );
    // A logout is announced as logout_from_bridge; the old `logout` event never fires.
    assert_eq!(
        page.run(
            "const { Cmd } = require('WAWebCmd'); const got = []; \
             Cmd.on('logout', () => got.push('logout')); \
             return new Promise((resolve) => { Cmd.on('logout_from_bridge', () => { got.push('logout_from_bridge'); resolve(got.join(',')); }); \
             require('WAWebSocketModel').Socket.logout(); });"
        )
        .await,
        "logout_from_bridge"
    );
    page.close().await;
}
