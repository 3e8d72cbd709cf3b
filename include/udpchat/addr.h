/* addr.h -- an IPv4 endpoint as plain numbers, shared by the core and the net edge */
#ifndef UDPCHAT_ADDR_H
#define UDPCHAT_ADDR_H
#include <stdint.h>

/* An IPv4 address and port, both in host byte order. */
typedef struct net_addr {
    uint32_t host;
    uint16_t port;
} net_addr;

#endif
