use leadline_lib::AppPaths;
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

/// The window's own origin, as Tauri serves the app: `http://tauri.localhost` on Windows.
#[cfg(windows)]
const APP_ORIGIN: &str = "http://tauri.localhost";
#[cfg(not(windows))]
const APP_ORIGIN: &str = "tauri://localhost";

pub struct TestApp {
    pub dir: tempfile::TempDir,
    /// The app's keychain (in memory).
    pub keychain: std::sync::Arc<leadline_core::secrets::MemoryKeychain>,
    // Kept so the app lives as long as the test.
    _app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
}

impl TestApp {
    /// The real app over a fresh data folder.
    pub fn start() -> TestApp {
        TestApp::start_in(tempfile::tempdir().unwrap())
    }

    /// The real app over `dir`, which may hold a database already.
    pub fn start_in(dir: tempfile::TempDir) -> TestApp {
        let paths = AppPaths {
            data_dir: dir.path().to_path_buf(),
            log_dir: dir.path().join("logs"),
            export_dir: dir.path().join("exports"),
        };
        let mut app = leadline_lib::builder(mock_builder())
            .build(leadline_lib::context())
            .expect("the app builds on the mock runtime");
        // The mock runtime never runs the setup hook; start the app as it would.
        // Keys in memory: a test of the shell must never touch the keychain of the
        // machine it runs on.
        let keychain = std::sync::Arc::new(leadline_core::secrets::MemoryKeychain::default());
        leadline_lib::start_with_keychain(&mut app, paths, keychain.clone());
        let window = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("the main window opens");
        TestApp {
            dir,
            keychain,
            _app: app,
            window,
        }
    }

    /// Closes the app and starts it again on the same data folder.
    pub fn restart(self) -> TestApp {
        let TestApp {
            dir, _app, window, ..
        } = self;
        drop(window);
        drop(_app);
        TestApp::start_in(dir)
    }

    /// Calls a command as the main window's UI would.
    pub fn call(&self, command: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: command.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: APP_ORIGIN.parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.window, request).map(|body| body.deserialize::<Value>().unwrap())
    }

    /// A command that takes a file: its bytes as the raw body, the other arguments as JSON
    /// in the `leadline-args` header (what `ipc.ts` sends).
    pub fn call_with_file(
        &self,
        command: &str,
        args: Value,
        file: Vec<u8>,
    ) -> Result<Value, Value> {
        let mut headers = tauri::http::HeaderMap::new();
        headers.insert(
            leadline_lib::commands::contacts::ARGS_HEADER,
            args.to_string().parse().unwrap(),
        );
        let request = InvokeRequest {
            cmd: command.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: APP_ORIGIN.parse().unwrap(),
            body: InvokeBody::Raw(file),
            headers,
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.window, request).map(|body| body.deserialize::<Value>().unwrap())
    }

    pub fn ok(&self, command: &str, args: Value) -> Value {
        self.call(command, args.clone())
            .unwrap_or_else(|e| panic!("{command}({args}) must succeed, failed with {e}"))
    }

    pub fn err(&self, command: &str, args: Value) -> Value {
        match self.call(command, args.clone()) {
            Ok(v) => panic!("{command}({args}) must fail, returned {v}"),
            Err(e) => e,
        }
    }
}
