/* ifaddr.h -- this host's IPv4 interfaces and name (one platform per file) */
#ifndef UDPCHAT_IFADDR_H
#define UDPCHAT_IFADDR_H
#include <stddef.h>
#include "udpchat/addr.h"

typedef struct net_iface {
    net_addr addr;       /* port 0 */
    net_addr broadcast;  /* directed broadcast of its subnet, port 0 */
} net_iface;

/* Fills up to max up, non-loopback IPv4 interfaces; returns how many. */
size_t net_interfaces(net_iface *out, size_t max);
/* The host name (ASCII), or "localhost". */
void net_hostname(char *out, size_t n);

#endif
