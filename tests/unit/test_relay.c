/* test_relay.c -- the relay core driven in-process: N sessions + 1 relay, virtual clock */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "udpchat/charset.h"
#include "udpchat/msg.h"
#include "udpchat/nick.h"
#include "udpchat/relay.h"
#include "udpchat/session.h"
#include "udpchat/wire.h"

#define RELAY_SESSION 0x5EC0FFEEu
#define MAX_CLIENTS 8
#define MAX_QUEUE 200000
#define LOOPBACK 0x7F000001u

static const net_addr server_addr = {LOOPBACK, 10888};

/* ---- the fabric: one FIFO of datagrams between the relay and the fake clients ---- */

typedef struct dgram {
    net_addr from, to;
    uint8_t *data;
    size_t len;
} dgram;

typedef struct client {
    net_addr addr;
    session *s;           /* NULL: a plain-text (seed-style) client */
    const char *name;     /* for messages */
    int paused;           /* 1: silent (neither serviced nor receiving: a stopped process) */
    int deaf;             /* 1: what is sent to it is lost (it still sends) */
    chat_event ev[4096];  /* what the session reported */
    size_t nev;
    char *inbox[4096];    /* plain-text client: datagrams received (raw bytes, NUL-ended) */
    size_t inbox_len[4096];
    size_t ninbox;
    uint64_t rx;          /* datagrams received */
} client;

typedef struct fabric {
    relay *r;
    client *c[MAX_CLIENTS];
    size_t nc;
    dgram *q;
    size_t head, len, cap;
    uint64_t now;
    uint32_t rng;
    unsigned drop_pct, dup_pct; /* loss applied to every datagram (0 = perfect) */
    uint64_t dropped, duplicated;
    int capture;               /* 1: remember the next datagram a client sends */
    dgram captured;
} fabric;

static fabric F;

static uint32_t rnd(void)
{
    F.rng ^= F.rng << 13;
    F.rng ^= F.rng >> 17;
    F.rng ^= F.rng << 5;
    return F.rng;
}

static void push(const net_addr *from, const net_addr *to, const void *data, size_t len)
{
    if (F.head + F.len == F.cap) {
        if (F.head) {
            memmove(F.q, F.q + F.head, F.len * sizeof *F.q);
            F.head = 0;
        } else {
            F.cap = F.cap ? F.cap * 2 : 256;
            F.q = realloc(F.q, F.cap * sizeof *F.q);
            if (!F.q) abort();
        }
    }
    dgram *d = &F.q[F.head + F.len++];
    d->from = *from;
    d->to = *to;
    d->len = len;
    d->data = malloc(len ? len : 1);
    if (!d->data) abort();
    memcpy(d->data, data, len);
}

static void send_dgram(const net_addr *from, const net_addr *to, const void *data, size_t len)
{
    if (F.drop_pct && rnd() % 100 < F.drop_pct) {
        F.dropped++;
        return;
    }
    push(from, to, data, len);
    if (F.dup_pct && rnd() % 100 < F.dup_pct) {
        F.duplicated++;
        push(from, to, data, len);
    }
}

static void relay_emit(void *ctx, const net_addr *to, const void *data, size_t len)
{
    (void)ctx;
    send_dgram(&server_addr, to, data, len);
}

static void session_emit(void *ctx, const net_addr *to, const void *data, size_t len)
{
    client *c = ctx;
    (void)to; /* always the relay: sessions here are configured with server_addr */
    if (F.capture && wire_is_ours(data, len)) {
        F.capture = 0;
        F.captured.from = c->addr;
        F.captured.len = len;
        F.captured.data = malloc(len);
        if (!F.captured.data) abort();
        memcpy(F.captured.data, data, len);
    }
    send_dgram(&c->addr, &server_addr, data, len);
}

static client *client_at(const net_addr *a)
{
    for (size_t i = 0; i < F.nc; i++)
        if (F.c[i]->addr.host == a->host && F.c[i]->addr.port == a->port) return F.c[i];
    return NULL;
}

static void collect(client *c)
{
    chat_event ev;
    while (c->s && session_poll_event(c->s, &ev)) {
        if (c->nev < sizeof c->ev / sizeof c->ev[0]) c->ev[c->nev++] = ev;
        else chat_event_free(&ev);
    }
}

/* Shuffles a little: swaps the next datagram with a later one now and then. */
static void maybe_reorder(void)
{
    if (!F.drop_pct || F.len < 2 || rnd() % 100 >= 10) return;
    size_t j = F.head + 1 + rnd() % (F.len - 1);
    dgram t = F.q[F.head];
    F.q[F.head] = F.q[j];
    F.q[j] = t;
}

static void deliver(dgram *d)
{
    if (d->to.host == server_addr.host && d->to.port == server_addr.port) {
        client *from = client_at(&d->from);
        if (!from || !from->paused) relay_on_datagram(F.r, &d->from, d->data, d->len, F.now);
        return;
    }
    client *c = client_at(&d->to);
    if (!c || c->paused || c->deaf) return;
    c->rx++;
    if (c->s) {
        session_on_datagram(c->s, d->data, d->len, F.now);
    } else if (c->ninbox < sizeof c->inbox / sizeof c->inbox[0]) {
        char *t = malloc(d->len + 1);
        if (!t) abort();
        memcpy(t, d->data, d->len);
        t[d->len] = '\0';
        c->inbox_len[c->ninbox] = d->len;
        c->inbox[c->ninbox++] = t;
    }
}

/* Delivers everything in flight (and what that provokes) at the current time. */
static void pump(void)
{
    for (int round = 0; round < 1000 && F.len; round++) {
        size_t n = F.len;
        while (n-- && F.len) {
            maybe_reorder();
            dgram d = F.q[F.head++];
            F.len--;
            deliver(&d);
            free(d.data);
        }
        relay_flush(F.r, F.now);
        for (size_t i = 0; i < F.nc; i++)
            if (F.c[i]->s && !F.c[i]->paused) session_flush(F.c[i]->s);
    }
    for (size_t i = 0; i < F.nc; i++) collect(F.c[i]);
}

