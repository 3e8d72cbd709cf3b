/* addr.h -- an IPv4 endpoint as plain numbers, shared by the core and the net edge */
#ifndef UDPCHAT_ADDR_H
#define UDPCHAT_ADDR_H
#include <stddef.h>
#include <stdint.h>

/* An IPv4 address and port, both in host byte order. */
typedef struct net_addr {
    uint32_t host;
    uint16_t port;
} net_addr;

/* "a.b.c.d:port" into out (n >= 22 holds any). */
void addr_format(const net_addr *a, char *out, size_t n);
int addr_equal(const net_addr *a, const net_addr *b);

#endif
