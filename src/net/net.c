/* net.c -- UDP through SDL_net: portable sockets without Winsock or BSD calls in chat logic */
#include "udpchat/net.h"

#include <SDL.h>
#include <SDL_net.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "udpchat/mem.h"

#define NET_MAX_HOST 255 /* bytes of a host name (RFC 1035: 253 in text) */

struct net_socket {
    UDPsocket sock;
    SDLNet_SocketSet set;
    UDPpacket **rxv;  /* NET_BATCH packets + NULL, for SDLNet_UDP_RecvV */
    uint16_t port;
};

int net_init(char *err, size_t errlen)
{
    if (SDL_Init(SDL_INIT_TIMER) < 0 || SDLNet_Init() < 0) {
        snprintf(err, errlen, "cannot start networking: %s", SDL_GetError());
        return -1;
    }
    return 0;
}

void net_quit(void)
{
    SDLNet_Quit();
    SDL_Quit();
}

net_socket *net_open(uint16_t port, char *err, size_t errlen)
{
    net_socket *s = xcalloc(1, sizeof *s);
    s->sock = SDLNet_UDP_Open(port);
    if (!s->sock) {
        if (port)
            snprintf(err, errlen, "cannot use UDP port %u (%s): is another program using it? "
                     "pass --port with another number", port, SDLNet_GetError());
        else
            snprintf(err, errlen, "cannot open a UDP socket: %s", SDLNet_GetError());
        free(s);
        return NULL;
    }
    s->set = SDLNet_AllocSocketSet(1);
    s->rxv = SDLNet_AllocPacketV(NET_BATCH, 65536);
    if (!s->set || !s->rxv) mem_fail_what("SDL_net socket set or packets");
    SDLNet_UDP_AddSocket(s->set, s->sock);
    IPaddress *local = SDLNet_UDP_GetPeerAddress(s->sock, -1);
    s->port = local ? SDLNet_Read16(&local->port) : port;
    return s;
}

void net_close(net_socket *s)
{
    if (!s) return;
    SDLNet_FreeSocketSet(s->set);
    SDLNet_UDP_Close(s->sock);
    SDLNet_FreePacketV(s->rxv);
    free(s);
}

uint16_t net_local_port(const net_socket *s) { return s->port; }

static void to_ip(const net_addr *a, IPaddress *ip)
{
    SDLNet_Write32(a->host, &ip->host);
    SDLNet_Write16(a->port, &ip->port);
}

int net_send(net_socket *s, const net_addr *to, const void *data, size_t len)
{
    UDPpacket p;
    memset(&p, 0, sizeof p);
    p.channel = -1;
    p.data = (Uint8 *)data;
    p.len = (int)len;
    p.maxlen = (int)len;
    to_ip(to, &p.address);
    return SDLNet_UDP_Send(s->sock, -1, &p) == 1 ? 0 : -1;
}

int net_recv_batch(net_socket *s, net_datagram_fn fn, void *ctx, uint32_t timeout_ms)
{
    if (SDLNet_CheckSockets(s->set, timeout_ms) <= 0 || !SDLNet_SocketReady(s->sock)) return 0;
    int n = SDLNet_UDP_RecvV(s->sock, s->rxv); /* -1 (e.g. WSAECONNRESET) is transient */
    for (int i = 0; i < n; i++) {
        UDPpacket *p = s->rxv[i];
        net_addr from = {SDLNet_Read32(&p->address.host), SDLNet_Read16(&p->address.port)};
        fn(ctx, &from, p->data, (size_t)p->len);
    }
    return n > 0 ? n : 0;
}

static int parse_port(const char *p, uint16_t *out)
{
    char *end;
    long v = strtol(p, &end, 10);
    if (!*p || *end || v < 1 || v > 65535) return -1;
    *out = (uint16_t)v;
    return 0;
}

net_resolve_result net_resolve(const char *spec, uint16_t default_port, net_addr *out)
{
    char host[NET_MAX_HOST + 1];
    const char *colon = strrchr(spec, ':');
    uint16_t port = default_port;
    size_t hl = colon ? (size_t)(colon - spec) : strlen(spec);
    if (hl == 0 || hl >= sizeof host) return NET_RESOLVE_NO_HOST;
    if (colon && parse_port(colon + 1, &port) < 0) return NET_RESOLVE_BAD_PORT;
    if (port == 0) return NET_RESOLVE_BAD_PORT;
    memcpy(host, spec, hl);
    host[hl] = '\0';
    IPaddress ip;
    if (SDLNet_ResolveHost(&ip, host, port) < 0 || ip.host == INADDR_NONE) return NET_RESOLVE_NO_HOST;
    out->host = SDLNet_Read32(&ip.host);
    out->port = port;
    return NET_RESOLVE_OK;
}

void net_emit(void *sock, const net_addr *to, const void *data, size_t len) { net_send(sock, to, data, len); }

uint64_t net_now_ms(void) { return SDL_GetTicks64(); }

uint32_t net_random_session(void)
{
    static uint64_t state;
    int local;
    state += SDL_GetPerformanceCounter() ^ (uint64_t)(uintptr_t)&local ^ ((uint64_t)time(NULL) << 20);
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    uint32_t v = (uint32_t)(z ^ (z >> 31));
    return v ? v : 1;
}
