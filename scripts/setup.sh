#!/usr/bin/env bash
# Installs everything Leadline needs to build, run and test on Debian/Ubuntu, idempotently:
# each step checks first and does nothing when its part is already there.
#   scripts/setup.sh            build + run deps (system packages, npm packages)
#   scripts/setup.sh --test     also the test tools (Xvfb, WebKitWebDriver, tauri-driver, ...)
#                               and Windows' (the x86_64-pc-windows-gnu target, MinGW, NSIS, Wine)
#   scripts/setup.sh --windows  build + run deps and Windows' (scripts/bundle.sh --windows)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
want_windows=0
[ "${1:-}" = "--test" ] && want_test=1 && want_windows=1
[ "${1:-}" = "--windows" ] && want_windows=1

log() { printf '[setup] %s\n' "$*" >&2; }

# Tools we build ourselves live outside the clone so a fresh clone reuses them.
TOOLS_DIR="${LEADLINE_TOOLS_DIR:-$HOME/.cache/leadline/tools}"
export PATH="$TOOLS_DIR/bin:$HOME/.cargo/bin:$PATH"

# cmake builds whisper.cpp and libopus (leadline-voice); libclang makes whisper.cpp's bindings.
build_pkgs=(build-essential pkg-config curl wget file libssl-dev libxdo-dev
  libwebkit2gtk-4.1-dev libsoup-3.0-dev libayatana-appindicator3-dev librsvg2-dev
  cmake libclang-dev)
test_pkgs=(xvfb xauth imagemagick webkit2gtk-driver dbus-x11 gnome-keyring
  libsecret-tools dunst libnotify-bin chromium chromium-headless-shell fonts-noto-color-emoji
  python3-venv libglib2.0-bin espeak-ng opus-tools)
# The Windows build (MinGW links it, NSIS makes the installer) and Wine, which runs its tests
# and checks the installer.
windows_pkgs=(gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64-posix nsis wine wine64 xvfb xauth)

missing_pkgs() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

apt_updated=0
apt_install() {
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  if [ "$apt_updated" = 0 ]; then
    "${sudo[@]}" apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@"
}

install_system_packages() {
  local pkgs=("${build_pkgs[@]}")
  [ "$want_test" = 1 ] && pkgs+=("${test_pkgs[@]}")
  [ "$want_windows" = 1 ] && pkgs+=("${windows_pkgs[@]}")
  mapfile -t missing < <(missing_pkgs "${pkgs[@]}")
  if [ "${#missing[@]}" -eq 0 ]; then
    log "system packages: all present"
    return
  fi
  log "system packages: installing ${missing[*]}"
  apt_install "${missing[@]}"
}

install_rust() {
  if command -v cargo >/dev/null 2>&1; then
    log "rust: $(cargo --version)"
    return
  fi
  log "rust: cargo not found. Install Rust with rustup (https://rustup.rs), then run this again."
  exit 1
}

install_ui_packages() {
  if ! command -v npm >/dev/null 2>&1; then
    log "npm not found: installing nodejs and npm"
    apt_install nodejs npm
  fi
  # node_modules/.package-lock.json is npm's own record of what was installed: reinstall
  # only when the committed lock file changed since.
  if [ -f ui/node_modules/.package-lock.json ] && [ ui/node_modules/.package-lock.json -nt ui/package-lock.json ]; then
    log "ui packages: up to date"
    return
  fi
  # Not `npm ci`: the registry we reach lacks the Tauri CLI's prebuilt binaries for other
  # platforms, which `npm ci` insists on finding in the lock file. `install --no-save`
  # installs the locked versions of what exists and leaves the lock file as committed.
  log "ui packages: installing from ui/package-lock.json"
  (cd ui && npm install --no-save --no-audit --no-fund --loglevel=error)
}

# Every test run compiles and lints the Windows build (x86_64-pc-windows-gnu, linked with
# Debian's MinGW): the target's standard library comes from rustup.
install_windows_target() {
  if rustc --print target-libdir --target x86_64-pc-windows-gnu 2>/dev/null | xargs -r test -d; then
    log "windows target: present"
    return
  fi
  if ! command -v rustup >/dev/null 2>&1; then
    log "windows target: rustup not found; install the x86_64-pc-windows-gnu target for this Rust, then run this again."
    exit 1
  fi
  log "windows target: installing x86_64-pc-windows-gnu"
  rustup target add x86_64-pc-windows-gnu
}

install_tauri_driver() {
  if [ -x "$TOOLS_DIR/bin/tauri-driver" ]; then
    log "tauri-driver: present"
    return
  fi
  log "tauri-driver: building (2-3 min, cached in $TOOLS_DIR)"
  cargo install tauri-driver --version '^2' --locked --root "$TOOLS_DIR" --quiet
}

install_system_packages
install_rust
install_ui_packages
[ "$want_windows" = 1 ] && install_windows_target
[ "$want_test" = 1 ] && install_tauri_driver
log "done"
