//! Starting Leadline: one instance per data folder, the plugins, the window or only the tray,
//! logging, the database, and a clean exit on a signal.

use std::path::PathBuf;

use tauri::{App, AppHandle, Manager, Runtime, WindowEvent};

use leadline_core::instance::single_instance_id;

use crate::log_file::LogGuard;
use crate::state::{AppPaths, AppState};
use crate::window::{quit, show_window};
use crate::{commands, desktop, forward, notify, tray};

/// Lets tests and power users keep all data in another folder (e.g. a throwaway one).
const DATA_DIR_ENV: &str = "LEADLINE_DATA_DIR";
/// Where CSV exports go instead of the Downloads folder.
const EXPORT_DIR_ENV: &str = "LEADLINE_EXPORT_DIR";

/// The argument "start at login" launches Leadline with: no window, only the tray.
pub const BACKGROUND_ARG: &str = "--background";
/// The argument that asks the running Leadline (of this data folder) to quit cleanly, its
/// browsers stopped, and starts nothing: the Windows installer and uninstaller use it.
pub const QUIT_ARG: &str = "--quit";

pub fn run() {
    // Single instance first, so a second launch ends before anything else starts: it only
    // brings the running app's window forward. Only in the real app: the shell's tests
    // build many apps in one process.
    let instance_id = single_instance_id(std::env::var_os(DATA_DIR_ENV).as_deref());
    let single = tauri_plugin_single_instance::Builder::new()
        .dbus_id(instance_id.clone())
        .callback(|app, args, _cwd| {
            if args.iter().any(|arg| arg == QUIT_ARG) {
                tracing::info!("asked to quit by another launch (an installer)");
                quit(app);
            } else if !args.iter().any(|arg| arg == BACKGROUND_ARG) {
                tracing::info!("Leadline was launched again; showing the running one");
                show_window(app);
            }
        })
        .build();
    // Start at login, too, only in the real app: the shell's tests must never write to the
    // computer's startup applications.
    let autostart = tauri_plugin_autostart::Builder::new()
        .args([BACKGROUND_ARG])
        .build();
    let app = builder(tauri::Builder::default().plugin(single).plugin(autostart))
        .build(context_for_instance(instance_id));
    match app {
        Ok(app) => app.run(|_app, event| {
            // The last window closing is not quitting: the bots keep answering. Quit (or
            // a signal) exits with a code.
            if let tauri::RunEvent::ExitRequested {
                code: None, api, ..
            } = event
            {
                api.prevent_exit();
            }
        }),
        Err(e) => {
            // Nothing is shown yet, so stderr and the log are the only places to say it.
            tracing::error!(error = %e, "Leadline could not start");
            eprintln!("Leadline could not start: {e}");
            std::process::exit(1);
        }
    }
}

/// The context of the instance with this id. On Windows the single-instance guard is named
/// after the app's identifier (it has no other name to take), so a data folder of its own
/// runs under an identifier of its own; its notifications and WebView2 data are then its
/// own too, never mixed with the installed app's.
fn context_for_instance(instance_id: String) -> tauri::Context<tauri::Wry> {
    #[allow(unused_mut)]
    let mut context = context();
    #[cfg(windows)]
    {
        context.config_mut().identifier = instance_id;
    }
    #[cfg(not(windows))]
    let _ = instance_id;
    context
}

/// The app's context: config, capabilities and the built UI, compiled in.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!("../tauri.conf.json")
}

/// Everything the app is besides the runtime: plugins, commands, and `start` once the app
/// is ready, with data in `LEADLINE_DATA_DIR` or the OS folders.
pub fn builder<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(commands::updates::PendingUpdate::default())
        .manage(notify::PendingLead::default())
        .invoke_handler(commands::registry::handler())
        .setup(|app| {
            // Asked to quit with none running (the single-instance guard hands the argument
            // to a running one before this): nothing to do, nothing started.
            if std::env::args().any(|arg| arg == QUIT_ARG) {
                std::process::exit(0);
            }
            let paths = resolve_paths(app);
            start(app, paths);
            app.manage(desktop::Desktop);
            start_tray(app.handle());
            // Started at login: straight to the tray, the bots answering, no window (and no
            // webview using memory) until the owner opens it.
            if std::env::args().any(|arg| arg == BACKGROUND_ARG) {
                tracing::info!("started at login, in the background");
            } else {
                show_window(app.handle());
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window keeps the bots answering (Quit is in the tray). The window
            // and its webview go, with the memory they use; "Open" makes a new one.
            if let WindowEvent::CloseRequested { .. } = event {
                tracing::info!("window closed; Leadline keeps running in the background");
                notify::running_in_background(window.app_handle());
            }
        })
}

