/* netsim.c -- the unit tests' simulated network: one queue, one clock, any core */
#include "netsim.h"

#include <stdlib.h>
#include <string.h>

#include "udpchat/lan.h"
#include "udpchat/mem.h"
#include "udpchat/relay.h"
#include "udpchat/session.h"

#define NETSIM_NODES 64
#define NETSIM_BROADCASTS 8

typedef struct packet {
    struct packet *next;
    net_addr from, to;
    size_t len;
    uint8_t data[];
} packet;

struct netsim {
    uint64_t now, rng;
    unsigned loss, dup, reorder;
    netsim_node *nodes[NETSIM_NODES];
    size_t nnodes;
    net_addr bcast[NETSIM_BROADCASTS];
    size_t nbcast;
    packet *head, *tail, *held; /* held: a datagram reordered behind the next one */
    netsim_tap_fn tap;
    void *tap_ctx;
};

netsim *netsim_create(uint64_t seed, uint64_t start_ms)
{
    netsim *n = xcalloc(1, sizeof *n);
    n->rng = seed ? seed : 1;
    n->now = start_ms;
    return n;
}

static void free_list(packet *p)
{
    for (packet *next; p; p = next) {
        next = p->next;
        free(p);
    }
}

void netsim_destroy(netsim *n)
{
    if (!n) return;
    free_list(n->head);
    free(n->held);
    for (size_t i = 0; i < n->nnodes; i++) free(n->nodes[i]);
    free(n);
}

uint64_t netsim_now(const netsim *n) { return n->now; }

void netsim_set_faults(netsim *n, unsigned loss, unsigned dup, unsigned reorder)
{
    n->loss = loss;
    n->dup = dup;
    n->reorder = reorder;
}

void netsim_add_broadcast(netsim *n, net_addr a)
{
    if (n->nbcast < NETSIM_BROADCASTS) n->bcast[n->nbcast++] = a;
}

void netsim_tap(netsim *n, netsim_tap_fn fn, void *ctx)
{
    n->tap = fn;
    n->tap_ctx = ctx;
}

netsim_node *netsim_add(netsim *n, netsim_kind kind, net_addr addr, net_addr remote)
{
    if (n->nnodes == NETSIM_NODES) abort(); /* a test asking for more is wrong */
    netsim_node *node = xcalloc(1, sizeof *node);
    node->sim = n;
    node->kind = kind;
    node->addr = addr;
    node->remote = remote;
    n->nodes[n->nnodes++] = node;
    return node;
}

void netsim_attach(netsim_node *node, void *core) { node->core = core; }

/* xorshift64*: a percentage draw */
static unsigned roll(netsim *n)
{
    n->rng ^= n->rng >> 12;
    n->rng ^= n->rng << 25;
    n->rng ^= n->rng >> 27;
    return (unsigned)((n->rng * 2685821657736338717ull) >> 33) % 100;
}

static void append(netsim *n, packet *p)
{
    p->next = NULL;
    if (n->tail) n->tail->next = p;
    else n->head = p;
    n->tail = p;
}

static packet *copy_packet(const net_addr *from, const net_addr *to, const void *data, size_t len)
{
    packet *p = xmalloc(sizeof *p + len);
    p->from = *from;
    p->to = *to;
    p->len = len;
    if (len) memcpy(p->data, data, len);
    return p;
}

/* Queues one datagram through the faults: lost, duplicated, or held behind the next. */
static void send_one(netsim *n, const net_addr *from, const net_addr *to, const void *data, size_t len)
{
    if (n->loss && roll(n) < n->loss) return;
    packet *p = copy_packet(from, to, data, len);
    if (n->dup && roll(n) < n->dup) append(n, copy_packet(from, to, data, len));
    if (!n->held && n->reorder && roll(n) < n->reorder) {
        n->held = p;
        return;
    }
    append(n, p);
    if (n->held) {
        append(n, n->held);
        n->held = NULL;
    }
}

void netsim_emit_to(void *ctx, const net_addr *to, const void *data, size_t len)
{
    netsim_node *node = ctx;
    node->sent++;
    if (node->sim->tap) node->sim->tap(node->sim->tap_ctx, node, to, data, len);
    send_one(node->sim, &node->addr, to, data, len);
}

void netsim_emit_session(void *ctx, const void *data, size_t len)
{
    netsim_node *node = ctx;
    netsim_emit_to(node, &node->remote, data, len);
}

static int same_addr(const net_addr *a, const net_addr *b) { return a->host == b->host && a->port == b->port; }

static int is_broadcast(const netsim *n, const net_addr *a)
{
    for (size_t i = 0; i < n->nbcast; i++)
        if (same_addr(&n->bcast[i], a)) return 1;
    return 0;
}

static void deliver_node(netsim *n, netsim_node *node, const packet *p)
{
    if (node->down || !node->core) return;
    node->received++;
    switch (node->kind) {
    case NETSIM_SESSION: session_on_datagram(node->core, p->data, p->len, n->now); break;
    case NETSIM_RELAY: relay_on_datagram(node->core, &p->from, p->data, p->len, n->now); break;
    case NETSIM_LAN: lan_on_datagram(node->core, &p->from, p->data, p->len, n->now); break;
    }
}

static void deliver(netsim *n, const packet *p)
{
    int bcast = is_broadcast(n, &p->to);
    for (size_t i = 0; i < n->nnodes; i++) {
        netsim_node *node = n->nodes[i];
        if (bcast ? !same_addr(&node->addr, &p->from) && node->addr.port == p->to.port
                  : same_addr(&node->addr, &p->to))
            deliver_node(n, node, p);
    }
}

static void flush_all(netsim *n)
{
    for (size_t i = 0; i < n->nnodes; i++) {
        netsim_node *node = n->nodes[i];
        if (!node->core) continue;
        if (node->kind == NETSIM_SESSION) session_flush(node->core);
        else if (node->kind == NETSIM_RELAY) relay_flush(node->core, n->now);
    }
}

size_t netsim_run(netsim *n)
{
    size_t done = 0;
    for (int round = 0; round < 1000; round++) {
        if (!n->head && n->held) append(n, n->held), n->held = NULL;
        if (!n->head) break;
        packet *p = n->head; /* take the whole queue: what it sends goes behind */
        n->head = n->tail = NULL;
        for (packet *next; p; p = next) {
            next = p->next;
            deliver(n, p);
            done++;
            free(p);
        }
        flush_all(n);
    }
    return done;
}

static void service_all(netsim *n)
{
    for (size_t i = 0; i < n->nnodes; i++) {
        netsim_node *node = n->nodes[i];
        if (!node->core) continue;
        switch (node->kind) {
        case NETSIM_SESSION: session_service(node->core, n->now); break;
        case NETSIM_RELAY: relay_service(node->core, n->now); break;
        case NETSIM_LAN: lan_service(node->core, n->now); break;
        }
    }
}

void netsim_advance(netsim *n, uint64_t ms, uint64_t step)
{
    for (uint64_t end = n->now + ms; n->now < end;) {
        n->now += step;
        service_all(n);
        netsim_run(n);
    }
}
