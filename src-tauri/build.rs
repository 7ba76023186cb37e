// The config lives at the repository root (one source of truth for the CLI and the build).
// The app manifest lists our commands so the capability files must grant each one by name.
fn main() {
    // The command list is read here, so a new command reaches the manifest at once.
    println!("cargo:rerun-if-changed=src/commands/list.rs");
    let manifest = tauri_build::AppManifest::new().commands(leadline_commands::NAMES);
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(manifest);
    if let Err(e) = tauri_build::try_build(attributes) {
        // A build script reports failure by exiting non-zero; the message tells what to fix.
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}

/// The names from the one command list (`src/commands/list.rs`); here only the names are
/// made, as the types it names live in the app's crate.
mod leadline_commands {
    macro_rules! commands {
        ($($module:ident :: $name:ident ( $($arg:ident : $ty:ty),* ) -> $result:ty;)*) => {
            pub const NAMES: &[&str] = &[$(stringify!($name)),*];
        };
    }
    include!("src/commands/list.rs");
}
