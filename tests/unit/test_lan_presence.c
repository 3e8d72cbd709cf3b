/* test_lan_presence.c -- LAN mode's IPMsg behaviours in the simulated network: away, sealed
 * messages, probes, quit reasons, multi-line text, lossy GBK, FeiQ's commands, login names */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netsim.h"
#include "testhelp.h"
#include "udpchat/buf.h"
#include "udpchat/ipmsg.h"
#include "udpchat/lan.h"
#include "udpchat/wire.h"

#define HOST(d) (0x0A000000u | (d)) /* 10.0.0.d */
#define MAXEV 256
#define MAXPKT 512

typedef struct peer {
    lan *l;
    netsim_node *node;
    chat_event ev[MAXEV];
    size_t nev;
} peer;

/* Every datagram the network carried (what the tap saw). */
typedef struct seen_pkt {
    uint32_t from, to;
    buf raw;
} seen_pkt;

static netsim *sim;
static const net_addr bcast = {HOST(255), IPMSG_PORT};
static seen_pkt pkts[MAXPKT];
static size_t npkts;

static void tap(void *ctx, const netsim_node *from, const net_addr *to, const void *data, size_t len)
{
    (void)ctx;
    if (npkts == MAXPKT) return;
    seen_pkt *s = &pkts[npkts++];
    memset(s, 0, sizeof *s);
    s->from = from->addr.host;
    s->to = to->host;
    buf_append(&s->raw, data, len);
}

static void start(uint64_t seed)
{
    sim = netsim_create(seed, 1000000);
    netsim_add_broadcast(sim, bcast);
    netsim_tap(sim, tap, NULL);
    npkts = 0;
}

static void open_peer(peer *p, uint32_t d, const char *nick, const char *user, uint32_t refresh_ms)
{
    memset(p, 0, sizeof *p);
    net_addr me = {HOST(d), IPMSG_PORT}, none = {0, 0};
    lan_config c;
    lan_config_default(&c);
    c.nick = nick;
    c.group = "lab";
    c.user = user ? user : nick;
    c.first_packet_no = 1700000000ull + 1000 * d;
    c.refresh_ms = refresh_ms;
    p->node = netsim_add(sim, NETSIM_LAN, me, none);
    p->l = lan_create(&c, netsim_emit_to, p->node);
    netsim_attach(p->node, p->l);
    lan_set_targets(p->l, &bcast, 1);
    lan_set_self(p->l, &me, 1);
}

static void collect(peer *p)
{
    chat_event ev;
    while (lan_poll_event(p->l, &ev)) {
        if (p->nev < MAXEV) p->ev[p->nev++] = ev;
        else chat_event_free(&ev);
    }
}

static void settle(peer *ps, size_t n)
{
    netsim_run(sim);
    for (size_t i = 0; i < n; i++) collect(&ps[i]);
}

static void finish(peer *ps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        collect(&ps[i]);
        for (size_t k = 0; k < ps[i].nev; k++) chat_event_free(&ps[i].ev[k]);
        lan_destroy(ps[i].l);
    }
    for (size_t i = 0; i < npkts; i++) buf_free(&pkts[i].raw);
    netsim_destroy(sim);
}

static int same(const char *a, const char *b) { return (!a && !b) || (a && b && strcmp(a, b) == 0); }

/* The n-th event of type t (0: first), or NULL. */
static const chat_event *nth(const peer *p, chat_event_type t, size_t n)
{
    for (size_t i = 0; i < p->nev; i++)
        if (p->ev[i].type == t && n-- == 0) return &p->ev[i];
    return NULL;
}

static size_t count(const peer *p, chat_event_type t)
{
    size_t n = 0;
    for (size_t i = 0; i < p->nev; i++) n += p->ev[i].type == t;
    return n;
}

