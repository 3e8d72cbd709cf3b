/* tcp.c -- TCP through SDL_net: a listener, connections, reads with a timeout */
#include "udpchat/tcp.h"

#include <SDL_net.h>
#include <stdio.h>
#include <stdlib.h>

#include "udpchat/mem.h"

/* Each socket comes with its own one-socket set, so any thread may wait on its own
 * connection (SDLNet_CheckSockets) without sharing a set with another. */

struct tcp_listener {
    TCPsocket sock;
    SDLNet_SocketSet set;
};

struct tcp_conn {
    TCPsocket sock;
    SDLNet_SocketSet set;
};

static SDLNet_SocketSet one_set(TCPsocket s)
{
    SDLNet_SocketSet set = SDLNet_AllocSocketSet(1);
    if (!set) mem_fail_what("an SDL_net socket set");
    SDLNet_TCP_AddSocket(set, s);
    return set;
}

tcp_listener *tcp_listen(uint16_t port, char *err, size_t errlen)
{
    IPaddress ip;
    if (SDLNet_ResolveHost(&ip, NULL, port) < 0) {
        snprintf(err, errlen, "cannot listen on TCP port %u: %s", port, SDLNet_GetError());
        return NULL;
    }
    TCPsocket s = SDLNet_TCP_Open(&ip);
    if (!s) {
        snprintf(err, errlen, "cannot use TCP port %u for file transfers (%s): is another program using it?",
                 port, SDLNet_GetError());
        return NULL;
    }
    tcp_listener *l = xcalloc(1, sizeof *l);
    l->sock = s;
    l->set = one_set(s);
    return l;
}

void tcp_listener_close(tcp_listener *l)
{
    if (!l) return;
    SDLNet_FreeSocketSet(l->set);
    SDLNet_TCP_Close(l->sock);
    free(l);
}

static tcp_conn *wrap(TCPsocket s)
{
    tcp_conn *c = xcalloc(1, sizeof *c);
    c->sock = s;
    c->set = one_set(s);
    return c;
}

tcp_conn *tcp_accept(tcp_listener *l, uint32_t timeout_ms)
{
    if (SDLNet_CheckSockets(l->set, timeout_ms) <= 0 || !SDLNet_SocketReady(l->sock)) return NULL;
    TCPsocket s = SDLNet_TCP_Accept(l->sock);
    return s ? wrap(s) : NULL;
}

tcp_conn *tcp_connect(const net_addr *to, char *err, size_t errlen)
{
    IPaddress ip;
    SDLNet_Write32(to->host, &ip.host);
    SDLNet_Write16(to->port, &ip.port);
    TCPsocket s = SDLNet_TCP_Open(&ip);
    if (!s) {
        snprintf(err, errlen, "cannot connect to %u.%u.%u.%u:%u: %s", (unsigned)(to->host >> 24) & 255,
                 (unsigned)(to->host >> 16) & 255, (unsigned)(to->host >> 8) & 255, (unsigned)to->host & 255,
                 to->port, SDLNet_GetError());
        return NULL;
    }
    return wrap(s);
}

net_addr tcp_peer(const tcp_conn *c)
{
    net_addr a = {0, 0};
    IPaddress *ip = SDLNet_TCP_GetPeerAddress(c->sock);
    if (ip) {
        a.host = SDLNet_Read32(&ip->host);
        a.port = SDLNet_Read16(&ip->port);
    }
    return a;
}

int tcp_recv(tcp_conn *c, void *buf, size_t n, uint32_t timeout_ms)
{
    int r = SDLNet_CheckSockets(c->set, timeout_ms);
    if (r < 0) return TCP_ERROR;
    if (r == 0 || !SDLNet_SocketReady(c->sock)) return TCP_TIMEOUT;
    int got = SDLNet_TCP_Recv(c->sock, buf, n > 1 << 20 ? 1 << 20 : (int)n);
    return got > 0 ? got : got == 0 ? TCP_CLOSED : TCP_ERROR;
}

int tcp_send(tcp_conn *c, const void *data, size_t n)
{
    while (n > 0) {
        int chunk = n > 1 << 20 ? 1 << 20 : (int)n;
        if (SDLNet_TCP_Send(c->sock, data, chunk) < chunk) return -1;
        data = (const char *)data + chunk;
        n -= (size_t)chunk;
    }
    return 0;
}

void tcp_close(tcp_conn *c)
{
    if (!c) return;
    SDLNet_FreeSocketSet(c->set);
    SDLNet_TCP_Close(c->sock);
    free(c);
}