/// The tray icon, showing whether every bot is paused as stored.
fn start_tray<R: Runtime>(app: &AppHandle<R>) {
    let Some(tray) = tray::build(app) else {
        return;
    };
    app.manage(tray);
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let Some(core) = app
            .try_state::<AppState>()
            .and_then(|state| state.core().ok())
        else {
            return;
        };
        if let (Ok(paused), Some(tray)) =
            (core.bots_paused().await, app.try_state::<tray::Tray<R>>())
        {
            tray.set_paused(paused);
        }
    });
}

/// Starts logging and opens the database in `paths`. A database that can't be opened is
/// not fatal: the window opens and says what to do. Tests call this on a built app.
pub fn start<R: Runtime>(app: &mut App<R>, paths: AppPaths) {
    start_with_keychain(
        app,
        paths,
        std::sync::Arc::new(leadline_core::secrets::OsKeychain),
    );
}

/// `start` with another keychain (tests of the shell, which have no Secret Service).
pub fn start_with_keychain<R: Runtime>(
    app: &mut App<R>,
    paths: AppPaths,
    keychain: std::sync::Arc<dyn leadline_core::secrets::Keychain>,
) {
    match leadline_core::logging::init(&paths.log_dir) {
        Ok(guard) => {
            app.manage(LogGuard::new(guard));
        }
        Err(e) => eprintln!("{e}"),
    }
    tracing::info!(version = env!("CARGO_PKG_VERSION"), data = %paths.data_dir.display(), "Leadline starting");
    let events = forward::forward_events(app.handle().clone());
    app.manage(AppState::open(paths, events, keychain));
    notify::setup(app.handle());
    exit_on_signals(app.handle().clone());
}

fn resolve_paths<R: Runtime>(app: &App<R>) -> AppPaths {
    let export_override = std::env::var_os(EXPORT_DIR_ENV)
        .filter(|d| !d.is_empty())
        .map(PathBuf::from);
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        let data_dir = PathBuf::from(dir);
        return AppPaths {
            log_dir: data_dir.join("logs"),
            export_dir: export_override.unwrap_or_else(|| data_dir.join("exports")),
            data_dir,
        };
    }
    let resolver = app.path();
    // Without a home folder the OS dirs can't be found; the working directory is the
    // least surprising fallback, and the status screen shows where that is.
    let data_dir = resolver
        .app_data_dir()
        .unwrap_or_else(|_| PathBuf::from("leadline-data"));
    let log_dir = resolver
        .app_log_dir()
        .unwrap_or_else(|_| data_dir.join("logs"));
    let export_dir = export_override
        .or_else(|| resolver.download_dir().ok())
        .or_else(|| resolver.home_dir().ok())
        .unwrap_or_else(|| data_dir.join("exports"));
    AppPaths {
        data_dir,
        log_dir,
        export_dir,
    }
}

/// Turns SIGTERM / SIGINT (a logout, a shutdown, `kill`) into a normal exit, so the exit
/// path stops every WhatsApp browser instead of leaving them running.
fn exit_on_signals<R: Runtime>(app: tauri::AppHandle<R>) {
    #[cfg(unix)]
    tauri::async_runtime::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut interrupt)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            tracing::warn!("could not listen for termination signals");
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = interrupt.recv() => {}
        }
        tracing::info!("asked to quit by a signal");
        quit(&app);
    });
    // Windows: Ctrl-C, the console closing, a logoff and a shutdown, told to a process
    // that has a console (started from one, or by a service manager).
    #[cfg(windows)]
    tauri::async_runtime::spawn(async move {
        use tokio::signal::windows::{ctrl_c, ctrl_close, ctrl_logoff, ctrl_shutdown};
        let (Ok(mut interrupt), Ok(mut close), Ok(mut logoff), Ok(mut shutdown)) =
            (ctrl_c(), ctrl_close(), ctrl_logoff(), ctrl_shutdown())
        else {
            tracing::warn!("could not listen for the console's end");
            return;
        };
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = close.recv() => {}
            _ = logoff.recv() => {}
            _ = shutdown.recv() => {}
        }
        tracing::info!("asked to quit by the console");
        quit(&app);
    });
    #[cfg(not(any(unix, windows)))]
    let _ = app;
}
