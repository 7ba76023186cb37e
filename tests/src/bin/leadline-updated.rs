//! Stands in for "the new version" in the update test: when started (the app restarting
//! into its update), it writes that it ran to `LEADLINE_UPDATED_MARKER` and ends.

fn main() {
    let Some(marker) = std::env::var_os("LEADLINE_UPDATED_MARKER") else {
        eprintln!("LEADLINE_UPDATED_MARKER is not set");
        std::process::exit(2);
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(e) = std::fs::write(&marker, format!("updated {}", args.join(" "))) {
        eprintln!("could not write {}: {e}", marker.to_string_lossy());
        std::process::exit(1);
    }
}