/* Packets of IPMsg mode `mode` sent by 10.0.0.d since packet index `since`; the last in *last. */
static size_t sent_by(uint32_t d, uint32_t mode, size_t since, ipmsg_packet *last)
{
    size_t n = 0;
    for (size_t i = since; i < npkts; i++) {
        ipmsg_packet pk;
        if (pkts[i].from != HOST(d) || ipmsg_parse(pkts[i].raw.data, pkts[i].raw.len, &pk) < 0) continue;
        if (IPMSG_MODE(pk.command) == mode) {
            n++;
            if (last) ipmsg_free(last), *last = pk;
            else ipmsg_free(&pk);
        } else {
            ipmsg_free(&pk);
        }
    }
    return n;
}

/* A datagram from 10.0.0.d:2425 as another IP Messenger client would build it. */
static void inject(peer *p, uint32_t d, uint64_t no, uint32_t cmd, const char *extra, const char *extra2,
                   const char *extra3)
{
    buf b = {0};
    net_addr from = {HOST(d), IPMSG_PORT};
    ipmsg_build(&b, no, "raw", "pc", cmd, extra, strlen(extra), extra2, extra2 ? strlen(extra2) : 0);
    if (extra3) ipmsg_append_section(&b, extra3, strlen(extra3));
    lan_on_datagram(p->l, &from, b.data, b.len, netsim_now(sim));
    buf_free(&b);
    collect(p);
}

/* A peer's "nick[status]" is a status, not a new nick: /msg still finds it by its nick. */
static void test_peer_away_status(void)
{
    peer p[1];
    start(1);
    open_peer(&p[0], 1, "alice", NULL, 0);
    inject(&p[0], 2, 10, IPMSG_BR_ENTRY | IPMSG_UTF8OPT, "张三", "研发部", NULL);
    inject(&p[0], 2, 11, IPMSG_BR_ABSENCE | IPMSG_ABSENCEOPT | IPMSG_UTF8OPT, "张三[离开]", "研发部", NULL);
    const chat_event *a = nth(&p[0], EV_AWAY, 0);
    CHECK(a && same(a->from, "张三") && same(a->text, "离开"));
    CHECK_EQ_INT(count(&p[0], EV_NICK), 0);
    CHECK(lan_has_peer(p[0].l, "张三"));
    lan_who(p[0].l);
    collect(&p[0]);
    const chat_event *r = nth(&p[0], EV_ROSTER, 0);
    CHECK(r && strstr(r->text, "张三 [研发部]@pc") == r->text && strstr(r->text, "(away: 离开)"));
    inject(&p[0], 2, 12, IPMSG_BR_ABSENCE | IPMSG_ABSENCEOPT | IPMSG_UTF8OPT, "张三[离开]", "", NULL);
    CHECK_EQ_INT(count(&p[0], EV_AWAY), 1); /* the same status again: nothing new */
    inject(&p[0], 2, 13, IPMSG_BR_ABSENCE | IPMSG_UTF8OPT, "张三", "", NULL);
    a = nth(&p[0], EV_AWAY, 1);
    CHECK(a && same(a->from, "张三") && a->text == NULL);
    inject(&p[0], 3, 14, IPMSG_BR_ENTRY | IPMSG_ABSENCEOPT, "bob", "", NULL); /* ABSENCEOPT alone */
    a = nth(&p[0], EV_AWAY, 2);
    CHECK(a && same(a->from, "bob") && same(a->text, "away"));
    inject(&p[0], 4, 15, IPMSG_BR_ENTRY, "[x]", "", NULL); /* no nick before it: a nick */
    CHECK(lan_has_peer(p[0].l, "[x]"));
    finish(p, 1);
}

/* Our away: BR_ABSENCE with ABSENCEOPT and "nick[status]"; one automatic answer per peer,
 * none to an automatic answer or a line to everyone; /back clears it. */
