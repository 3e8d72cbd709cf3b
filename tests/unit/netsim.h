/* netsim.h -- a simulated network for the unit tests: endpoints, a lossy queue, a virtual clock */
#ifndef UDPCHAT_NETSIM_H
#define UDPCHAT_NETSIM_H
#include <stddef.h>
#include <stdint.h>

#include "udpchat/addr.h"

/* A netsim holds endpoints (each one core: a session, a relay or a lan core, at one
 * address), a FIFO of datagrams in flight and the time. A core sends through the emit
 * function of its kind with its node as ctx; netsim_run delivers the queue (what that
 * delivery sends is queued behind), then flushes each core. Loss, duplication and
 * reordering are drawn from a seeded generator, so every run is the same. A datagram to an
 * address with no node, or to a node that is down, is lost; one to a broadcast address
 * (netsim_add_broadcast) goes to every other node. */
typedef struct netsim netsim;

typedef enum netsim_kind { NETSIM_SESSION, NETSIM_RELAY, NETSIM_LAN } netsim_kind;

typedef struct netsim_node {
    netsim *sim;
    netsim_kind kind;
    net_addr addr;
    net_addr remote; /* NETSIM_SESSION: where its datagrams go (a session has no "to") */
    void *core;      /* session*, relay* or lan*; set with netsim_attach after creating it */
    int down;        /* 1: receives nothing (its machine is off or unplugged) */
    uint64_t sent, received;
} netsim_node;

/* What netsim_tap sees: every datagram a core emitted, before loss. */
typedef void (*netsim_tap_fn)(void *ctx, const netsim_node *from, const net_addr *to, const void *data,
                              size_t len);

netsim *netsim_create(uint64_t seed, uint64_t start_ms);
void netsim_destroy(netsim *n); /* frees the queue and nodes, not the cores */
uint64_t netsim_now(const netsim *n);

/* Percentages (0..100) of datagrams lost, duplicated, and held back behind the next one. */
void netsim_set_faults(netsim *n, unsigned loss, unsigned dup, unsigned reorder);
void netsim_add_broadcast(netsim *n, net_addr a);
void netsim_tap(netsim *n, netsim_tap_fn fn, void *ctx);

/* A node at addr (remote: for a session, the address its datagrams go to; else unused). */
netsim_node *netsim_add(netsim *n, netsim_kind kind, net_addr addr, net_addr remote);
void netsim_attach(netsim_node *node, void *core);

/* Emit functions to hand to the cores' create functions, with the node as ctx. */
void netsim_emit_session(void *node, const void *data, size_t len);
void netsim_emit_to(void *node, const net_addr *to, const void *data, size_t len); /* relay, lan */

/* Delivers queued datagrams until none is left; returns how many. */
size_t netsim_run(netsim *n);
/* Moves the clock ms forward in steps of step ms, running each core's timers and the
 * queue at every step. */
void netsim_advance(netsim *n, uint64_t ms, uint64_t step);

#endif
