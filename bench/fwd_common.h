/* fwd_common.h -- the member table of the bench forwarders (fwd_sdlnet.c, fwd_posix.c).
 * Same rule as the relay's plain-text mode: a source's first datagram registers it (its
 * text is the nick, which a bare forwarder ignores); every later datagram from a member
 * goes to every other member, unchanged. Members are kept in an array (join order) and an
 * open-addressing hash on (host, port); there is no removal. */
#ifndef BENCH_FWD_COMMON_H
#define BENCH_FWD_COMMON_H
#include <stdint.h>
#include <stdlib.h>

#define FWD_MAX 65536 /* members at most; the hash has twice as many slots */

typedef struct fwd_member {
    uint32_t host; /* as the socket API gives them (network order) */
    uint16_t port;
} fwd_member;

typedef struct fwd_table {
    fwd_member m[FWD_MAX];
    int32_t slot[2 * FWD_MAX]; /* index + 1, 0 = empty */
    int count;
} fwd_table;

static inline uint32_t fwd_hash(uint32_t host, uint16_t port)
{
    uint32_t h = host * 2654435761u ^ (uint32_t)port * 40503u;
    return (h ^ (h >> 15)) & (2 * FWD_MAX - 1);
}

/* Returns the member's index, or -1 after registering a new one (or when full). */
static inline int fwd_lookup_or_add(fwd_table *t, uint32_t host, uint16_t port)
{
    uint32_t h = fwd_hash(host, port);
    while (t->slot[h]) {
        fwd_member *m = &t->m[t->slot[h] - 1];
        if (m->host == host && m->port == port) return t->slot[h] - 1;
        h = (h + 1) & (2 * FWD_MAX - 1);
    }
    if (t->count < FWD_MAX) {
        t->m[t->count].host = host;
        t->m[t->count].port = port;
        t->slot[h] = ++t->count;
    }
    return -1;
}
#endif
