/* addr.c -- IPv4 endpoints as text and compared (shared by the cores and the edges) */
#include "udpchat/addr.h"

#include <stdio.h>

void addr_format(const net_addr *a, char *out, size_t n)
{
    snprintf(out, n, "%u.%u.%u.%u:%u", (unsigned)(a->host >> 24) & 255, (unsigned)(a->host >> 16) & 255,
             (unsigned)(a->host >> 8) & 255, (unsigned)a->host & 255, a->port);
}

int addr_equal(const net_addr *a, const net_addr *b) { return a->host == b->host && a->port == b->port; }
