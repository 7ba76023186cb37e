#!/usr/bin/env bash
# Runs a Windows test program under Wine (cargo's runner for x86_64-pc-windows-gnu), in a
# Wine prefix of the project's own outside the clone, made once:
#   scripts/wine-run.sh --prepare   makes the prefix (quick when it is there)
#   scripts/wine-run.sh PROGRAM …   runs PROGRAM in it
# The prefix holds a test-only bcryptprimitives.dll (tests/windows/), which Wine 8.0 lacks
# and Rust's standard library needs; Windows 10 and later have the real one.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS_DIR="${LEADLINE_TOOLS_DIR:-$HOME/.cache/leadline/tools}"
export WINEPREFIX="${LEADLINE_WINE_PREFIX:-$TOOLS_DIR/wine-prefix}"
export WINEDEBUG="${WINEDEBUG:--all}"
# No Mono or Gecko prompts: nothing here needs .NET or a browser engine.
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"

shim_source="$here/tests/windows/bcryptprimitives.c"
shim="$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
stamp="$WINEPREFIX/.leadline-shim"

prepare() {
  if [ ! -f "$WINEPREFIX/system.reg" ]; then
    printf '[wine] making the test prefix in %s\n' "$WINEPREFIX" >&2
    mkdir -p "$WINEPREFIX"
    wineboot -i >/dev/null 2>&1
    wineserver -w
  fi
  # Rebuilt when its source changed.
  if [ ! -f "$shim" ] || [ ! -f "$stamp" ] || [ "$shim_source" -nt "$stamp" ]; then
    printf '[wine] building the test-only bcryptprimitives.dll\n' >&2
    x86_64-w64-mingw32-gcc -shared -O2 -o "$shim" "$shim_source" \
      "$here/tests/windows/bcryptprimitives.def" -lbcrypt
    touch "$stamp"
  fi
}

if [ "${1:-}" = "--prepare" ]; then
  prepare
  exit 0
fi
prepare
# A test program of the app's crate needs WebView2Loader.dll beside it: the build puts it
# one folder up (target/…/debug), next to the app.
program_dir="$(dirname "$1")"
if [ -f "$program_dir/../WebView2Loader.dll" ] && [ ! -f "$program_dir/WebView2Loader.dll" ]; then
  cp "$program_dir/../WebView2Loader.dll" "$program_dir/"
fi
exec wine "$@"