/* Runs timers every `step` ms until `ms` have passed. */
static void advance(uint64_t ms, uint64_t step)
{
    uint64_t end = F.now + ms;
    while (F.now < end) {
        F.now += step;
        if (F.now > end) F.now = end;
        relay_service(F.r, F.now);
        for (size_t i = 0; i < F.nc; i++)
            if (F.c[i]->s && !F.c[i]->paused) session_service(F.c[i]->s, F.now);
        pump();
    }
}

static void fabric_open(const relay_config *cfg)
{
    memset(&F, 0, sizeof F);
    F.now = 1000000;
    F.rng = 0x12345678u;
    F.r = relay_create(cfg, RELAY_SESSION, relay_emit, NULL);
}

static void fabric_close(void)
{
    for (size_t i = 0; i < F.nc; i++) {
        client *c = F.c[i];
        for (size_t k = 0; k < c->nev; k++) chat_event_free(&c->ev[k]);
        for (size_t k = 0; k < c->ninbox; k++) free(c->inbox[k]);
        session_destroy(c->s);
        free(c);
    }
    while (F.len) free(F.q[F.head++].data), F.len--;
    free(F.q);
    free(F.captured.data);
    relay_destroy(F.r);
    memset(&F, 0, sizeof F);
}

static client *new_client(const char *name)
{
    client *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->name = name;
    c->addr.host = LOOPBACK;
    c->addr.port = (uint16_t)(20000 + F.nc);
    if (F.nc == MAX_CLIENTS) abort();
    F.c[F.nc++] = c;
    return c;
}

/* A protocol client (a `udpchat join`); its HELLO is in flight after this. */
static client *join(const char *nick)
{
    client *c = new_client(nick);
    session_config cfg;
    session_config_default(&cfg);
    cfg.role = SESSION_CLIENT;
    cfg.nick = nick;
    c->s = session_create(&cfg, 0x1000u + (uint32_t)F.nc, session_emit, c, F.now);
    pump();
    return c;
}

/* A plain-text client (seed 002/003); its first datagram (the nick) is sent. */
static client *legacy_join(const char *nick_bytes)
{
    client *c = new_client(nick_bytes);
    send_dgram(&c->addr, &server_addr, nick_bytes, strlen(nick_bytes));
    pump();
    return c;
}

static void legacy_say(client *c, const char *bytes)
{
    send_dgram(&c->addr, &server_addr, bytes, strlen(bytes));
    pump();
}

/* ---- queries ---- */

static int str_is(const char *s, const char *want) { return want == NULL || (s && strcmp(s, want) == 0); }

/* Events of a type whose from/text match (NULL = any). */
static size_t count_ev(const client *c, chat_event_type t, const char *from, const char *text)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nev; i++)
        if (c->ev[i].type == t && str_is(c->ev[i].from, from) && str_is(c->ev[i].text, text)) n++;
    return n;
}

static const chat_event *find_ev(const client *c, chat_event_type t, const char *from)
{
    for (size_t i = 0; i < c->nev; i++)
        if (c->ev[i].type == t && str_is(c->ev[i].from, from)) return &c->ev[i];
    return NULL;
}

static const chat_event *last_ev(const client *c, chat_event_type t)
{
    for (size_t i = c->nev; i-- > 0;)
        if (c->ev[i].type == t) return &c->ev[i];
    return NULL;
}

static size_t count_inbox(const client *c, const char *bytes)
{
    size_t n = 0;
    for (size_t i = 0; i < c->ninbox; i++)
        if (strcmp(c->inbox[i], bytes) == 0) n++;
    return n;
}

/* Datagrams that contain a line (joins and leaves reach plain-text clients together). */
static size_t count_inbox_line(const client *c, const char *line)
{
    size_t n = 0, len = strlen(line);
    for (size_t i = 0; i < c->ninbox; i++)
        for (const char *p = c->inbox[i]; (p = strstr(p, line)) != NULL; p += len)
            if ((p == c->inbox[i] || p[-1] == '\n') && (p[len] == '\0' || p[len] == '\n')) n++;
    return n;
}

static int inbox_has_magic(const client *c)
{
    for (size_t i = 0; i < c->ninbox; i++)
        if (wire_is_ours(c->inbox[i], c->inbox_len[i])) return 1;
    return 0;
}

/* Relay log events of a type (drains the relay's queue into a small log). */
static chat_event relay_log[4096];
static size_t relay_nlog;

static void relay_log_collect(void)
{
    chat_event ev;
    while (relay_poll_event(F.r, &ev)) {
        if (relay_nlog < sizeof relay_log / sizeof relay_log[0]) relay_log[relay_nlog++] = ev;
        else chat_event_free(&ev);
    }
}

static size_t relay_count(chat_event_type t, const char *from)
{
    relay_log_collect();
    size_t n = 0;
    for (size_t i = 0; i < relay_nlog; i++)
        if (relay_log[i].type == t && str_is(relay_log[i].from, from)) n++;
    return n;
}

static void relay_log_free(void)
{
    for (size_t i = 0; i < relay_nlog; i++) chat_event_free(&relay_log[i]);
    relay_nlog = 0;
}

static void open_default(void)
{
    relay_config cfg;
    relay_config_default(&cfg);
    fabric_open(&cfg);
}

static void close_all(void)
{
    relay_log_free();
    fabric_close();
}

/* The roster text as the relay sees it. */
static char *roster_now(void)
{
    relay_who(F.r);
    relay_log_collect();
    for (size_t i = relay_nlog; i-- > 0;)
        if (relay_log[i].type == EV_ROSTER) return relay_log[i].text;
    return NULL;
}

/* ---- tests ---- */

