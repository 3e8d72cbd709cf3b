/* ifaddr_posix.c -- interfaces and host name through getifaddrs(3) and gethostname(2) */
#define _DEFAULT_SOURCE
#include "udpchat/ifaddr.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

size_t net_interfaces(net_iface *out, size_t max)
{
    struct ifaddrs *all, *i;
    size_t n = 0;
    if (getifaddrs(&all) < 0) return 0;
    for (i = all; i && n < max; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !i->ifa_netmask) continue;
        if (!(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK)) continue;
        uint32_t a = ntohl(((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr);
        uint32_t m = ntohl(((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr);
        out[n].addr.host = a;
        out[n].addr.port = 0;
        out[n].broadcast.host = (a & m) | ~m;
        out[n].broadcast.port = 0;
        n++;
    }
    freeifaddrs(all);
    return n;
}

void net_hostname(char *out, size_t n)
{
    if (gethostname(out, n) < 0 || !out[0]) strncpy(out, "localhost", n);
    out[n - 1] = '\0';
}
