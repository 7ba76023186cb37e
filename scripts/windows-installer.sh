#!/usr/bin/env bash
# Leadline's Windows installer, made and checked on this Debian machine (no Windows, no
# Tauri CLI: the CLI's NSIS route downloads a plugin no registry holds; see docs/RELEASING.md).
#   scripts/windows-installer.sh build
#       the release program, its installer (signed for the updater when the key is in the
#       environment, with a `latest.json` entry) and the check below: target/x86_64-pc-windows-gnu/release/bundle/nsis/
#   scripts/windows-installer.sh test-build
#       `make --fast` and `check` on the debug program the Windows tests built
#   scripts/windows-installer.sh make EXE OUT [--fast]
#       compiles src-tauri/windows/installer.nsi around EXE (patched as an NSIS build, so the
#       updater picks the `nsis` entry) into OUT; --fast: uncompressed, for the test command
#   scripts/windows-installer.sh check INSTALLER
#       installs it under Wine in a prefix of its own and checks what an owner's PC would get:
#       the files, the Start-menu shortcut and its AppUserModelID, the Add/Remove Programs
#       entry, an update that stops the running Leadline and starts it again with its
#       arguments, and an uninstall that stops it and removes all but the owner's data
# scripts/bundle.sh --windows runs `build`.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS_DIR="${LEADLINE_TOOLS_DIR:-$HOME/.cache/leadline/tools}"

say() { printf '[windows-installer] %s\n' "$*" >&2; }
fail() {
  printf '[windows-installer] FAILED: %s\n' "$*" >&2
  exit 1
}

version() { node -p 'require(process.argv[1]).version' "$here/tauri.conf.json"; }

# `make EXE OUT [--fast]`
make_installer() {
  local exe="$1" out="$2" fast="${3:-}"
  [ -f "$exe" ] || fail "no program at $exe: build it first"
  local loader
  loader="$(dirname "$exe")/WebView2Loader.dll"
  [ -f "$loader" ] || fail "no WebView2Loader.dll beside $exe (tauri-build puts it there)"
  stage="$(mktemp -d)"
  trap 'rm -rf "$stage"' EXIT
  cp "$exe" "$stage/leadline.exe"
  # The bundle-type marker Tauri's bundler would patch: the same length, UNK to NSS.
  python3 - "$stage/leadline.exe" <<'PY'
import sys
path = sys.argv[1]
data = open(path, "rb").read()
old, new = b"__TAURI_BUNDLE_TYPE_VAR_UNK", b"__TAURI_BUNDLE_TYPE_VAR_NSS"
count = data.count(old)
if count != 1:
    sys.exit(f"the bundle-type marker is in the program {count} times, not once (a bundled program again?)")
open(path, "wb").write(data.replace(old, new))
PY
  local full_version numeric
  full_version="$(version)"
  numeric="${full_version%%[-+]*}"
  mkdir -p "$(dirname "$out")"
  # AI on this computer: llama.cpp's server for Windows (cross-built once into the tools cache).
  local llama_server
  llama_server="$("$here/scripts/llm-server.sh" --windows | sed -n 's/^LLAMA_SERVER_WINDOWS=//p')"
  [ -f "$llama_server" ] || fail "no llama-server.exe (scripts/llm-server.sh --windows)"
  local defines=(-DAPP_EXE="$stage/leadline.exe" -DLOADER_DLL="$loader" -DLLAMA_SERVER="$llama_server" -DICON="$here/icons/icon.ico"
    -DVERSION="$numeric" -DOUT="$(realpath -m "$out")")
  [ "$fast" = "--fast" ] && defines+=(-DFAST)
  say "compiling the installer ($( [ "$fast" = "--fast" ] && echo uncompressed || echo LZMA))"
  makensis -V2 -INPUTCHARSET UTF8 "${defines[@]}" "$here/src-tauri/windows/installer.nsi" >&2
  say "made $out ($(du -h "$out" | cut -f1))"
}

# ---- check --------------------------------------------------------------------------------

export WINEPREFIX="${LEADLINE_INSTALLER_PREFIX:-$TOOLS_DIR/wine-prefix-installer}"
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"

win_path_of() { wine cmd /c "echo %$1%" 2>/dev/null | tr -d '\r'; }
unix_path_of() { winepath -u "$1" 2>/dev/null | tr -d '\r'; }