static void test_join_roster(void)
{
    open_default();
    client *a = join("alice");
    CHECK_EQ_INT(count_ev(a, EV_STATUS, "alice", "joined"), 1);
    CHECK_EQ_INT(count_ev(a, EV_ROSTER, NULL, "alice"), 1);
    client *b = join("bob");
    CHECK_EQ_INT(count_ev(b, EV_STATUS, "bob", "joined"), 1);
    CHECK_EQ_INT(count_ev(b, EV_ROSTER, NULL, "alice\nbob"), 1);
    CHECK_EQ_INT(count_ev(a, EV_JOIN, "bob", NULL), 1);
    CHECK_EQ_INT(count_ev(b, EV_JOIN, "bob", NULL), 0); /* not told about itself */
    client *c = join("卡罗尔");
    CHECK_EQ_INT(count_ev(c, EV_ROSTER, NULL, "alice\nbob\n卡罗尔"), 1);
    CHECK_EQ_INT(count_ev(a, EV_JOIN, "卡罗尔", NULL), 1);
    CHECK_EQ_INT(count_ev(b, EV_JOIN, "卡罗尔", NULL), 1);
    CHECK_EQ_INT(relay_count(EV_JOIN, NULL), 3);
    CHECK_EQ_INT(relay_get_stats(F.r).members, 3);
    /* /who from a client */
    session_request_who(b->s, F.now);
    pump();
    CHECK_EQ_INT(count_ev(b, EV_ROSTER, NULL, "alice\nbob\n卡罗尔"), 1);
    CHECK(str_is(roster_now(), "alice\nbob\n卡罗尔"));
    /* a lost HELLO answer: the same HELLO again is answered, nothing announced twice */
    advance(3000, 100);
    CHECK_EQ_INT(count_ev(a, EV_JOIN, "bob", NULL), 1);
    CHECK_EQ_INT(relay_get_stats(F.r).members, 3);
    close_all();
}

static void test_refusals(void)
{
    relay_config cfg;
    relay_config_default(&cfg);
    cfg.max_clients = 3;
    fabric_open(&cfg);
    client *a = join("Alice");
    client *dup = join("aLICE");
    CHECK_EQ_INT(count_ev(dup, EV_REFUSED, NULL,
                          "that nick is taken (or looks like one that is): pick another with --nick"), 1);
    CHECK(session_done(dup->s));
    CHECK_EQ_INT(count_ev(a, EV_JOIN, NULL, NULL), 0);
    client *bad = join("bad nick");
    const chat_event *e = find_ev(bad, EV_REFUSED, NULL);
    CHECK(e && e->text && strstr(e->text, "spaces"));
    client *slash = join("/root");
    CHECK_EQ_INT(count_ev(slash, EV_REFUSED, NULL, NULL), 1);
    CHECK_EQ_INT(relay_count(EV_REFUSED, NULL), 3);
    join("bob");
    join("carol");
    client *full = join("dave");
    CHECK_EQ_INT(count_ev(full, EV_REFUSED, NULL, "the room is full"), 1);
    CHECK_EQ_INT(relay_get_stats(F.r).members, 3);
    /* the refused ones are not in the roster */
    CHECK(str_is(roster_now(), "Alice\nbob\ncarol"));
    close_all();
    /* plain-text clients have their own limit: they never fill the room, and a refused one
     * hears it in plain text (no binary datagram), once per ten seconds */
    relay_config_default(&cfg);
    cfg.max_clients = 2;
    cfg.max_legacy = 1;
    fabric_open(&cfg);
    client *l1 = legacy_join("mallory"), *lf = legacy_join("eve-the-second");
    CHECK_EQ_INT(relay_get_stats(F.r).members, 1);
    CHECK(!inbox_has_magic(lf));
    CHECK(lf->ninbox == 1 && strstr(lf->inbox[0], "room full") != NULL);
    legacy_say(lf, "eve-the-second");
    CHECK_EQ_INT(lf->ninbox, 1);
    client *p1 = join("alice"), *p2 = join("bob");
    CHECK_EQ_INT(count_ev(p1, EV_REFUSED, NULL, NULL) + count_ev(p2, EV_REFUSED, NULL, NULL), 0);
    CHECK_EQ_INT(relay_get_stats(F.r).members, 3);
    CHECK_EQ_INT(relay_get_stats(F.r).refused, 2);
    (void)l1;
    close_all();
    /* --no-legacy and --legacy-allow */
    relay_config_default(&cfg);
    cfg.no_legacy = 1;
    fabric_open(&cfg);
    lf = legacy_join("eve");
    CHECK_EQ_INT(relay_get_stats(F.r).members, 0);
    CHECK_EQ_INT(lf->ninbox, 0);
    close_all();
    relay_config_default(&cfg);
    cfg.legacy_allow[0] = (relay_range){0x0A000000u, 0xFF000000u}; /* 10.0.0.0/8 only */
    cfg.nallow = 1;
    fabric_open(&cfg);
    legacy_join("eve"); /* from 127.0.0.1 */
    CHECK_EQ_INT(relay_get_stats(F.r).members, 0);
    CHECK_EQ_INT(relay_get_stats(F.r).dropped_legacy, 1);
    close_all();
}

static void test_room_and_private(void)
{
    open_default();
    client *a = join("alice"), *b = join("bob"), *c = join("carol");
    uint32_t id = session_say(a->s, "你好，大家", 0, NULL, F.now);
    CHECK(id > 0);
    pump();
    CHECK_EQ_INT(count_ev(b, EV_MESSAGE, "alice", "你好，大家"), 1);
    CHECK_EQ_INT(count_ev(c, EV_MESSAGE, "alice", "你好，大家"), 1);
    CHECK_EQ_INT(count_ev(a, EV_MESSAGE, NULL, NULL), 0);
    CHECK_EQ_INT(count_ev(a, EV_DELIVERED, NULL, NULL), 1);
    const chat_event *m = find_ev(b, EV_MESSAGE, "alice");
    CHECK(m && m->flags == 0 && m->to == NULL);
    /* an action */
    session_say(b->s, "waves", CHAT_ACTION, NULL, F.now);
    pump();
    m = find_ev(a, EV_MESSAGE, "bob");
    CHECK(m && m->flags == CHAT_ACTION && str_is(m->text, "waves"));
    /* private: only the target, case-insensitive nick */
    session_say(a->s, "秘密", CHAT_PRIVATE, "CAROL", F.now);
    pump();
    CHECK_EQ_INT(count_ev(c, EV_MESSAGE, "alice", "秘密"), 1);
    m = last_ev(c, EV_MESSAGE);
    CHECK(m && (m->flags & CHAT_PRIVATE) && str_is(m->to, "carol"));
    CHECK_EQ_INT(count_ev(b, EV_MESSAGE, "alice", "秘密"), 0);
    CHECK_EQ_INT(count_ev(a, EV_MESSAGE, NULL, "秘密"), 0);
    /* unknown nick: an error notice to the sender only */
    session_say(a->s, "hello?", CHAT_PRIVATE, "zed", F.now);
    pump();
    CHECK_EQ_INT(count_ev(a, EV_ERROR, NULL, "no such nick: zed"), 1);
    CHECK_EQ_INT(count_ev(b, EV_MESSAGE, NULL, "hello?"), 0);
    CHECK_EQ_INT(count_ev(c, EV_MESSAGE, NULL, "hello?"), 0);
    /* a burst keeps order and arrives exactly once */
    char t[64];
    for (int i = 0; i < 300; i++) {
        snprintf(t, sizeof t, "burst %d", i);
        session_say(c->s, t, 0, NULL, F.now);
    }
    advance(2000, 10);
    int in_order = 1, k = 0;
    for (size_t i = 0; i < a->nev; i++) {
        if (a->ev[i].type != EV_MESSAGE || !str_is(a->ev[i].from, "carol")) continue;
        snprintf(t, sizeof t, "burst %d", k++);
        if (!str_is(a->ev[i].text, t)) in_order = 0;
    }
    CHECK(in_order);
    CHECK_EQ_INT(k, 300);
    CHECK_EQ_INT(count_ev(c, EV_DELIVERED, NULL, NULL), 300);
    close_all();
}

