/* test_link.c -- the reliable link over a simulated lossy channel with a virtual clock */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "udpchat/link.h"
#include "udpchat/wire.h"

#define MAXQ 200000

typedef struct pkt {
    uint64_t at;
    size_t len;
    uint8_t data[WIRE_MAX_DATAGRAM];
} pkt;

/* One direction of a channel: drops, duplicates and delays (reorders) datagrams. */
typedef struct chan {
    pkt *q;
    size_t n;
    uint64_t rng;
    int loss_pct, dup_pct, cut;
    uint64_t now;
} chan;

static uint32_t rnd(chan *c)
{
    c->rng = c->rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(c->rng >> 33);
}

static void chan_put(chan *c, const void *d, size_t len)
{
    int copies = 1 + ((int)(rnd(c) % 100) < c->dup_pct);
    for (int i = 0; i < copies; i++) {
        if (c->cut || (int)(rnd(c) % 100) < c->loss_pct || c->n >= MAXQ) continue;
        pkt *p = &c->q[c->n++];
        p->at = c->now + 1 + rnd(c) % 20; /* 1-20 ms: reorders */
        p->len = len;
        memcpy(p->data, d, len);
    }
}

static void emit(void *ctx, const void *d, size_t len) { chan_put(ctx, d, len); }

/* Delivers every datagram due at `now` to link `to`. */
static void chan_deliver(chan *c, link *to, uint64_t now)
{
    for (size_t i = 0; i < c->n;) {
        if (c->q[i].at > now) {
            i++;
            continue;
        }
        wire_header h;
        wire_reader r;
        CHECK(wire_parse_header(c->q[i].data, c->q[i].len, &h, &r) == 0);
        wire_data d;
        wire_ack a;
        if (h.type == WIRE_DATA && wire_parse_data(&r, &d) == 0) link_on_data(to, &d, now);
        else if (h.type == WIRE_ACK && wire_parse_ack(&r, &a) == 0) link_on_ack(to, &a, now);
        c->q[i] = c->q[--c->n];
    }
}

typedef struct tally {
    uint32_t received, delivered, undelivered, next_expected_value, out_of_order, late, gaps;
    size_t biggest;
} tally;

static void drain(link *l, tally *t)
{
    link_event ev;
    while (link_poll(l, &ev)) {
        if (ev.type == LINK_EV_MESSAGE) {
            uint32_t v = 0;
            if (ev.len >= 4) memcpy(&v, ev.data, 4);
            if (v != t->next_expected_value) t->out_of_order++;
            t->next_expected_value = v + 1;
            t->received++;
            if (ev.len > t->biggest) t->biggest = ev.len;
        } else if (ev.type == LINK_EV_DELIVERED) {
            t->delivered++;
        } else if (ev.type == LINK_EV_DELIVERED_LATE) {
            t->late++;
        } else if (ev.type == LINK_EV_GAP) {
            t->gaps += ev.id;
        } else {
            t->undelivered++;
        }
        link_event_free(&ev);
    }
}

typedef struct rig {
    chan ab, ba;
    link *a, *b;
    tally ta, tb;
    uint64_t now;
} rig;

static void rig_init_budget(rig *g, int loss, int dup, uint32_t deliver_timeout, link_budget *bud)
{
    memset(g, 0, sizeof *g);
    link_config cfg;
    link_config_default(&cfg);
    cfg.parked = bud;
    cfg.deliver_timeout_ms = deliver_timeout;
    g->ab.q = malloc(MAXQ * sizeof(pkt));
    g->ba.q = malloc(MAXQ * sizeof(pkt));
    g->ab.rng = 1;
    g->ba.rng = 2;
    g->ab.loss_pct = g->ba.loss_pct = loss;
    g->ab.dup_pct = g->ba.dup_pct = dup;
    g->a = link_create(&cfg, 11, 22, 0x2222);
    g->b = link_create(&cfg, 22, 11, 0x1111);
}

static void rig_init(rig *g, int loss, int dup, uint32_t deliver_timeout)
{
    rig_init_budget(g, loss, dup, deliver_timeout, NULL);
}

static void rig_free(rig *g)
{
    link_destroy(g->a);
    link_destroy(g->b);
    free(g->ab.q);
    free(g->ba.q);
}