static void test_our_away(void)
{
    peer p[1];
    start(2);
    open_peer(&p[0], 1, "alice", NULL, 0);
    inject(&p[0], 2, 10, IPMSG_BR_ENTRY | IPMSG_CAPUTF8OPT, "bob", "", NULL);
    inject(&p[0], 3, 10, IPMSG_BR_ENTRY | IPMSG_CAPUTF8OPT, "carol", "", NULL);
    size_t mark = npkts;
    lan_set_away(p[0].l, "开会\x1b[31m", netsim_now(sim));
    netsim_run(sim);
    ipmsg_packet pk = {0};
    CHECK(sent_by(1, IPMSG_BR_ABSENCE, mark, &pk) >= 1);
    CHECK(pk.command & IPMSG_ABSENCEOPT);
    CHECK(pk.extra && strcmp(pk.extra, "alice[开会  31m]") == 0); /* no ESC, no bracket inside */
    ipmsg_free(&pk);
    collect(&p[0]);
    CHECK(nth(&p[0], EV_AWAY, 0) && nth(&p[0], EV_AWAY, 0)->from == NULL);
    mark = npkts;
    inject(&p[0], 2, 20, IPMSG_SENDMSG | IPMSG_SENDCHECKOPT | IPMSG_UTF8OPT, "在吗", NULL, NULL);
    inject(&p[0], 2, 21, IPMSG_SENDMSG | IPMSG_SENDCHECKOPT | IPMSG_UTF8OPT, "还在吗", NULL, NULL);
    inject(&p[0], 3, 22, IPMSG_SENDMSG | IPMSG_AUTORETOPT, "I am away too", NULL, NULL);
    inject(&p[0], 3, 23, IPMSG_SENDMSG | IPMSG_BROADCASTOPT, "to all", NULL, NULL);
    netsim_run(sim);
    size_t autos = 0;
    for (size_t i = mark; i < npkts; i++) {
        ipmsg_packet q;
        if (ipmsg_parse(pkts[i].raw.data, pkts[i].raw.len, &q) < 0) continue;
        if (IPMSG_MODE(q.command) == IPMSG_SENDMSG) {
            autos++;
            CHECK(q.command & IPMSG_AUTORETOPT);
            CHECK(pkts[i].to == HOST(2));
            CHECK(strncmp(q.extra, "开会", 6) == 0);
        }
        ipmsg_free(&q);
    }
    CHECK_EQ_INT(autos, 1);
    const chat_event *m = nth(&p[0], EV_MESSAGE, 2);
    CHECK(m && (m->flags & CHAT_AUTOREPLY));
    lan_set_away(p[0].l, NULL, netsim_now(sim));
    netsim_run(sim);
    CHECK(sent_by(1, IPMSG_BR_ABSENCE, mark, &pk) >= 1);
    CHECK(!(pk.command & IPMSG_ABSENCEOPT) && strcmp(pk.extra, "alice") == 0);
    ipmsg_free(&pk);
    finish(p, 1);
}

/* /seal: SECRETOPT | READCHECKOPT; shown sealed with a number; /open shows it and sends
 * READMSG (READCHECKOPT as asked), answered with ANSREADMSG; the sender sees "read". */