static void test_lossy_exactly_once(void)
{
    open_default();
    client *a = join("alice"), *b = join("bob"), *c = join("carol");
    advance(500, 10);
    F.drop_pct = 20;
    F.dup_pct = 10;
    char t[64];
    for (int i = 0; i < 200; i++) {
        snprintf(t, sizeof t, "a%d", i);
        session_say(a->s, t, 0, NULL, F.now);
        snprintf(t, sizeof t, "b%d", i);
        session_say(b->s, t, 0, NULL, F.now);
        if (i % 10 == 0) advance(20, 10);
    }
    advance(8000, 10);
    F.drop_pct = F.dup_pct = 0;
    advance(1000, 10);
    struct { client *rx; const char *from; char prefix; } want[] = {
        {b, "alice", 'a'}, {c, "alice", 'a'}, {a, "bob", 'b'}, {c, "bob", 'b'}};
    for (size_t w = 0; w < 4; w++) {
        int k = 0, ok = 1;
        for (size_t i = 0; i < want[w].rx->nev; i++) {
            const chat_event *e = &want[w].rx->ev[i];
            if (e->type != EV_MESSAGE || !str_is(e->from, want[w].from)) continue;
            snprintf(t, sizeof t, "%c%d", want[w].prefix, k++);
            if (!str_is(e->text, t)) ok = 0;
        }
        CHECK(ok);
        CHECK_EQ_INT(k, 200);
    }
    CHECK_EQ_INT(count_ev(a, EV_DELIVERED, NULL, NULL), 200);
    CHECK_EQ_INT(count_ev(b, EV_DELIVERED, NULL, NULL), 200);
    CHECK_EQ_INT(count_ev(a, EV_UNDELIVERED, NULL, NULL), 0);
    CHECK(F.dropped > 100 && F.duplicated > 50);
    close_all();
}

static void test_nick_change(void)
{
    open_default();
    client *a = join("alice"), *b = join("bob");
    session_set_nick(a->s, "爱丽丝", F.now);
    pump();
    const chat_event *e = find_ev(b, EV_NICK, "alice");
    CHECK(e && str_is(e->to, "爱丽丝"));
    e = find_ev(a, EV_NICK, "alice");
    CHECK(e && str_is(e->to, "爱丽丝"));
    CHECK_EQ_INT(relay_count(EV_NICK, "alice"), 1);
    session_say(a->s, "new name", 0, NULL, F.now);
    pump();
    CHECK_EQ_INT(count_ev(b, EV_MESSAGE, "爱丽丝", "new name"), 1);
    /* taken (case-insensitive) and invalid nicks are refused with an error */
    session_set_nick(b->s, "爱丽丝", F.now);
    pump();
    CHECK_EQ_INT(count_ev(b, EV_ERROR, NULL, "that nick is taken (or looks like one that is)"), 1);
    session_set_nick(b->s, "two words", F.now);
    pump();
    CHECK_EQ_INT(count_ev(b, EV_ERROR, NULL, NULL), 2);
    CHECK_EQ_INT(count_ev(a, EV_NICK, "bob", NULL), 0);
    /* a change of case of one's own nick is allowed */
    session_set_nick(b->s, "Bob", F.now);
    pump();
    e = find_ev(a, EV_NICK, "bob");
    CHECK(e && str_is(e->to, "Bob"));
    CHECK(str_is(roster_now(), "爱丽丝\nBob"));
    close_all();
}

static void test_kick(void)
{
    open_default();
    client *a = join("alice"), *b = join("bob");
    client *l = legacy_join("dave");
    CHECK_EQ_INT(relay_kick(F.r, "nobody", "x", F.now), -1);
    CHECK_EQ_INT(relay_count(EV_ERROR, NULL), 1);
    CHECK_EQ_INT(relay_kick(F.r, "BOB", "spamming", F.now), 0);
    pump();
    const chat_event *e = find_ev(b, EV_LEAVE, "bob");
    CHECK(e && e->reason == LEAVE_KICKED && str_is(e->text, "spamming"));
    CHECK(session_done(b->s));
    e = find_ev(a, EV_LEAVE, "bob");
    CHECK(e && e->reason == LEAVE_KICKED);
    advance(1000, 50);
    CHECK_EQ_INT(count_inbox_line(l, "*** bob left (kicked: spamming)"), 1);
    CHECK_EQ_INT(relay_count(EV_LEAVE, "bob"), 1);
    advance(3000, 50);
    CHECK_EQ_INT(relay_get_stats(F.r).members, 2);
    CHECK(str_is(roster_now(), "alice\ndave"));
    /* bob's messages are no longer relayed */
    size_t before = count_ev(a, EV_MESSAGE, NULL, NULL);
    session_say(b->s, "still here?", 0, NULL, F.now);
    advance(500, 50);
    CHECK_EQ_INT(count_ev(a, EV_MESSAGE, NULL, NULL), before);
    /* a plain-text member can be kicked too */
    CHECK_EQ_INT(relay_kick(F.r, "dave", NULL, F.now), 0);
    advance(100, 50);
    CHECK_EQ_INT(count_ev(a, EV_LEAVE, "dave", NULL), 1);
    CHECK_EQ_INT(relay_get_stats(F.r).members, 1);
    close_all();
}

