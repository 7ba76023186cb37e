# Sourced by every script that builds for Windows (x86_64-pc-windows-gnu, MinGW from Debian):
# what the C and C++ parts (whisper.cpp, libopus in leadline-voice) need to cross-build and
# link into one .exe that needs no MinGW DLL beside it.
#   . scripts/windows-env.sh
# shellcheck shell=bash
_here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_tools="${LEADLINE_TOOLS_DIR:-$HOME/.cache/leadline/tools}"

# whisper.cpp uses std::thread: MinGW's POSIX-threads compilers have it, the win32 ones not.
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc-posix
export CXX_x86_64_pc_windows_gnu=x86_64-w64-mingw32-g++-posix

# Windows 7's API level for ggml: Debian's MinGW headers (v10) lack the Windows 8 thread
# power-throttling types ggml uses above it, and nothing else here needs them.
export CFLAGS_x86_64_pc_windows_gnu="-D_WIN32_WINNT=0x0601"
export CXXFLAGS_x86_64_pc_windows_gnu="-D_WIN32_WINNT=0x0601"

# The bindings are generated for Windows (the bundled ones are Linux-shaped: `long` differs),
# by libclang with MinGW's headers and clang's own.
_clang_include="$(ls -d /usr/lib/llvm-*/lib/clang/*/include 2>/dev/null | sort -V | tail -1)"
export BINDGEN_EXTRA_CLANG_ARGS_x86_64_pc_windows_gnu="-isystem $_clang_include -isystem /usr/x86_64-w64-mingw32/include"

# ggml's archives under the names rustc looks for (see the script).
export CMAKE_RANLIB="$_here/scripts/mingw-ranlib.sh"

# The C++ runtime and the stack protector libopus is built with, linked statically: a folder
# holding only their static archives, searched first, so the linker can't pick the DLLs.
_static="$_tools/mingw-static"
if [ ! -f "$_static/libstdc++.a" ] || [ ! -f "$_static/libssp.a" ]; then
  mkdir -p "$_static"
  for _lib in libstdc++.a libssp.a; do
    cp "$(x86_64-w64-mingw32-g++-posix -print-file-name="$_lib")" "$_static/$_lib"
  done
fi
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS="-L native=$_static -C link-arg=-lssp -C link-arg=-ladvapi32 -C link-arg=-lmsvcrt"
unset _here _tools _clang_include _static _lib