static void test_sealed(void)
{
    peer p[2];
    start(3);
    open_peer(&p[0], 1, "alice", NULL, 0);
    open_peer(&p[1], 2, "bob", NULL, 0);
    lan_enter(p[0].l, netsim_now(sim));
    settle(p, 2);
    uint32_t id = lan_seal(p[0].l, "bob", "秘密 secret", netsim_now(sim));
    CHECK(id > 0);
    settle(p, 2);
    const chat_event *m = nth(&p[1], EV_MESSAGE, 0);
    CHECK(m && (m->flags & CHAT_SEALED) && m->text == NULL && m->id == 1);
    CHECK(nth(&p[0], EV_DELIVERED, 0) != NULL);
    CHECK(!nth(&p[0], EV_READ, 0));
    lan_open(p[1].l, 7, netsim_now(sim)); /* no such number */
    lan_open(p[1].l, 1, netsim_now(sim));
    settle(p, 2);
    CHECK(nth(&p[1], EV_ERROR, 0) != NULL);
    m = nth(&p[1], EV_MESSAGE, 1);
    CHECK(m && same(m->text, "秘密 secret") && (m->flags & CHAT_SEALED) && (m->flags & CHAT_PRIVATE));
    ipmsg_packet pk = {0};
    CHECK_EQ_INT(sent_by(2, IPMSG_READMSG, 0, &pk), 1);
    CHECK(pk.command & IPMSG_READCHECKOPT);
    ipmsg_free(&pk);
    CHECK_EQ_INT(sent_by(1, IPMSG_ANSREADMSG, 0, NULL), 1);
    const chat_event *r = nth(&p[0], EV_READ, 0);
    CHECK(r && r->id == id && same(r->from, "bob"));
    lan_open(p[1].l, 1, netsim_now(sim)); /* opened once only */
    settle(p, 2);
    CHECK_EQ_INT(count(&p[0], EV_READ), 1);
    CHECK_EQ_INT(count(&p[1], EV_ERROR), 2);
    finish(p, 2);
}

/* Sealed messages kept unopened are bounded: the oldest go. */
static void test_sealed_bounded(void)
{
    peer p[1];
    start(4);
    open_peer(&p[0], 1, "alice", NULL, 0);
    for (int i = 0; i < 200; i++) /* from 5 addresses: 40 each, within the rate of each */
        inject(&p[0], 2 + (uint32_t)i % 5, 100 + (uint64_t)i, IPMSG_SENDMSG | IPMSG_SECRETOPT, "sealed text", NULL, NULL);
    CHECK_EQ_INT(lan_get_stats(p[0].l).sealed_dropped, 200 - 64);
    lan_open(p[0].l, 1, netsim_now(sim)); /* pushed out */
    lan_open(p[0].l, 200, netsim_now(sim));
    collect(&p[0]);
    CHECK_EQ_INT(count(&p[0], EV_ERROR), 1);
    finish(p, 1);
}

/* /refresh: peers that answer stay; one that does not (killed) leaves after the wait; the
 * same happens by itself every refresh_ms. */
static void test_probe(void)
{
    peer p[3];
    start(5);
    open_peer(&p[0], 1, "alice", NULL, 0);
    open_peer(&p[1], 2, "bob", NULL, 0);
    open_peer(&p[2], 3, "carol", NULL, 0);
    for (int i = 0; i < 3; i++) lan_enter(p[i].l, netsim_now(sim));
    settle(p, 3);
    p[2].node->down = 1; /* SIGKILL: no BR_EXIT */
    lan_refresh(p[0].l, netsim_now(sim));
    netsim_advance(sim, 2000, 50);
    collect(&p[0]);
    CHECK_EQ_INT(count(&p[0], EV_LEAVE), 0); /* not yet: the wait is 3 s */
    netsim_advance(sim, 2000, 50);
    collect(&p[0]);
    const chat_event *g = nth(&p[0], EV_LEAVE, 0);
    CHECK(g && same(g->from, "carol") && g->reason == 1 /* LEAVE_TIMEOUT */);
    CHECK_EQ_INT(count(&p[0], EV_LEAVE), 1);
    CHECK(lan_has_peer(p[0].l, "bob"));
    CHECK_EQ_INT(lan_get_stats(p[0].l).gone, 1);
    finish(p, 3);

    start(6);
    open_peer(&p[0], 1, "alice", NULL, 10000);
    open_peer(&p[1], 2, "bob", NULL, 0);
    for (int i = 0; i < 2; i++) lan_enter(p[i].l, netsim_now(sim));
    settle(p, 2);
    CHECK(lan_next_deadline(p[0].l, netsim_now(sim)) <= netsim_now(sim) + 10000);
    netsim_advance(sim, 25000, 100);
    collect(&p[0]);
    CHECK_EQ_INT(count(&p[0], EV_LEAVE), 0); /* bob answers every round */
    p[1].node->down = 1;
    netsim_advance(sim, 15000, 100);
    collect(&p[0]);
    CHECK_EQ_INT(count(&p[0], EV_LEAVE), 1);
    finish(p, 2);
}

