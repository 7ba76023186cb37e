//! The TypeScript bindings the UI compiles against must match the Rust types.

const BINDINGS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/lib/bindings.ts");

#[test]
fn bindings_match_the_rust_types() {
    let generated = leadline_lib::bindings::typescript_bindings();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(BINDINGS, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(BINDINGS).unwrap_or_default();
    assert!(
        committed == generated,
        "ui/src/lib/bindings.ts is out of date with the Rust types: run scripts/bindings.sh and commit the result"
    );
}
