#!/bin/sh
# CMake's ranlib for the Windows cross-build of whisper.cpp (scripts/windows-env.sh sets it).
# ggml names its static libraries `ggml.a` on Windows, with no `lib`, and rustc's MinGW
# linker looks only for `libggml.a`: each archive is indexed, then copied under that name.
# An archive of Linux objects (`.o`, should a host build see this setting) is left to the
# system's ranlib, untouched otherwise.
set -e
for archive in "$@"; do
  case "$archive" in -*) continue ;; esac
  if ! x86_64-w64-mingw32-ar t "$archive" 2>/dev/null | grep -q '\.obj$'; then
    exec ranlib "$@"
  fi
done
x86_64-w64-mingw32-ranlib "$@"
for archive in "$@"; do
  case "$archive" in
    *.a)
      name=$(basename "$archive")
      case "$name" in
        lib*) ;;
        *) cp "$archive" "$(dirname "$archive")/lib$name" ;;
      esac
      ;;
  esac
done
