// The config lives at the repository root (one source of truth for the CLI and the build).
// The app manifest lists our commands so the capability files must grant each one by name.
fn main() {
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

/// Kept in sync with `src/commands/mod.rs` by the shell test `every_command_is_granted`.
mod leadline_commands {
    include!("src/commands/names.rs");
}
