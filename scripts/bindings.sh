#!/usr/bin/env bash
# Regenerates ui/src/lib/bindings.ts from the Rust types. Commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d ui/dist ] || npm --prefix ui run --silent build
UPDATE_BINDINGS=1 cargo test -p leadline --features custom-protocol --test shell bindings_match_the_rust_types