# Waits up to $1 seconds for the command in the other arguments to succeed.
wait_for() {
  local seconds="$1"
  shift
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

count_in_logs() {
  local dir="$1" line="$2"
  cat "$dir"/* 2>/dev/null | grep -c -- "$line" || true
}

reg_value() {
  wine reg query 'HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\Leadline' /v "$1" 2>/dev/null |
    tr -d '\r' | awk -v name="$1" '$1 == name { $1 = ""; $2 = ""; sub(/^ +/, ""); print }'
}

# Every step of an owner's install, update and uninstall, checked.
check_installer() {
  local installer
  installer="$(realpath "$1")"
  [ -f "$installer" ] || fail "no installer at $1"
  LEADLINE_WINE_PREFIX="$WINEPREFIX" "$here/scripts/wine-run.sh" --prepare
  # Whatever this prefix still runs is stopped when the check ends (this prefix only).
  trap 'wineserver -k 2>/dev/null || true' EXIT

  local local_app_data app_data programs
  local_app_data="$(unix_path_of "$(win_path_of LOCALAPPDATA)")"
  app_data="$(unix_path_of "$(win_path_of APPDATA)")"
  programs="$app_data/Microsoft/Windows/Start Menu/Programs"
  local install_dir="$local_app_data/Leadline"
  local data_dir="$app_data/app.leadline.desktop"
  local log_dir="$local_app_data/app.leadline.desktop/logs"
  [ -n "$local_app_data" ] && [ -n "$app_data" ] || fail "the Wine prefix's user folders were not found"

  # A run that failed half-way leaves its install: start from none.
  if [ -f "$install_dir/uninstall.exe" ]; then
    wine "$install_dir/uninstall.exe" /S _?="$(winepath -w "$install_dir")" >/dev/null 2>&1 || true
  fi
  rm -rf "$install_dir" "$data_dir" "$local_app_data/app.leadline.desktop" "$programs/Leadline.lnk"

  say "1. a silent install, WebView2 missing and no internet: installs anyway"
  # Wine's shell links keep no properties (IPropertyStore::SetValue and Commit are stubs that
  # say so on the `fixme` channel): the trace shows the installer reached both, on a link it
  # loaded. The id in the saved file is checked on Windows only.
  local trace
  trace="$(WINEDEBUG=fixme+shell wine "$installer" /S 2>&1 >/dev/null)" ||
    fail "the silent install exited with $?"
  for file in leadline.exe WebView2Loader.dll llama-server.exe uninstall.exe; do
    [ -f "$install_dir/$file" ] || fail "$file is not in the install folder ($install_dir)"
  done
  grep -qa "__TAURI_BUNDLE_TYPE_VAR_NSS" "$install_dir/leadline.exe" ||
    fail "the installed program is not marked as an NSIS install (the updater would not find its entry)"
  [ -f "$programs/Leadline.lnk" ] || fail "no Start-menu shortcut"
  grep -q 'propertystore_SetValue' <<<"$trace" && grep -q 'propertystore_Commit' <<<"$trace" ||
    fail "the installer did not set the Start-menu shortcut's AppUserModelID (toasts would not show)"
  [ "$(reg_value DisplayName)" = "Leadline" ] || fail "Add/Remove Programs: DisplayName is '$(reg_value DisplayName)'"
  local numeric
  numeric="$(version)"
  numeric="${numeric%%[-+]*}"
  [ "$(reg_value DisplayVersion)" = "$numeric" ] || fail "Add/Remove Programs: DisplayVersion is '$(reg_value DisplayVersion)'"
  [ "$(reg_value Publisher)" = "Leadline" ] || fail "Add/Remove Programs: no publisher"
  reg_value UninstallString | grep -q 'uninstall.exe"$' || fail "Add/Remove Programs: UninstallString is '$(reg_value UninstallString)'"
  reg_value QuietUninstallString | grep -q 'uninstall.exe" /S$' || fail "Add/Remove Programs: no quiet uninstall"
  [ -n "$(reg_value EstimatedSize)" ] || fail "Add/Remove Programs: no size"

  say "2. an update as Tauri's updater runs it (/P /UPDATE /R /ARGS): Leadline starts with its arguments"
  wine "$installer" /P /UPDATE /NOWEBVIEW2 /R /ARGS --background >/dev/null 2>&1 || fail "the update exited with $?"
  wait_for 60 test "$(count_in_logs "$log_dir" 'started at login, in the background')" = 1 ||
    fail "Leadline did not start again after the update with --background (log: $log_dir)"

  say "3. an update while Leadline runs: it is asked to quit the clean way, replaced, started again"
  wine "$installer" /P /UPDATE /NOWEBVIEW2 /R /ARGS --background >/dev/null 2>&1 || fail "the second update exited with $?"
  [ "$(count_in_logs "$log_dir" 'asked to quit by another launch')" = 1 ] ||
    fail "the running Leadline was not asked to quit before its files were replaced"
  wait_for 60 test "$(count_in_logs "$log_dir" 'started at login, in the background')" = 2 ||
    fail "Leadline did not start again after the second update"
  [ -f "$data_dir/leadline.db" ] || fail "Leadline's database is not where the uninstaller looks ($data_dir)"

  say "4. a silent uninstall: Leadline stopped, its files, shortcut and entry gone, the owner's data kept"
  wine "$install_dir/uninstall.exe" /S >/dev/null 2>&1 || fail "the uninstaller exited with $?"
  # The uninstaller runs from a copy in the temporary folder: wait for its work.
  wait_for 60 test ! -e "$install_dir/leadline.exe" || fail "the program is still installed"
  wait_for 30 test ! -e "$install_dir" || fail "the install folder is still there: $(ls "$install_dir")"
  [ "$(count_in_logs "$log_dir" 'asked to quit by another launch')" = 2 ] ||
    fail "the running Leadline was not asked to quit before the uninstall"
  [ ! -e "$programs/Leadline.lnk" ] || fail "the Start-menu shortcut is still there"
  [ -z "$(reg_value DisplayName)" ] || fail "the Add/Remove Programs entry is still there"
  [ -f "$data_dir/leadline.db" ] || fail "a silent uninstall removed the owner's data"
  rm -rf "$data_dir" "$local_app_data/app.leadline.desktop"
  say "all checks passed"
}

# ---- build ---------------------------------------------------------------------------------

# The release program for Windows, its installer, the updater's signature and `latest.json`
# entry when the signing key is in the environment, and the check of the installer.
build_release() {
  "$here/scripts/setup.sh" --windows
  npm --prefix "$here/ui" run --silent build
  local target_dir="${CARGO_TARGET_DIR:-$here/target}/x86_64-pc-windows-gnu/release"
  local started=$SECONDS
  # shellcheck source=scripts/windows-env.sh
  . "$here/scripts/windows-env.sh"
  say "building the release program for x86_64-pc-windows-gnu (cold: about 16 min on 2 cores)"
  (cd "$here" && cargo build --release --locked -p leadline --bin leadline \
    --features custom-protocol --target x86_64-pc-windows-gnu)
  say "built in $((SECONDS - started)) s: $(du -h "$target_dir/leadline.exe" | cut -f1)"
  local full_version out_dir installer
  full_version="$(version)"
  out_dir="$target_dir/bundle/nsis"
  installer="$out_dir/Leadline_${full_version}_x64-setup.exe"
  rm -f "$installer" "$installer.sig" "$out_dir/latest.json"
  make_installer "$target_dir/leadline.exe" "$installer"
  if [ -n "${TAURI_SIGNING_PRIVATE_KEY:-}" ]; then
    say "signing the installer for the updater"
    "$here/ui/node_modules/.bin/tauri" signer sign -k "$TAURI_SIGNING_PRIVATE_KEY" \
      -p "${TAURI_SIGNING_PRIVATE_KEY_PASSWORD:-}" "$installer" >&2
    local base="${LEADLINE_RELEASE_URL:-https://updates.leadline.app/$full_version}"
    node -e '
      const fs = require("fs");
      const [sigFile, url, version, out] = process.argv.slice(1);
      const entry = { signature: fs.readFileSync(sigFile, "utf8").trim(), url };
      const latest = {
        version,
        pub_date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        platforms: { "windows-x86_64-nsis": entry, "windows-x86_64": entry },
      };
      fs.writeFileSync(out, JSON.stringify(latest, null, 2) + "\n");
    ' "$installer.sig" "$base/$(basename "$installer")" "$full_version" "$out_dir/latest.json"
    say "wrote $out_dir/latest.json (merge its platforms into the release's latest.json)"
  else
    say "no TAURI_SIGNING_PRIVATE_KEY: the installer is not signed for the updater"
  fi
  if [ "${LEADLINE_SKIP_INSTALLER_CHECK:-}" != 1 ]; then
    xvfb-run -a "$0" check "$installer"
  fi
  say "installer: $installer"
}

# ---- the test build ------------------------------------------------------------------------

# The installer made from the debug program the Windows tests built (stripped, uncompressed:
# seconds, where the release build and LZMA take minutes), then checked under Wine. What the
# test command and the benchmark run.
check_test_build() {
  local debug="${CARGO_TARGET_DIR:-$here/target}/x86_64-pc-windows-gnu/debug"
  # Global: the EXIT trap reads it after this function has returned.
  test_dir="$(mktemp -d)"
  local dir="$test_dir"
  trap 'rm -rf "$test_dir"' EXIT
  x86_64-w64-mingw32-strip -o "$dir/leadline.exe" "$debug/leadline.exe"
  cp "$debug/WebView2Loader.dll" "$dir/"
  make_installer "$dir/leadline.exe" "$dir/Leadline_test_x64-setup.exe" --fast
  # make_installer's own trap (its staging folder) replaced this one: both go.
  trap 'rm -rf "$test_dir" "$stage"' EXIT
  xvfb-run -a "$0" check "$dir/Leadline_test_x64-setup.exe"
}

case "${1:-}" in
  test-build)
    check_test_build
    ;;
  build)
    shift
    build_release
    ;;
  make)
    shift
    [ "$#" -ge 2 ] || fail "usage: $0 make EXE OUT [--fast]"
    make_installer "$@"
    ;;
  check)
    shift
    [ "$#" -eq 1 ] || fail "usage: $0 check INSTALLER"
    check_installer "$1"
    ;;
  *)
    fail "usage: $0 build | test-build | make EXE OUT [--fast] | check INSTALLER"
    ;;
esac