static void test_timeout(void)
{
    relay_config cfg;
    relay_config_default(&cfg);
    cfg.timeout_ms = 6000;
    cfg.heartbeat_ms = 2000;
    cfg.legacy_timeout_ms = 20000;
    fabric_open(&cfg);
    client *a = join("alice"), *b = join("bob"), *c = join("carol");
    client *l = legacy_join("dave");
    c->paused = 1;
    advance(7000, 100); /* alice and bob keep their sessions alive with PINGs */
    const chat_event *e = find_ev(a, EV_LEAVE, "carol");
    CHECK(e && e->reason == LEAVE_TIMEOUT);
    CHECK_EQ_INT(count_ev(b, EV_LEAVE, "carol", NULL), 1);
    CHECK_EQ_INT(count_ev(a, EV_LEAVE, "bob", NULL), 0);
    advance(1000, 100); /* plain-text members get joins and leaves once a second */
    CHECK_EQ_INT(count_inbox_line(l, "*** carol left (timeout)"), 1);
    CHECK_EQ_INT(relay_get_stats(F.r).members, 3);
    /* the plain-text member times out after its own (longer) limit; '^hb^' keeps it */
    for (int i = 0; i < 3; i++) {
        advance(5000, 100);
        legacy_say(l, "^hb^");
    }
    CHECK_EQ_INT(count_ev(a, EV_LEAVE, "dave", NULL), 0);
    advance(21000, 100);
    e = find_ev(a, EV_LEAVE, "dave");
    CHECK(e && e->reason == LEAVE_TIMEOUT);
    CHECK_EQ_INT(relay_get_stats(F.r).members, 2);
    /* carol wakes up: the relay does not know her session any more and tells her so;
     * she says HELLO again and is back (with "rejoined") */
    c->paused = 0;
    advance(8000, 100);
    CHECK_EQ_INT(count_ev(c, EV_STATUS, "carol", "rejoined"), 1);
    CHECK_EQ_INT(count_ev(a, EV_JOIN, "carol", NULL), 2);
    CHECK_EQ_INT(relay_get_stats(F.r).members, 3);
    CHECK_EQ_INT(count_ev(c, EV_STATUS, NULL, "server is back"), 1);
    CHECK(last_ev(c, EV_ROSTER) && str_is(last_ev(c, EV_ROSTER)->text, "alice\nbob\ncarol"));
    session_say(c->s, "back", 0, NULL, F.now);
    session_say(a->s, "welcome back", 0, NULL, F.now);
    pump();
    CHECK_EQ_INT(count_ev(a, EV_MESSAGE, "carol", "back"), 1);
    CHECK_EQ_INT(count_ev(c, EV_MESSAGE, "alice", "welcome back"), 1);
    close_all();
}

/* A member that stops acknowledging (deaf: it sends but hears nothing) fills its queue;
 * the relay drops it from the room rather than grow or skip its messages silently. */
static void test_member_too_far_behind(void)
{
    relay_config cfg;
    relay_config_default(&cfg);
    cfg.link.max_queued = 16;
    cfg.rate = 0;
    fabric_open(&cfg);
    client *a = join("alice"), *b = join("bob"), *c = join("carol");
    c->deaf = 1;
    for (int i = 0; i < 40; i++) {
        char msg[32];
        snprintf(msg, sizeof msg, "msg %d", i);
        session_say(a->s, msg, 0, NULL, F.now);
        advance(20, 10);
    }
    advance(500, 10);
    relay_log_collect();
    const chat_event *e = find_ev(b, EV_LEAVE, "carol");
    CHECK(e && e->reason == LEAVE_TIMEOUT);
    CHECK_EQ_INT(relay_count(EV_LEAVE, "carol"), 1);
    CHECK_EQ_INT(count_ev(b, EV_MESSAGE, "alice", NULL), 40); /* the others lose nothing */
    close_all();
}

/* Plain-text clients that all send the same long first datagram: each gets a valid,
 * unique nick of at most 32 characters (a numeric suffix), none is refused. */
static void test_legacy_nick_clashes(void)
{
    open_default();
    const char *same = "a very long plain text nickname that goes on";
    for (int i = 0; i < MAX_CLIENTS; i++) legacy_join(same);
    char *roster = roster_now();
    CHECK(roster != NULL);
    size_t lines = 0;
    for (char *line = roster; line && *line; lines++) {
        char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        char nick[128];
        const char *why;
        snprintf(nick, sizeof nick, "%.*s", (int)n, line);
        CHECK(nick_valid(nick, &why));
        for (char *other = end ? end + 1 : NULL; other && *other;) { /* unique */
            char *oend = strchr(other, '\n');
            size_t on = oend ? (size_t)(oend - other) : strlen(other);
            CHECK(!(on == n && strncmp(other, line, n) == 0));
            other = oend ? oend + 1 : NULL;
        }
        line = end ? end + 1 : NULL;
    }
    CHECK_EQ_INT(lines, MAX_CLIENTS);
    CHECK_EQ_INT(relay_get_stats(F.r).refused, 0);
    close_all();
}

static void test_timeout_short_pause(void)
{
    /* the relay forgets a member (3 s) long before the member gives up on it (30 s): its
     * next datagram gets a RESET, it joins again and what it typed meanwhile arrives */
    relay_config cfg;
    relay_config_default(&cfg);
    cfg.timeout_ms = 3000;
    cfg.heartbeat_ms = 1000;
    fabric_open(&cfg);
    client *a = join("alice"), *c = join("carol");
    c->paused = 1;
    advance(4000, 100);
    const chat_event *e = find_ev(a, EV_LEAVE, "carol");
    CHECK(e && e->reason == LEAVE_TIMEOUT);
    c->paused = 0;
    uint32_t id = session_say(c->s, "typed while away", 0, NULL, F.now);
    advance(3000, 100);
    CHECK_EQ_INT(count_ev(c, EV_STATUS, "carol", "rejoined"), 1);
    CHECK_EQ_INT(count_ev(a, EV_MESSAGE, "carol", "typed while away"), 1);
    CHECK_EQ_INT(count_ev(c, EV_DELIVERED, NULL, NULL), 1);
    CHECK(find_ev(c, EV_DELIVERED, NULL) && find_ev(c, EV_DELIVERED, NULL)->id == id);
    session_say(a->s, "hi carol", 0, NULL, F.now);
    pump();
    CHECK_EQ_INT(count_ev(c, EV_MESSAGE, "alice", "hi carol"), 1);
    close_all();
}

