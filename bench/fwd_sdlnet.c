/* fwd_sdlnet.c -- a bare UDP forwarder on SDL_net: the baseline for udpchat server's
 * plain-text relaying (bench/run, row 1 and 2).
 *
 *   fwd_sdlnet PORT [LIFETIME_S]
 *
 * One UDPsocket; the receive path is the relay's: SDLNet_CheckSockets (1 s timeout), then
 * SDLNet_UDP_RecvV into 8 packets (NET_BATCH in src/net/net.c). A source's first datagram
 * registers it; each later one is sent with SDLNet_UDP_Send to every other member as it is.
 * One thread, no queue, no text handling. Exits after LIFETIME_S seconds (default 600). */
#include <SDL.h>
#include <SDL_net.h>
#include <stdio.h>
#include <stdlib.h>

#include "fwd_common.h"

#define BATCH 8

static fwd_table table;

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: fwd_sdlnet PORT [LIFETIME_S]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    Uint64 lifetime_ms = (Uint64)(argc > 2 ? atoi(argv[2]) : 600) * 1000;
    if (SDL_Init(SDL_INIT_TIMER) < 0 || SDLNet_Init() < 0) {
        fprintf(stderr, "fwd_sdlnet: %s\n", SDL_GetError());
        return 1;
    }
    UDPsocket sock = SDLNet_UDP_Open((Uint16)port);
    SDLNet_SocketSet set = SDLNet_AllocSocketSet(1);
    UDPpacket **pv = SDLNet_AllocPacketV(BATCH, 65536);
    if (!sock || !set || !pv) {
        fprintf(stderr, "fwd_sdlnet: %s\n", SDLNet_GetError());
        return 1;
    }
    SDLNet_UDP_AddSocket(set, sock);
    printf("ready %d\n", port);
    fflush(stdout);
    Uint64 start = SDL_GetTicks64();
    unsigned long long in = 0, out = 0;
    while (SDL_GetTicks64() - start < lifetime_ms) {
        if (SDLNet_CheckSockets(set, 1000) <= 0 || !SDLNet_SocketReady(sock)) continue;
        int n = SDLNet_UDP_RecvV(sock, pv);
        for (int i = 0; i < n; i++) {
            UDPpacket *p = pv[i];
            in++;
            if (p->len <= 0) continue;
            int self = fwd_lookup_or_add(&table, p->address.host, p->address.port);
            if (self < 0) continue; /* registered: its nick is not forwarded */
            UDPpacket op;
            op.channel = -1;
            op.data = p->data;
            op.len = p->len;
            op.maxlen = p->len;
            for (int k = 0; k < table.count; k++) {
                if (k == self) continue;
                op.address.host = table.m[k].host;
                op.address.port = table.m[k].port;
                out += SDLNet_UDP_Send(sock, -1, &op) == 1;
            }
        }
    }
    fprintf(stderr, "fwd_sdlnet: %llu in, %llu out\n", in, out);
    SDLNet_FreePacketV(pv);
    SDLNet_FreeSocketSet(set);
    SDLNet_UDP_Close(sock);
    SDLNet_Quit();
    SDL_Quit();
    return 0;
}
