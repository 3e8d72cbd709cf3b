/* test_lan.c -- LAN cores (IP Messenger) in the simulated network: entries, messages, limits */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "netsim.h"
#include "testhelp.h"
#include "udpchat/buf.h"
#include "udpchat/ipmsg.h"
#include "udpchat/lan.h"
#include "udpchat/utf8.h"

#define HOST(d) (0x0A000000u | (d)) /* 10.0.0.d */
#define MAXEV 512

/* One LAN core in the simulated network, and the events it reported. */
typedef struct peer {
    lan *l;
    netsim_node *node;
    chat_event ev[MAXEV];
    size_t nev;
} peer;

static netsim *sim;
static const net_addr bcast = {HOST(255), IPMSG_PORT};

/* What the tap saw: per command, how many and the longest / shortest. */
static size_t n_sendmsg, n_recvmsg, n_ansentry;
static size_t last_sendmsg_len, max_recvmsg_len;
static int sendmsg_checkopt;

static void tap(void *ctx, const netsim_node *from, const net_addr *to, const void *data, size_t len)
{
    (void)ctx, (void)from, (void)to;
    ipmsg_packet p;
    if (ipmsg_parse(data, len, &p) < 0) return;
    switch (IPMSG_MODE(p.command)) {
    case IPMSG_SENDMSG:
        n_sendmsg++;
        last_sendmsg_len = len;
        sendmsg_checkopt = (p.command & IPMSG_SENDCHECKOPT) != 0;
        break;
    case IPMSG_RECVMSG:
        n_recvmsg++;
        if (len > max_recvmsg_len) max_recvmsg_len = len;
        break;
    case IPMSG_ANSENTRY: n_ansentry++; break;
    default: break;
    }
    ipmsg_free(&p);
}

static void start(uint64_t seed)
{
    sim = netsim_create(seed, 1000000);
    netsim_add_broadcast(sim, bcast);
    netsim_tap(sim, tap, NULL);
    n_sendmsg = n_recvmsg = n_ansentry = 0;
    last_sendmsg_len = max_recvmsg_len = 0;
    sendmsg_checkopt = 0;
}