static void rig_step(rig *g)
{
    g->now++;
    g->ab.now = g->ba.now = g->now;
    chan_deliver(&g->ab, g->b, g->now);
    chan_deliver(&g->ba, g->a, g->now);
    link_service(g->a, g->now, emit, &g->ab);
    link_service(g->b, g->now, emit, &g->ba);
    drain(g->a, &g->ta);
    drain(g->b, &g->tb);
}

static void send_numbered(rig *g, uint32_t i, size_t len)
{
    uint8_t *m = calloc(1, len);
    memcpy(m, &i, 4);
    for (size_t k = 4; k < len; k++) m[k] = (uint8_t)(k * 7 + i);
    CHECK(link_send(g->a, m, len, g->now) > 0);
    free(m);
}

static void test_clean_link(void)
{
    rig g;
    rig_init(&g, 0, 0, 10000);
    for (uint32_t i = 0; i < 100; i++) send_numbered(&g, i, 10);
    for (int s = 0; s < 500; s++) rig_step(&g);
    CHECK_EQ_INT(g.tb.received, 100);
    CHECK_EQ_INT(g.tb.out_of_order, 0);
    CHECK_EQ_INT(g.ta.delivered, 100);
    CHECK_EQ_INT(link_get_stats(g.a)->retransmitted, 0);
    rig_free(&g);
}

static void test_lossy_exactly_once_in_order(void)
{
    rig g;
    rig_init(&g, 20, 10, 60000);
    for (uint32_t i = 0; i < 1000; i++) send_numbered(&g, i, 1 + 4 + i % 50);
    for (int s = 0; s < 60000 && g.ta.delivered < 1000; s++) rig_step(&g);
    CHECK_EQ_INT(g.tb.received, 1000);
    CHECK_EQ_INT(g.tb.out_of_order, 0);
    CHECK_EQ_INT(g.ta.delivered, 1000);
    CHECK_EQ_INT(g.ta.undelivered, 0);
    CHECK(link_get_stats(g.a)->retransmitted > 0);
    CHECK(link_get_stats(g.b)->duplicates > 0);
    rig_free(&g);
}

static void test_fragmented_64k(void)
{
    rig g;
    rig_init(&g, 20, 10, 60000);
    send_numbered(&g, 0, WIRE_MAX_TEXT);
    send_numbered(&g, 1, 3000);
    for (int s = 0; s < 60000 && g.ta.delivered < 2; s++) rig_step(&g);
    CHECK_EQ_INT(g.tb.received, 2);
    CHECK_EQ_INT(g.tb.biggest, WIRE_MAX_TEXT);
    CHECK_EQ_INT(g.tb.out_of_order, 0);
    CHECK(link_send(g.a, "x", WIRE_MAX_MESSAGE + 1, g.now) == 0); /* too big: refused */
    rig_free(&g);
}

static void test_cut_reports_undelivered_then_recovers(void)
{
    rig g;
    rig_init(&g, 0, 0, 2000);
    g.ab.cut = g.ba.cut = 1;
    for (uint32_t i = 0; i < 5; i++) send_numbered(&g, i, 20);
    for (int s = 0; s < 3000; s++) rig_step(&g);
    CHECK_EQ_INT(g.ta.undelivered, 5);
    CHECK_EQ_INT(g.tb.received, 0);
    g.ab.cut = g.ba.cut = 0;
    g.tb.next_expected_value = 5;
    for (uint32_t i = 5; i < 10; i++) send_numbered(&g, i, 20);
    for (int s = 0; s < 3000; s++) rig_step(&g);
    CHECK_EQ_INT(g.tb.received, 5); /* the receiver skipped the abandoned ones */
    CHECK_EQ_INT(g.tb.out_of_order, 0);
    CHECK_EQ_INT(g.ta.delivered, 5);
    rig_free(&g);
}

static void test_rto_follows_rtt(void)
{
    rig g;
    rig_init(&g, 0, 0, 10000);
    for (uint32_t i = 0; i < 50; i++) send_numbered(&g, i, 10);
    for (int s = 0; s < 500; s++) rig_step(&g);
    const link_stats *st = link_get_stats(g.a);
    CHECK(st->srtt_ms >= 1 && st->srtt_ms <= 45); /* channel delay is 1-20 ms each way */
    CHECK(st->rto_ms >= 40 && st->rto_ms <= 2000);
    rig_free(&g);
}