static void test_timeout_client_first(void)
{
    /* the member gives up first (its timeout 3 s, the relay's 30 s): its HELLO reaches a
     * relay that still has it, and both keep their links */
    open_default();
    client *a = join("alice");
    client *c = new_client("carol");
    session_config sc;
    session_config_default(&sc);
    sc.role = SESSION_CLIENT;
    sc.nick = "carol";
    sc.timeout_ms = 3000;
    sc.heartbeat_ms = 1000;
    c->s = session_create(&sc, 0x1000u + (uint32_t)F.nc, session_emit, c, F.now);
    pump();
    session_say(a->s, "one", 0, NULL, F.now);
    pump();
    /* carol hears nothing for a while: the relay's answers to her are lost */
    c->deaf = 1;
    advance(4000, 100);
    c->deaf = 0;
    CHECK_EQ_INT(count_ev(c, EV_STATUS, NULL, "server not answering; retrying"), 1);
    advance(2000, 100);
    CHECK_EQ_INT(count_ev(c, EV_STATUS, NULL, "server is back"), 1);
    session_say(a->s, "two", 0, NULL, F.now);
    session_say(c->s, "three", 0, NULL, F.now);
    advance(1000, 100);
    CHECK_EQ_INT(count_ev(c, EV_MESSAGE, "alice", "two"), 1);
    CHECK_EQ_INT(count_ev(a, EV_MESSAGE, "carol", "three"), 1);
    CHECK_EQ_INT(count_ev(a, EV_LEAVE, "carol", NULL), 0);
    close_all();
}

static void test_client_short_timeout_idle(void)
{
    /* `udpchat join --timeout 3` against a relay with the default 5 s heartbeat: an idle
     * client must keep the relay talking (PING) often enough not to give up on it */
    open_default();
    client *a = join("alice");
    client *c = new_client("carol");
    session_config sc;
    session_config_default(&sc);
    sc.role = SESSION_CLIENT;
    sc.nick = "carol";
    sc.timeout_ms = 3000;
    c->s = session_create(&sc, 0x1000u + (uint32_t)F.nc, session_emit, c, F.now);
    pump();
    CHECK_EQ_INT(count_ev(c, EV_STATUS, "carol", "joined"), 1);
    advance(20000, 100);
    CHECK_EQ_INT(count_ev(c, EV_STATUS, NULL, "server not answering; retrying"), 0);
    CHECK_EQ_INT(count_ev(a, EV_LEAVE, "carol", NULL), 0);
    close_all();
}

static void test_spoofed_session(void)
{
    open_default();
    client *a = join("alice"), *b = join("bob");
    advance(500, 50);
    /* capture one of alice's datagrams (a DATA with a chat message) */
    F.capture = 1;
    session_say(a->s, "genuine", 0, NULL, F.now);
    pump();
    CHECK(F.captured.data != NULL);
    CHECK_EQ_INT(count_ev(b, EV_MESSAGE, "alice", "genuine"), 1);
    relay_stats before = relay_get_stats(F.r);
    uint64_t b_rx = b->rx;
    /* replay it from another port on the same host, and from another host */
    net_addr evil1 = {LOOPBACK, 31337}, evil2 = {0x0A000001u, 20000};
    for (int i = 0; i < 5; i++) {
        relay_on_datagram(F.r, &evil1, F.captured.data, F.captured.len, F.now);
        relay_on_datagram(F.r, &evil2, F.captured.data, F.captured.len, F.now);
    }
    /* and a forged new message with alice's session, addressed to the relay */
    buf pkt = {0}, m = {0};
    msg_build(&m, MSG_CHAT, 0, 0, NULL, NULL, "forged");
    wire_write_header(&pkt, WIRE_DATA, 0x1001u, RELAY_SESSION, 0x123456789ull); /* a guessed token */
    wire_data d = {2, 0, 0, 0, 1, (const uint8_t *)m.data, m.len};
    wire_write_data(&pkt, &d);
    wire_seal(pkt.data, pkt.len);
    relay_on_datagram(F.r, &evil1, pkt.data, pkt.len, F.now);
    buf_free(&pkt);
    buf_free(&m);
    relay_flush(F.r, F.now);
    relay_stats after = relay_get_stats(F.r);
    CHECK_EQ_INT(after.dropped_session - before.dropped_session, 11);
    CHECK_EQ_INT(after.forwarded, before.forwarded);
    /* nothing reached bob (only RESETs went back to the spoofers) */
    size_t to_b = 0;
    for (size_t i = 0; i < F.len; i++) {
        const dgram *q = &F.q[F.head + i];
        if (q->to.port == b->addr.port && q->to.host == b->addr.host) to_b++;
    }
    CHECK_EQ_INT(to_b, 0);
    pump();
    CHECK_EQ_INT(b->rx, b_rx);
    CHECK_EQ_INT(count_ev(b, EV_MESSAGE, NULL, "forged"), 0);
    CHECK_EQ_INT(count_ev(b, EV_MESSAGE, "alice", "genuine"), 1);
    /* the chat goes on */
    session_say(a->s, "after", 0, NULL, F.now);
    pump();
    CHECK_EQ_INT(count_ev(b, EV_MESSAGE, "alice", "after"), 1);
    CHECK_EQ_INT(relay_get_stats(F.r).members, 2);
    /* a wrong version and garbage are counted, not fatal */
    uint8_t v3[WIRE_HEADER_LEN] = {0xFF, 'U', 'C', 'H', 3, WIRE_PING};
    relay_on_datagram(F.r, &evil1, v3, sizeof v3, F.now);
    relay_on_datagram(F.r, &evil1, "\xFFUCH", 4, F.now);
    CHECK_EQ_INT(relay_get_stats(F.r).dropped_version, 1);
    CHECK(relay_get_stats(F.r).dropped_malformed >= 1);
    pump();
    close_all();
}