/* BR_EXIT carries the reason after the group; udpchat shows it, bounded and cleaned. */
static void test_quit_reason(void)
{
    peer p[2];
    start(7);
    open_peer(&p[0], 1, "alice", NULL, 0);
    open_peer(&p[1], 2, "bob", NULL, 0);
    lan_enter(p[0].l, netsim_now(sim));
    settle(p, 2);
    lan_exit_reason(p[1].l, "吃午饭 lunch\n\x1b[2J", netsim_now(sim));
    settle(p, 2);
    const chat_event *e = nth(&p[0], EV_LEAVE, 0);
    CHECK(e && same(e->from, "bob") && same(e->text, "吃午饭 lunch  [2J"));
    ipmsg_packet pk = {0};
    CHECK(sent_by(2, IPMSG_BR_EXIT, 0, &pk) >= 1);
    CHECK(strcmp(pk.extra, "bob") == 0 && strcmp(pk.extra2, "lab") == 0);
    CHECK(strncmp(pk.extra3, "\nUCQUIT:", 8) == 0);
    ipmsg_free(&pk);
    /* a hostile section: long, binary, the key twice */
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big, "\nUN:u\nUCQUIT:", 13);
    inject(&p[0], 9, 1, IPMSG_BR_ENTRY, "raw", "", NULL);
    inject(&p[0], 9, 2, IPMSG_BR_EXIT, "raw", "", big);
    e = nth(&p[0], EV_LEAVE, 1);
    CHECK(e && e->text && strlen(e->text) == 128);
    inject(&p[0], 10, 1, IPMSG_BR_ENTRY, "raw2", "", NULL);
    inject(&p[0], 10, 2, IPMSG_BR_EXIT, "raw2", "", "\nUN:someone"); /* IPMsg's own lines only */
    e = nth(&p[0], EV_LEAVE, 2);
    CHECK(e && e->text == NULL);
    finish(p, 2);
}

/* CR LF and CR become LF; FeiQ's commands are ignored (counted), never shown. */
static void test_newlines_and_feiq(void)
{
    peer p[1];
    start(8);
    open_peer(&p[0], 1, "alice", NULL, 0);
    inject(&p[0], 2, 10, IPMSG_SENDMSG, "one\r\ntwo\rthree\nfour\r\n", NULL, NULL);
    const chat_event *m = nth(&p[0], EV_MESSAGE, 0);
    CHECK(m && same(m->text, "one\ntwo\nthree\nfour\n"));
    uint64_t before = lan_get_stats(p[0].l).ignored;
    static const uint32_t feiq[] = {0x77, 0x79, 0x7a, 0xd1, 0xc0};
    for (int i = 0; i < 5; i++) inject(&p[0], 2, 20 + (uint64_t)i, feiq[i] | IPMSG_UTF8OPT, "\x01\x02garbage", "x", NULL);
    CHECK_EQ_INT(lan_get_stats(p[0].l).ignored - before, 5);
    CHECK_EQ_INT(p[0].nev, 1); /* the message: nothing from FeiQ's commands */
    finish(p, 1);
}

