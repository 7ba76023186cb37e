#!/usr/bin/env bash
# Leadline's benchmarks. Prints one line per figure: `BENCH <name> <value> <unit>`.
# Slow on purpose (it builds everything from source twice): ~30-50 min on 2 cores.
#   clean_debug_build      the app (debug, UI inside) from an empty target dir; crates downloaded
#   full_test_cold         scripts/test.sh from an empty target dir (what CI pays on a new machine)
#   full_test_warm         scripts/test.sh again, nothing changed (median of 3)
#   release_bundle         scripts/bundle.sh: release build + .deb, on the warm release target
#   release_binary / deb   sizes of the stripped release binary and the .deb
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${LEADLINE_TOOLS_DIR:-$HOME/.cache/leadline/tools}/bin:$HOME/.cargo/bin:$PATH"

log_dir=$(mktemp -d)
cold_target=$(mktemp -d)
trap 'rm -rf "$cold_target"' EXIT
note() { printf '[bench] %s (logs in %s)\n' "$*" "$log_dir" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
mib() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1048576 }'; }

scripts/setup.sh --test >"$log_dir/setup.log" 2>&1
npm --prefix ui run --silent build >"$log_dir/ui.log" 2>&1

note "clean debug build of the app"
start=$(now)
CARGO_TARGET_DIR="$cold_target" cargo build -p leadline --features custom-protocol >"$log_dir/clean-build.log" 2>&1
echo "BENCH clean_debug_build $(elapsed "$start" "$(now)") s"
rm -rf "$cold_target" && mkdir -p "$cold_target"

note "full test run from an empty target dir"
start=$(now)
CARGO_TARGET_DIR="$cold_target" scripts/test.sh >"$log_dir/test-cold.log" 2>&1
echo "BENCH full_test_cold $(elapsed "$start" "$(now)") s"
rm -rf "$cold_target"

note "full test run, warm (3 runs)"
runs=()
for i in 1 2 3; do
  start=$(now)
  scripts/test.sh >"$log_dir/test-warm-$i.log" 2>&1
  runs+=("$(elapsed "$start" "$(now)")")
done
echo "BENCH full_test_warm $(printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p) s"

note "release build and .deb"
start=$(now)
scripts/bundle.sh >"$log_dir/bundle.log" 2>&1
echo "BENCH release_bundle $(elapsed "$start" "$(now)") s"
echo "BENCH release_binary $(mib "$(stat -c %s target/release/leadline)") MiB"
deb=$(ls -t target/release/bundle/deb/*.deb | head -1)
echo "BENCH deb $(mib "$(stat -c %s "$deb")") MiB"
