#!/usr/bin/env bash
# A change's figures beside a base commit's, on this machine, one right after the other:
#   scripts/compare.sh BASE [SECTION] [ROUNDS]
# runs `scripts/bench.sh SECTION` (e.g. `bot`, `contacts`; empty for all of them) in a
# worktree of BASE and in this tree, alternately for ROUNDS rounds (default 1: the base, then
# this tree; with more, the order flips each round), and prints each figure's median, this
# tree's first and the base's suffixed `_base`. Each round's figures go to stderr too. The
# base's build is cached outside the clone (~/.cache/leadline/compare/<commit>), so a second
# comparison with the same base rebuilds only this tree.
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:?usage: scripts/compare.sh BASE [SECTION] [ROUNDS]}"
section="${2:-}"
rounds="${3:-1}"
base_commit=$(git rev-parse --verify "$base^{commit}")
note() { printf '[compare] %s\n' "$*" >&2; }

work=$(mktemp -d)
# Beside this tree's build, so both sides' benches write to the same disk.
tree="${CARGO_TARGET_DIR:-$PWD/target}/compare-base"
git worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"
cleanup() {
  git worktree remove --force "$tree" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
git worktree add --detach --quiet "$tree" "$base_commit"
# The same lockfile at both commits is the usual case: share the window's packages.
if [ -d ui/node_modules ] && cmp -s ui/package-lock.json "$tree/ui/package-lock.json"; then
  ln -s "$PWD/ui/node_modules" "$tree/ui/node_modules"
fi
base_target="${LEADLINE_COMPARE_TARGET:-$HOME/.cache/leadline/compare/${base_commit:0:12}}"
mkdir -p "$base_target"

one() {
  local side="$1" round="$2"
  note "round $round: $side"
  if [ "$side" = base ]; then
    (cd "$tree" && CARGO_TARGET_DIR="$base_target" scripts/bench.sh $section)
  else
    scripts/bench.sh $section
  fi | tee -a "$work/$side.txt" | sed "s/^/[compare]   round $round $side: /" >&2
}

for round in $(seq 1 "$rounds"); do
  order="base head"
  [ $((round % 2)) -eq 0 ] && order="head base"
  for side in $order; do one "$side" "$round"; done
done

# The median of each figure over its rounds.
median_of() {
  awk -v suffix="$2" '
    $1 == "BENCH" {
      name = $2; rest = $0; sub(/^BENCH [^ ]+ [^ ]+ ?/, "", rest)
      if (!(name in count)) { order[++names] = name; unit[name] = rest }
      values[name, ++count[name]] = $3
    }
    END {
      for (i = 1; i <= names; i++) {
        name = order[i]; n = count[name]
        for (a = 1; a <= n; a++) sorted[a] = values[name, a]
        for (a = 2; a <= n; a++) for (b = a; b > 1 && sorted[b - 1] + 0 > sorted[b] + 0; b--) {
          t = sorted[b]; sorted[b] = sorted[b - 1]; sorted[b - 1] = t
        }
        printf "BENCH %s%s %s %s\n", name, suffix, sorted[int((n + 1) / 2)], unit[name]
      }
    }' "$1"
}
paste -d '\n' <(median_of "$work/head.txt" "") <(median_of "$work/base.txt" "_base")
