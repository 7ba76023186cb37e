/* Force-included into llama.cpp's C files when cross-building llama-server.exe
 * (scripts/llm-server.sh --windows): the Windows 8+ thread power-throttling state that
 * ggml uses and Debian's MinGW headers (v10) lack (they declare the function). cpp-httplib
 * needs _WIN32_WINNT at Windows 10, so the API level can't be lowered for the whole build
 * instead. */
#pragma once
#include <windows.h>
#ifndef THREAD_POWER_THROTTLING_CURRENT_VERSION
typedef struct _THREAD_POWER_THROTTLING_STATE {
  ULONG Version;
  ULONG ControlMask;
  ULONG StateMask;
} THREAD_POWER_THROTTLING_STATE;
#define THREAD_POWER_THROTTLING_CURRENT_VERSION 1
#define THREAD_POWER_THROTTLING_EXECUTION_SPEED 0x1
#endif
