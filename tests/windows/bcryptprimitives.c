/* Test-only stand-in for Windows' bcryptprimitives.dll, which Wine 8.0 lacks: Rust's
 * standard library (since 1.78) gets its random numbers from ProcessPrng there. Built by
 * scripts/wine-run.sh into the test Wine prefix; never shipped. Windows 10 and later
 * have the real one. */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