static void open_peer(peer *p, uint32_t d, const char *nick)
{
    memset(p, 0, sizeof *p);
    net_addr me = {HOST(d), IPMSG_PORT}, none = {0, 0};
    lan_config c;
    lan_config_default(&c);
    c.nick = nick;
    c.group = "lab";
    c.first_packet_no = 1700000000ull + 1000 * d; /* as cmd_lan: the time in seconds */
    c.refresh_ms = 0; /* no probe rounds unless a test asks (test_lan_presence.c) */
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

static void close_peer(peer *p)
{
    collect(p);
    for (size_t i = 0; i < p->nev; i++) chat_event_free(&p->ev[i]);
    lan_destroy(p->l);
    memset(p, 0, sizeof *p);
}

/* Runs the network dry, then collects every peer's events. */
static void settle(peer *ps, size_t n)
{
    netsim_run(sim);
    for (size_t i = 0; i < n; i++) collect(&ps[i]);
}

static size_t count(const peer *p, chat_event_type t, const char *from, const char *text)
{
    size_t n = 0;
    for (size_t i = 0; i < p->nev; i++) {
        const chat_event *e = &p->ev[i];
        if (e->type != t) continue;
        if (from && (!e->from || strcmp(e->from, from) != 0)) continue;
        if (text && (!e->text || strcmp(e->text, text) != 0)) continue;
        n++;
    }
    return n;
}

static const chat_event *find(const peer *p, chat_event_type t)
{
    for (size_t i = 0; i < p->nev; i++)
        if (p->ev[i].type == t) return &p->ev[i];
    return NULL;
}

/* Two (or three) peers that have entered and answered each other. */
static void meet(peer *ps, size_t n)
{
    for (size_t i = 0; i < n; i++) lan_enter(ps[i].l, netsim_now(sim));
    settle(ps, n);
}

/* alice (10.0.0.1) and bob (10.0.0.2), who know each other. */
static void start_pair(peer *p, uint64_t seed)
{
    start(seed);
    open_peer(&p[0], 1, "alice");
    open_peer(&p[1], 2, "bob");
    meet(p, 2);
}

static void finish(peer *ps, size_t n)
{
    for (size_t i = 0; i < n; i++) close_peer(&ps[i]);
    netsim_destroy(sim);
}

/* BR_ENTRY is answered with ANSENTRY: each side learns the other once. */
static void test_entry_answer(void)
{
    peer p[2];
    start(1);
    open_peer(&p[0], 1, "alice");
    open_peer(&p[1], 2, "bob");
    lan_enter(p[0].l, netsim_now(sim));
    settle(p, 2);
    CHECK_EQ_INT(count(&p[1], EV_JOIN, "alice", NULL), 1);
    CHECK_EQ_INT(count(&p[0], EV_JOIN, "bob", NULL), 1);
    CHECK_EQ_INT(n_ansentry, 1);
    CHECK(lan_has_peer(p[0].l, "BOB")); /* nicks compare ASCII case-insensitively */
    CHECK(lan_has_peer(p[1].l, "alice"));
    lan_enter(p[1].l, netsim_now(sim)); /* a second entry: known, no second join */
    settle(p, 2);
    CHECK_EQ_INT(count(&p[0], EV_JOIN, NULL, NULL), 1);
    CHECK_EQ_INT(lan_get_stats(p[0].l).peers, 1);
    finish(p, 2);
}

/* A message goes as SENDMSG with SENDCHECKOPT; the RECVMSG makes it delivered. */
static void test_message_acknowledged(void)
{
    peer p[2];
    start_pair(p, 2);
    uint32_t id = lan_say(p[0].l, "bob", "你好, bob", netsim_now(sim));
    CHECK(id > 0);
    settle(p, 2);
    CHECK(sendmsg_checkopt);
    CHECK_EQ_INT(count(&p[1], EV_MESSAGE, "alice", "你好, bob"), 1);
    const chat_event *d = find(&p[0], EV_DELIVERED);
    CHECK(d && d->id == id);
    CHECK_EQ_INT(n_recvmsg, 1);
    CHECK(max_recvmsg_len <= last_sendmsg_len);
    netsim_advance(sim, 5000, 100); /* acknowledged: never resent, never undelivered */
    collect(&p[0]);
    CHECK_EQ_INT(n_sendmsg, 1);
    CHECK(!find(&p[0], EV_UNDELIVERED));
    finish(p, 2);
}

/* Every datagram arrives twice: the message is shown once, delivered once. */
static void test_duplicates_shown_once(void)
{
    peer p[2];
    start_pair(p, 3);
    netsim_set_faults(sim, 0, 100, 0);
    uint32_t id = lan_say(p[0].l, "bob", "once", netsim_now(sim));
    settle(p, 2);
    netsim_advance(sim, 3000, 100); /* resends, if any, are duplicates too */
    collect(&p[0]);
    collect(&p[1]);
    CHECK_EQ_INT(count(&p[1], EV_MESSAGE, "alice", "once"), 1);
    CHECK(lan_get_stats(p[1].l).duplicates >= 1);
    CHECK_EQ_INT(count(&p[0], EV_DELIVERED, NULL, NULL), 1);
    CHECK_EQ_INT(find(&p[0], EV_DELIVERED)->id, id);
    finish(p, 2);
}

/* A peer that went away: the SENDMSG is tried 1 + retries times, then undelivered once. */
static void test_undelivered_after_retries(void)
{
    peer p[2];
    start_pair(p, 4);
    p[1].node->down = 1;
    uint32_t id = lan_say(p[0].l, "bob", "anyone?", netsim_now(sim));
    netsim_advance(sim, 10000, 100);
    collect(&p[0]);
    CHECK_EQ_INT(n_sendmsg, 1 + 3); /* lan_config_default: 3 retries */
    CHECK_EQ_INT(count(&p[0], EV_UNDELIVERED, "bob", "anyone?"), 1);
    CHECK_EQ_INT(find(&p[0], EV_UNDELIVERED)->id, id);
    CHECK(!find(&p[0], EV_DELIVERED));
    CHECK_EQ_INT(lan_next_deadline(p[0].l, netsim_now(sim)), UINT64_MAX);
    finish(p, 2);
}

/* BR_EXIT: the peer leaves everyone's list. */
static void test_exit(void)
{
    peer p[2];
    start_pair(p, 5);
    lan_exit(p[1].l, netsim_now(sim));
    settle(p, 2);
    CHECK_EQ_INT(count(&p[0], EV_LEAVE, "bob", NULL), 1);
    CHECK(!lan_has_peer(p[0].l, "bob"));
    CHECK_EQ_INT(lan_get_stats(p[0].l).peers, 0);
    CHECK_EQ_INT(lan_say(p[0].l, NULL, "hello?", netsim_now(sim)), 0); /* nobody left */
    collect(&p[0]);
    CHECK(find(&p[0], EV_ERROR) != NULL);
    finish(p, 2);
}

/* A datagram from 10.0.0.d:port, built as an IP Messenger client would; its length. */
static size_t inject(peer *p, uint32_t d, uint64_t no, const char *user, uint32_t cmd, const char *extra,
                     const char *extra2)
{
    buf b = {0};
    net_addr from = {HOST(d), IPMSG_PORT};
    ipmsg_build(&b, no, user, "pc", cmd, extra, strlen(extra), extra2, extra2 ? strlen(extra2) : 0);
    lan_on_datagram(p->l, &from, b.data, b.len, netsim_now(sim));
    size_t len = b.len;
    buf_free(&b);
    return len;
}

/* Entries are answered once a second per peer and 200 a second in all; SENDMSGs from one
 * address are shown (and acknowledged) 50 at once, then 50 a second. */
static void test_answer_limits(void)
{
    peer p[1];
    start(6);
    open_peer(&p[0], 1, "alice");
    for (int i = 0; i < 10; i++) inject(&p[0], 2, 10 + (uint64_t)i, "bob", IPMSG_BR_ENTRY, "bob", "");
    netsim_run(sim);
    CHECK_EQ_INT(n_ansentry, 1);
    for (uint32_t d = 10; d < 10 + 300; d++) inject(&p[0], d, 7, "x", IPMSG_BR_ENTRY, "x", "");
    netsim_run(sim);
    CHECK_EQ_INT(n_ansentry, 200); /* 1 + 199 more in the same second */
    for (int i = 0; i < 120; i++)
        inject(&p[0], 2, 100 + (uint64_t)i, "bob", IPMSG_SENDMSG | IPMSG_SENDCHECKOPT, "spam spam", NULL);
    netsim_run(sim);
    collect(&p[0]);
    lan_stats st = lan_get_stats(p[0].l);
    CHECK_EQ_INT(count(&p[0], EV_MESSAGE, NULL, "spam spam"), 50);
    CHECK_EQ_INT(st.flood_dropped, 70);
    CHECK(n_recvmsg <= 50);
    CHECK_EQ_INT(n_recvmsg + st.answers_dropped, 50); /* within the second's 200, less what it used */
    finish(p, 1);
}

/* A RECVMSG is never longer than the SENDMSG it answers: names are left out, or no answer. */
static void test_recvmsg_never_longer(void)
{
    peer p[1];
    start(7);
    open_peer(&p[0], 1, "alice");
    size_t len = inject(&p[0], 2, 5, "b", IPMSG_SENDMSG | IPMSG_SENDCHECKOPT, "a long enough text", NULL);
    netsim_run(sim);
    CHECK_EQ_INT(n_recvmsg, 1);
    CHECK(max_recvmsg_len <= len);
    len = inject(&p[0], 3, 6, "", IPMSG_SENDMSG | IPMSG_SENDCHECKOPT, "x", NULL); /* "1:6::pc:288:x" */
    netsim_run(sim);
    CHECK_EQ_INT(n_recvmsg, 1); /* even "1:1700001001:::33:6" is longer: no answer */
    CHECK_EQ_INT(lan_get_stats(p[0].l).answers_dropped, 1);
    finish(p, 1);
}

/* Nicks are cut at 32 characters, groups at 64, controls replaced; a nick never starts
 * with '/'. */
static void test_name_caps(void)
{
    peer p[1];
    char nick[200], group[300];
    start(8);
    open_peer(&p[0], 1, "alice");
    memset(nick, 'n', 100);
    strcpy(nick + 100, "\x1b[2J");
    nick[0] = '/';
    memset(group, 'g', 200);
    group[200] = '\0';
    inject(&p[0], 2, 1, "u", IPMSG_BR_ENTRY | IPMSG_UTF8OPT, nick, group);
    netsim_run(sim);
    collect(&p[0]);
    const chat_event *j = find(&p[0], EV_JOIN);
    CHECK(j != NULL);
    if (!j) return finish(p, 1);
    CHECK_EQ_INT(utf8_width(j->from, strlen(j->from)), 32);
    CHECK(j->from[0] == '_');
    CHECK(strchr(j->from, 0x1b) == NULL);
    char want[80];
    memset(want, 'g', 64);
    strcpy(want + 64, "]");
    CHECK(strstr(j->text, want) != NULL); /* 64 g's and the group's end */
    finish(p, 1);
}

/* Two peers named bob: a bare "bob" is refused as ambiguous; bob@address picks one. */
static void test_same_nick(void)
{
    peer p[3];
    start(9);
    open_peer(&p[0], 1, "alice");
    open_peer(&p[1], 2, "bob");
    open_peer(&p[2], 3, "Bob");
    meet(p, 3);
    CHECK(!lan_has_peer(p[0].l, "bob"));
    CHECK_EQ_INT(lan_say(p[0].l, "bob", "which one?", netsim_now(sim)), 0);
    collect(&p[0]);
    CHECK_EQ_INT(count(&p[0], EV_ERROR, NULL, "bob is ambiguous: bob@10.0.0.2, Bob@10.0.0.3; use nick@address"), 1);
    CHECK(lan_has_peer(p[0].l, "bob@10.0.0.3"));
    uint32_t id = lan_say(p[0].l, "bob@10.0.0.3", "you", netsim_now(sim));
    CHECK(id > 0);
    settle(p, 3);
    CHECK_EQ_INT(count(&p[2], EV_MESSAGE, "alice", "you"), 1);
    CHECK_EQ_INT(count(&p[1], EV_MESSAGE, NULL, NULL), 0);
    CHECK_EQ_INT(count(&p[0], EV_DELIVERED, "Bob@10.0.0.3", NULL), 1);
    finish(p, 3);
}

/* A lossy, reordering network: every message still arrives once, in the end. */
static void test_lossy_network(void)
{
    peer p[2];
    start_pair(p, 10);
    netsim_set_faults(sim, 30, 10, 20);
    char text[32];
    for (int i = 0; i < 10; i++) {
        snprintf(text, sizeof text, "message %d", i);
        lan_say(p[0].l, "bob", text, netsim_now(sim));
    }
    netsim_advance(sim, 10000, 50);
    collect(&p[0]);
    collect(&p[1]);
    for (int i = 0; i < 10; i++) {
        snprintf(text, sizeof text, "message %d", i);
        CHECK(count(&p[1], EV_MESSAGE, "alice", text) <= 1);
    }
    CHECK_EQ_INT(count(&p[0], EV_DELIVERED, NULL, NULL) + count(&p[0], EV_UNDELIVERED, NULL, NULL), 10);
    CHECK(count(&p[1], EV_MESSAGE, NULL, NULL) >= count(&p[0], EV_DELIVERED, NULL, NULL));
    finish(p, 2);
}

int main(void)
{
    RUN(test_entry_answer);
    RUN(test_message_acknowledged);
    RUN(test_duplicates_shown_once);
    RUN(test_undelivered_after_retries);
    RUN(test_exit);
    RUN(test_answer_limits);
    RUN(test_recvmsg_never_longer);
    RUN(test_name_caps);
    RUN(test_same_nick);
    RUN(test_lossy_network);
    return th_finish();
}
