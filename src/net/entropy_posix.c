/* entropy_posix.c -- net_random_bytes from the kernel's random source (getrandom) */
#include <errno.h>
#include <stdio.h>
#include <sys/random.h>

#include "udpchat/net.h"

int net_random_bytes(void *out, size_t n)
{
    unsigned char *p = out;
    while (n) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return -1;
        p += got;
        n -= (size_t)got;
    }
    return 0;
}
