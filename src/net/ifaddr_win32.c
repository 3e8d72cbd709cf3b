/* ifaddr_win32.c -- interfaces and host name through GetAdaptersAddresses and GetComputerNameA */
#include "udpchat/ifaddr.h"

#include <winsock2.h>
#include <ws2tcpip.h>
#include <iphlpapi.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

size_t net_interfaces(net_iface *out, size_t max)
{
    ULONG size = 16384;
    IP_ADAPTER_ADDRESSES *list = NULL;
    size_t n = 0;
    for (int tries = 0; tries < 3; tries++) {
        list = malloc(size);
        if (!list) return 0;
        ULONG rc = GetAdaptersAddresses(AF_INET, GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST |
                                        GAA_FLAG_SKIP_DNS_SERVER, NULL, list, &size);
        if (rc == NO_ERROR) break;
        free(list);
        list = NULL;
        if (rc != ERROR_BUFFER_OVERFLOW) return 0;
    }
    for (IP_ADAPTER_ADDRESSES *a = list; a && n < max; a = a->Next) {
        if (a->OperStatus != IfOperStatusUp || a->IfType == IF_TYPE_SOFTWARE_LOOPBACK) continue;
        for (IP_ADAPTER_UNICAST_ADDRESS *u = a->FirstUnicastAddress; u && n < max; u = u->Next) {
            struct sockaddr_in *sin = (struct sockaddr_in *)u->Address.lpSockaddr;
            if (sin->sin_family != AF_INET) continue;
            uint32_t addr = ntohl(sin->sin_addr.s_addr);
            uint32_t mask = u->OnLinkPrefixLength ? ~0u << (32 - u->OnLinkPrefixLength) : 0;
            out[n].addr.host = addr;
            out[n].addr.port = 0;
            out[n].broadcast.host = (addr & mask) | ~mask;
            out[n].broadcast.port = 0;
            n++;
        }
    }
    free(list);
    return n;
}

void net_hostname(char *out, size_t n)
{
    DWORD len = (DWORD)n;
    if (!GetComputerNameA(out, &len) || !out[0]) strncpy(out, "localhost", n);
    out[n - 1] = '\0';
}
