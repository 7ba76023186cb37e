#!/usr/bin/env bash
# Builds Leadline and opens it, installing what is missing first. Data goes to the usual
# place for this OS (on Linux ~/.local/share/app.leadline.desktop), or LEADLINE_DATA_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

scripts/setup.sh
npm --prefix ui run --silent build
cargo run -p leadline --features custom-protocol
