#!/usr/bin/env bash
# Builds the release app and its installers (.deb and .rpm here) with the Tauri CLI.
#
# tauri.conf.json lives at the repository root and is the only config we edit. The Tauri CLI
# takes the folder holding its config as the app folder and requires a Cargo.toml with a
# [package] there; the root Cargo.toml is the workspace. So this writes a throwaway copy for
# the CLI into src-tauri/ (paths rebased, git-ignored) and removes it afterwards. The app's
# own build (tauri-build, generate_context!) reads the root file directly.
#
# scripts/bundle.sh --windows builds the Windows app and its installer instead, from this
# machine (scripts/windows-installer.sh: MinGW, Debian's NSIS, checked under Wine).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# Where the built app looks for updates is compiled in from LEADLINE_UPDATE_ENDPOINT
# (docs/RELEASING.md §3); without it the app never checks.
if [ -z "${LEADLINE_UPDATE_ENDPOINT:-}" ]; then
  printf '[bundle] LEADLINE_UPDATE_ENDPOINT is not set: this build will not look for updates\n' >&2
fi

if [ "${1:-}" = "--windows" ]; then
  shift
  exec scripts/windows-installer.sh build "$@"
fi

scripts/setup.sh
npm --prefix ui run --silent build

# AI on this computer: llama.cpp's server (scripts/llm-server.sh builds it once into the
# tools cache), shipped beside the app as a Tauri sidecar. The CLI wants it under its
# target triple; the installers name it `llama-server`, where the app looks for it.
llm_env="$(scripts/llm-server.sh)"
llama_server="$(sed -n 's/^LLAMA_SERVER=//p' <<<"$llm_env")"
triple="$(rustc -vV | sed -n 's/^host: //p')"
sidecars=src-tauri/binaries
mkdir -p "$sidecars"
install -m 0755 "$llama_server" "$sidecars/llama-server-$triple"

cli_config=src-tauri/tauri.conf.json
trap 'rm -f "$cli_config"; rm -rf "$sidecars"' EXIT
node -e '
  const fs = require("fs");
  const config = JSON.parse(fs.readFileSync("tauri.conf.json", "utf8"));
  const up = (p) => "../" + p;
  config.build.frontendDist = up(config.build.frontendDist);
  delete config.build.beforeBuildCommand; // built above
  delete config.build.beforeDevCommand;
  config.bundle.icon = config.bundle.icon.map(up);
  config.bundle.externalBin = ["binaries/llama-server"];
  // The server uses OpenMP (GCC'"'"'s runtime).
  config.bundle.linux.deb.depends = [...(config.bundle.linux.deb.depends || []), "libgomp1"];
  config.bundle.linux.rpm.depends = [...(config.bundle.linux.rpm.depends || []), "libgomp"];
  fs.writeFileSync(process.argv[1], JSON.stringify(config, null, 2));
' "$cli_config"

TAURI_APP_PATH=src-tauri TAURI_FRONTEND_PATH=ui ui/node_modules/.bin/tauri build --ci --bundles "${LEADLINE_BUNDLES:-deb,rpm}" "$@"
