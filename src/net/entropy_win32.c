/* entropy_win32.c -- net_random_bytes from Windows' random source (RtlGenRandom, advapi32) */
#include <windows.h>

#include "udpchat/net.h"

/* RtlGenRandom is exported by advapi32.dll as SystemFunction036 (documented in
 * ntsecapi.h; declared here to keep that header's requirements out). */
BOOLEAN NTAPI SystemFunction036(PVOID buffer, ULONG length);

int net_random_bytes(void *out, size_t n)
{
    unsigned char *p = out;
    while (n) {
        ULONG chunk = n > 0x10000000u ? 0x10000000u : (ULONG)n;
        if (!SystemFunction036(p, chunk)) return -1;
        p += chunk;
        n -= chunk;
    }
    return 0;
}