/* GBK lacks a character: the sender is told how many became '?', and for whom. */
static void test_lossy_gbk(void)
{
    peer p[1];
    start(9);
    open_peer(&p[0], 1, "alice", NULL, 0);
    inject(&p[0], 2, 10, IPMSG_BR_ENTRY, "laowang", "", NULL); /* no CAPUTF8OPT: GBK */
    inject(&p[0], 3, 10, IPMSG_BR_ENTRY | IPMSG_CAPUTF8OPT, "utf", "", NULL);
    uint32_t id = lan_say(p[0].l, NULL, "ok 你好? 😀 and 𝄞", netsim_now(sim));
    collect(&p[0]);
    const chat_event *e = nth(&p[0], EV_ERROR, 0);
    CHECK(e && e->id == id && same(e->text, "2 characters became '?' for laowang (gbk lacks them)"));
    lan_say(p[0].l, "utf", "😀", netsim_now(sim)); /* to a UTF-8 peer: nothing lost */
    lan_say(p[0].l, NULL, "你好?", netsim_now(sim));
    collect(&p[0]);
    CHECK_EQ_INT(count(&p[0], EV_ERROR), 1);
    finish(p, 1);
}

/* Never ENCRYPTOPT nor CAPIPDICTOPT; a login name "-" + 16 hex digits loses its '-'. */
static void test_names_and_options(void)
{
    peer p[2];
    start(10);
    open_peer(&p[0], 1, "alice", "bob-0123456789abcDEF", 0);
    open_peer(&p[1], 2, "bob", "plain-user", 0);
    lan_enter(p[0].l, netsim_now(sim));
    settle(p, 2);
    lan_say(p[0].l, NULL, "hi", netsim_now(sim));
    lan_set_away(p[1].l, "", netsim_now(sim));
    settle(p, 2);
    CHECK(npkts >= 4);
    for (size_t i = 0; i < npkts; i++) {
        ipmsg_packet pk;
        if (ipmsg_parse(pkts[i].raw.data, pkts[i].raw.len, &pk) < 0) continue;
        CHECK(!(pk.command & (IPMSG_ENCRYPTOPT | IPMSG_CAPIPDICTOPT)));
        if (pkts[i].from == HOST(1) && IPMSG_MODE(pk.command) != IPMSG_RECVMSG)
            CHECK(strcmp(pk.user, "bob_0123456789abcDEF") == 0);
        if (pkts[i].from == HOST(2) && IPMSG_MODE(pk.command) != IPMSG_RECVMSG)
            CHECK(strcmp(pk.user, "plain-user") == 0);
        ipmsg_free(&pk);
    }
    finish(p, 2);
}

/* A known address with another nick is a rename; another group is said too. */
static void test_rename_and_group(void)
{
    peer p[1];
    start(11);
    open_peer(&p[0], 1, "alice", NULL, 0);
    inject(&p[0], 2, 10, IPMSG_BR_ENTRY, "alice2", "dev", NULL);
    inject(&p[0], 2, 11, IPMSG_BR_ENTRY, "bob", "dev", NULL);
    const chat_event *n = nth(&p[0], EV_NICK, 0);
    CHECK(n && same(n->from, "alice2") && same(n->to, "bob"));
    inject(&p[0], 2, 12, IPMSG_BR_ENTRY, "bob", "qa", NULL);
    const chat_event *g = nth(&p[0], EV_NOTICE, 0);
    CHECK(g && same(g->from, "bob") && same(g->text, "is now in group qa"));
    inject(&p[0], 2, 13, IPMSG_BR_ABSENCE, "bob", "", NULL); /* no group: still qa */
    CHECK_EQ_INT(count(&p[0], EV_NOTICE), 1);
    inject(&p[0], 3, 14, IPMSG_SENDMSG, "hi", NULL, NULL); /* known from a message: no group yet */
    inject(&p[0], 3, 15, IPMSG_BR_ENTRY, "carol", "ops", NULL);
    CHECK_EQ_INT(count(&p[0], EV_NOTICE), 1); /* its first group is not news */
    finish(p, 1);
}

int main(void)
{
    RUN(test_peer_away_status);
    RUN(test_our_away);
    RUN(test_sealed);
    RUN(test_sealed_bounded);
    RUN(test_probe);
    RUN(test_quit_reason);
    RUN(test_newlines_and_feiq);
    RUN(test_lossy_gbk);
    RUN(test_names_and_options);
    RUN(test_rename_and_group);
    return th_finish();
}
