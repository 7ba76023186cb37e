# Sourced by the scripts that build C/C++ tools once into the tools cache (llm-server.sh,
# asr-quantize.sh): cmake and ninja from PyPI, in a venv of their own, and pip's downloader.
# Needs TOOLS_DIR and a `log` function; sets `venv`.
venv="$TOOLS_DIR/pybuild"
python_tools() {
  if [ ! -x "$venv/bin/cmake" ] || [ ! -x "$venv/bin/ninja" ]; then
    log "cmake and ninja: installing into $venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check cmake ninja
  fi
  export PATH="$venv/bin:$PATH"
}