static void test_rate_limit(void)
{
    relay_config cfg;
    relay_config_default(&cfg);
    cfg.rate = 50;
    cfg.burst = 20;
    fabric_open(&cfg);
    client *a = join("alice"), *b = join("bob");
    client *f = legacy_join("flooder");
    char t[64];
    for (int i = 0; i < 5000; i++) {
        snprintf(t, sizeof t, "flood %d", i);
        send_dgram(&f->addr, &server_addr, t, strlen(t));
        if (i % 100 == 0) {
            pump();
            session_say(a->s, "alice in the flood", 0, NULL, F.now);
        }
        if (i % 500 == 0) advance(10, 10);
    }
    pump();
    advance(2000, 10);
    relay_stats st = relay_get_stats(F.r);
    size_t flood_seen = count_ev(b, EV_MESSAGE, "flooder", NULL);
    unsigned long logged = 0, n;
    relay_log_collect();
    for (size_t i = 0; i < relay_nlog; i++)
        if (relay_log[i].type == EV_NOTICE && str_is(relay_log[i].from, "flooder") &&
            sscanf(relay_log[i].text, "dropped %lu datagrams", &n) == 1)
            logged += n;
    fprintf(stderr, "  rate limit: %llu dropped in all, %lu from the flooder (logged), "
            "%zu flood messages relayed to bob\n", (unsigned long long)st.dropped_rate, logged,
            flood_seen);
    CHECK(logged > 4000);
    CHECK_EQ_INT(logged + flood_seen, 5000);
    CHECK(st.dropped_rate >= logged);
    CHECK_EQ_INT(count_ev(b, EV_MESSAGE, "alice", "alice in the flood"), 50);
    CHECK_EQ_INT(count_ev(a, EV_UNDELIVERED, NULL, NULL), 0);
    /* a protocol member flooding (one of its own datagrams, replayed) is limited too, and
     * the others still get through */
    F.capture = 1;
    session_say(a->s, "once", 0, NULL, F.now);
    pump();
    CHECK(F.captured.data != NULL);
    uint64_t r0 = relay_get_stats(F.r).dropped_rate;
    for (int i = 0; i < 1000; i++)
        relay_on_datagram(F.r, &a->addr, F.captured.data, F.captured.len, F.now);
    CHECK(relay_get_stats(F.r).dropped_rate - r0 > 900);
    session_say(b->s, "bob still talks", 0, NULL, F.now);
    advance(3000, 10);
    CHECK_EQ_INT(count_ev(a, EV_MESSAGE, "bob", "bob still talks"), 1);
    CHECK_EQ_INT(count_ev(b, EV_DELIVERED, NULL, NULL), 1);
    CHECK_EQ_INT(relay_get_stats(F.r).members, 3);
    close_all();
}

static void test_legacy_clients(void)
{
    open_default();
    client *a = join("alice");
    client *u = legacy_join("小明\n");                   /* UTF-8 seed client */
    client *g = legacy_join("\xd0\xa1\xba\xec");         /* GBK: 小红 */
    CHECK_EQ_INT(count_ev(a, EV_JOIN, "小明", NULL), 1);
    CHECK_EQ_INT(count_ev(a, EV_JOIN, "小红", NULL), 1);
    CHECK_EQ_INT(relay_get_stats(F.r).legacy_members, 2);
    advance(1000, 100); /* plain-text members get joins and leaves once a second */
    /* a plain-text arrival is told to protocol members only (it could be forged: it must
     * not make the other plain-text addresses a fan-out); a protocol one to everyone */
    CHECK_EQ_INT(count_inbox_line(u, "*** 小红 joined"), 0);
    client *late = join("zed");
    advance(1000, 100);
    CHECK_EQ_INT(count_inbox_line(u, "*** zed joined"), 1);
    CHECK_EQ_INT(count_inbox_line(g, "*** zed joined"), 1);
    session_quit(late->s, "bye", F.now);
    advance(1000, 100);
    CHECK_EQ_INT(count_inbox_line(u, "*** zed left (quit: bye)"), 1);
    /* a protocol message in Chinese: UTF-8 to one, GBK to the other */
    session_say(a->s, "你好", 0, NULL, F.now);
    pump();
    CHECK_EQ_INT(count_inbox(u, "alice : 你好"), 1);
    CHECK_EQ_INT(count_inbox(g, "alice : \xc4\xe3\xba\xc3"), 1);
    CHECK(!inbox_has_magic(u) && !inbox_has_magic(g));
    /* GBK text from the GBK client reaches everyone as the right characters */
    legacy_say(g, "\xca\xc0\xbd\xe7\r\n"); /* 世界 */
    CHECK_EQ_INT(count_ev(a, EV_MESSAGE, "小红", "世界"), 1);
    CHECK_EQ_INT(count_inbox(u, "小红 : 世界"), 1);
    CHECK_EQ_INT(count_inbox(g, "\xd0\xa1\xba\xec : \xca\xc0\xbd\xe7"), 0); /* not echoed */
    legacy_say(u, "早上好");
    CHECK_EQ_INT(count_inbox(g, "\xd0\xa1\xc3\xf7 : \xd4\xe7\xc9\xcf\xba\xc3"), 1);
    CHECK_EQ_INT(count_ev(a, EV_MESSAGE, "小明", "早上好"), 1);
    /* heartbeats are not relayed */
    size_t na = count_ev(a, EV_MESSAGE, NULL, NULL), nu = u->ninbox;
    legacy_say(g, "^hb^");
    legacy_say(g, "^hb^\n");
    CHECK_EQ_INT(count_ev(a, EV_MESSAGE, NULL, NULL), na);
    CHECK_EQ_INT(u->ninbox, nu);
    /* a private message to a plain-text member arrives as text, in its charset */
    session_say(a->s, "悄悄话", CHAT_PRIVATE, "小红", F.now);
    pump();
    CHECK_EQ_INT(count_inbox(g, "[private] alice : \xc7\xc4\xc7\xc4\xbb\xb0"), 1);
    CHECK_EQ_INT(count_inbox(u, "[private] alice : 悄悄话"), 0);
    /* the same nick again gets a suffix */
    client *u2 = legacy_join("小明");
    CHECK_EQ_INT(count_ev(a, EV_JOIN, "小明-2", NULL), 1);
    /* 'quit' leaves */
    legacy_say(u2, "quit");
    CHECK_EQ_INT(count_ev(a, EV_LEAVE, "小明-2", NULL), 1);
    advance(1000, 100);
    CHECK_EQ_INT(count_inbox_line(u, "*** 小明-2 left (quit)"), 0);
    advance(1100, 100);
    CHECK_EQ_INT(relay_get_stats(F.r).legacy_members, 2);
    /* an ASCII-only plain-text client gets the configured default charset (UTF-8 here) */
    client *x = legacy_join("xiao");
    session_say(a->s, "中文", 0, NULL, F.now);
    pump();
    CHECK_EQ_INT(count_inbox(x, "alice : 中文"), 1);
    close_all();
}