static void test_hostile_acks(void)
{
    rig g;
    rig_init(&g, 0, 0, 10000);
    send_numbered(&g, 0, 10);
    wire_ack bogus = {1000000, 0, ~0ull, 0}; /* acknowledges what was never sent */
    link_on_ack(g.a, &bogus, g.now);
    drain(g.a, &g.ta);
    CHECK_EQ_INT(g.ta.delivered, 0);
    wire_ack early = {1, 0, 0, 0}; /* acknowledges a fragment not yet transmitted */
    link_on_ack(g.a, &early, g.now);
    drain(g.a, &g.ta);
    CHECK_EQ_INT(g.ta.delivered, 0);
    for (int s = 0; s < 200; s++) rig_step(&g);
    CHECK_EQ_INT(g.ta.delivered, 1);
    rig_free(&g);
}

/* Acknowledgements lost, data not: what was reported undelivered turns out delivered. */
static void test_late_acknowledgement(void)
{
    rig g;
    rig_init(&g, 0, 0, 2000);
    g.ba.cut = 1;
    for (uint32_t i = 0; i < 3; i++) send_numbered(&g, i, 20);
    for (int s = 0; s < 2500; s++) rig_step(&g);
    CHECK_EQ_INT(g.ta.undelivered, 3);
    CHECK_EQ_INT(g.tb.received, 3);
    g.ba.cut = 0;
    send_numbered(&g, 3, 20);
    for (int s = 0; s < 500; s++) rig_step(&g);
    CHECK_EQ_INT(g.ta.late, 3);
    CHECK_EQ_INT(g.ta.delivered, 1);
    CHECK_EQ_INT(g.tb.gaps, 0);
    rig_free(&g);
}

/* Data lost for good: the receiver hears how much it missed; nothing is "late". */
static void test_gap_reported(void)
{
    rig g;
    rig_init(&g, 0, 0, 2000);
    g.ab.cut = 1;
    for (uint32_t i = 0; i < 3; i++) send_numbered(&g, i, 2500); /* 3 fragments each */
    for (int s = 0; s < 2500; s++) rig_step(&g);
    g.ab.cut = 0;
    g.tb.next_expected_value = 3;
    send_numbered(&g, 3, 20);
    for (int s = 0; s < 500; s++) rig_step(&g);
    CHECK_EQ_INT(g.tb.gaps, 9);
    CHECK_EQ_INT(g.tb.received, 1);
    CHECK_EQ_INT(g.ta.late, 0);
    CHECK_EQ_INT(g.ta.undelivered, 3);
    rig_free(&g);
}

/* Out-of-order bytes held stay under the shared budget; everything still arrives. */
static void test_parked_budget(void)
{
    rig g;
    link_budget bud = {0, 4 * WIRE_MAX_FRAGMENT, 0};
    rig_init_budget(&g, 20, 0, 600000, &bud); /* slow under pressure: only delivery counts here */
    for (uint32_t i = 0; i < 20; i++) send_numbered(&g, i, 4 * WIRE_MAX_FRAGMENT);
    size_t peak = 0;
    for (int s = 0; s < 600000 && g.ta.delivered < 20; s++) {
        rig_step(&g);
        if (bud.used > peak) peak = bud.used;
    }
    fprintf(stderr, "  parked: delivered %u undelivered %u received %u gaps %u refused %llu\n", g.ta.delivered,
            g.ta.undelivered, g.tb.received, g.tb.gaps, (unsigned long long)bud.refused);
    CHECK_EQ_INT(g.tb.received, 20);
    CHECK_EQ_INT(g.tb.out_of_order, 0);
    CHECK(peak <= bud.limit);
    CHECK(bud.refused > 0);
    rig_free(&g);
    CHECK_EQ_INT(bud.used, 0); /* given back when the links go */
}

int main(void)
{
    RUN(test_clean_link);
    RUN(test_lossy_exactly_once_in_order);
    RUN(test_fragmented_64k);
    RUN(test_cut_reports_undelivered_then_recovers);
    RUN(test_rto_follows_rtt);
    RUN(test_hostile_acks);
    RUN(test_late_acknowledgement);
    RUN(test_gap_reported);
    RUN(test_parked_budget);
    return th_finish();
}