static void test_legacy_default_gbk(void)
{
    relay_config cfg;
    relay_config_default(&cfg);
    cfg.legacy_charset = CHARSET_GBK;
    fabric_open(&cfg);
    client *a = join("alice");
    client *x = legacy_join("ascii");
    session_say(a->s, "中文", 0, NULL, F.now);
    pump();
    CHECK_EQ_INT(count_inbox(x, "alice : \xd6\xd0\xce\xc4"), 1);
    close_all();
}

static void test_shutdown(void)
{
    open_default();
    client *a = join("alice"), *b = join("bob");
    client *u = legacy_join("小明");
    client *g = legacy_join("\xd0\xa1\xba\xec");
    relay_notice(F.r, "服务器维护", F.now);
    pump();
    CHECK_EQ_INT(count_ev(a, EV_NOTICE, NULL, "服务器维护"), 1);
    CHECK_EQ_INT(count_inbox(u, "*** notice: 服务器维护"), 1);
    CHECK_EQ_INT(relay_done(F.r), 0);
    relay_shutdown(F.r, "going down", F.now);
    pump();
    CHECK_EQ_INT(count_ev(a, EV_SHUTDOWN, NULL, "going down"), 1);
    CHECK_EQ_INT(count_ev(b, EV_SHUTDOWN, NULL, "going down"), 1);
    CHECK_EQ_INT(count_inbox(u, "bye bye"), 1);
    CHECK_EQ_INT(count_inbox(g, "bye bye"), 1);
    /* nobody joins a room that is closing */
    client *late = join("late");
    CHECK_EQ_INT(count_ev(late, EV_REFUSED, NULL, "the server is shutting down"), 1);
    legacy_say(u, "still there?");
    CHECK_EQ_INT(count_ev(a, EV_MESSAGE, NULL, "still there?"), 0);
    for (int i = 0; i < 40 && !relay_done(F.r); i++) advance(50, 50);
    CHECK_EQ_INT(relay_done(F.r), 1);
    CHECK_EQ_INT(relay_get_stats(F.r).members, 0);
    /* the members told about the shutdown are not asked to rejoin (and then refused) by
     * the relay still running out its last moments */
    advance(12000, 100);
    CHECK_EQ_INT(count_ev(a, EV_REFUSED, NULL, NULL), 0);
    CHECK_EQ_INT(count_ev(b, EV_REFUSED, NULL, NULL), 0);
    CHECK_EQ_INT(relay_count(EV_REFUSED, "alice"), 0);
    close_all();
}

static void test_shutdown_unacked(void)
{
    /* a member that never acknowledges the shutdown does not keep the relay up */
    open_default();
    client *a = join("alice");
    a->paused = 1;
    relay_shutdown(F.r, NULL, F.now);
    for (int i = 0; i < 100 && !relay_done(F.r); i++) advance(50, 50);
    CHECK_EQ_INT(relay_done(F.r), 1);
    close_all();
}

/* "Relayed" is not "delivered": the sender hears how many members acknowledged its line. */
static void test_receipts(void)
{
    open_default();
    client *a = join("alice");
    advance(200, 50);
    uint32_t alone = session_say(a->s, "anyone?", 0, NULL, F.now);
    advance(500, 50);
    const chat_event *e = last_ev(a, EV_RECEIPT);
    CHECK(e && e->id == alone && e->acked == 0 && e->total == 0); /* nobody got it */
    CHECK_EQ_INT(count_ev(a, EV_DELIVERED, NULL, NULL), 0);
    CHECK_EQ_INT(count_ev(a, EV_RELAYED, NULL, NULL), 1);
    client *b = join("bob"), *c = join("carol");
    legacy_join("dave"); /* plain text: not counted, nothing acknowledges there */
    advance(500, 50);
    uint32_t all = session_say(a->s, "hello all", 0, NULL, F.now);
    advance(500, 50);
    e = last_ev(a, EV_DELIVERED);
    CHECK(e && e->id == all && e->acked == 2 && e->total == 2);
    uint32_t priv = session_say(a->s, "psst", CHAT_PRIVATE, "bob", F.now);
    advance(500, 50);
    e = last_ev(a, EV_DELIVERED);
    CHECK(e && e->id == priv && e->acked == 1 && e->total == 1);
    c->paused = 1; /* a stopped process: carol never acknowledges */
    uint32_t some = session_say(a->s, "carol is away", 0, NULL, F.now);
    advance(12000, 50); /* past the relay's deliver timeout for carol's copy */
    e = last_ev(a, EV_RECEIPT);
    CHECK(e && e->id == some && e->acked == 1 && e->total == 2);
    CHECK_EQ_INT(count_ev(b, EV_MESSAGE, "alice", "carol is away"), 1);
    close_all();
}

int main(void)
{
    RUN(test_join_roster);
    RUN(test_refusals);
    RUN(test_room_and_private);
    RUN(test_lossy_exactly_once);
    RUN(test_nick_change);
    RUN(test_kick);
    RUN(test_timeout);
    RUN(test_timeout_short_pause);
    RUN(test_timeout_client_first);
    RUN(test_client_short_timeout_idle);
    RUN(test_spoofed_session);
    RUN(test_receipts);
    RUN(test_rate_limit);
    RUN(test_legacy_clients);
    RUN(test_legacy_default_gbk);
    RUN(test_shutdown);
    RUN(test_shutdown_unacked);
    RUN(test_member_too_far_behind);
    RUN(test_legacy_nick_clashes);
    return th_finish();
}
