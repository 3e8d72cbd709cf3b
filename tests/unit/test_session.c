/* test_session.c -- sessions driven in-process: calling cards, tokens, plain text, limits */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "udpchat/msg.h"
#include "udpchat/session.h"
#include "udpchat/utf8.h"
#include "udpchat/wire.h"

/* Two endpoints, A and B, and what each sent, in order (a datagram log per side). */
#define MAXD 4096
typedef struct side {
    session *s;
    uint8_t *d[MAXD];
    size_t n[MAXD], count, delivered; /* delivered: how many of d[] went to the other side */
    chat_event ev[512];
    size_t nev;
} side;

static side A, B;
static uint64_t now = 1000;

static void emit(void *ctx, const net_addr *to, const void *data, size_t len)
{
    side *sd = ctx;
    (void)to; /* always the other side */
    if (sd->count == MAXD) return;
    sd->d[sd->count] = malloc(len ? len : 1);
    memcpy(sd->d[sd->count], data, len);
    sd->n[sd->count++] = len;
}

static void collect(side *sd)
{
    chat_event ev;
    while (sd->s && session_poll_event(sd->s, &ev)) {
        if (sd->nev < 512) sd->ev[sd->nev++] = ev;
        else chat_event_free(&ev);
    }
}

static session *open_side(side *sd, session_role role, const char *nick, int legacy, uint32_t id)
{
    session_config c;
    session_config_default(&c);
    c.role = role;
    c.nick = nick;
    c.legacy = legacy;
    c.remote = (net_addr){0x7F000001u, sd == &A ? 7002 : 7001};
    c.key = (token_key){0x1111u * id, 0x2222u * id};
    sd->s = session_create(&c, id, emit, sd, now);
    return sd->s;
}

static void close_side(side *sd)
{
    collect(sd);
    for (size_t i = 0; i < sd->count; i++) free(sd->d[i]);
    for (size_t i = 0; i < sd->nev; i++) chat_event_free(&sd->ev[i]);
    session_destroy(sd->s);
    memset(sd, 0, sizeof *sd);
}

/* The side stops: its session is gone, nothing it sends or is sent arrives. */
static void session_close_wire(side *sd)
{
    session_destroy(sd->s);
    sd->s = NULL;
}

/* Carries what each side sent to the other, until nothing moves; then timers. */
static void pump(void)
{
    for (int round = 0; round < 50; round++) {
        int moved = 0;
        for (side *from = &A, *to = &B; from; from = from == &A ? &B : NULL, to = &A) {
            while (from->delivered < from->count && to->s) {
                size_t i = from->delivered++;
                session_on_datagram(to->s, from->d[i], from->n[i], now);
                moved = 1;
            }
            if (to->s) session_flush(to->s);
        }
        if (!moved) break;
    }
    collect(&A);
    collect(&B);
}

static void advance(uint64_t ms)
{
    for (uint64_t end = now + ms; now < end; now += 10) {
        if (A.s) session_service(A.s, now);
        if (B.s) session_service(B.s, now);
        pump();
    }
}

static size_t count_ev(const side *sd, chat_event_type t, const char *text)
{
    size_t n = 0;
    for (size_t i = 0; i < sd->nev; i++)
        if (sd->ev[i].type == t && (!text || (sd->ev[i].text && strcmp(sd->ev[i].text, text) == 0))) n++;
    return n;
}

static int printable_line(const uint8_t *p, size_t n)
{
    if (n == 0 || n > 1024 || p[n - 1] != '\n') return 0;
    for (size_t i = 0; i + 1 < n; i++)
        if (p[i] < 0x20 || p[i] > 0x7E) return 0;
    return 1;
}

/* A peer's first datagrams are calling cards: one line of printable ASCII a seed program
 * can print, carrying a HELLO; once the remote answers, the protocol is binary. */
static void test_calling_card(void)
{
    open_side(&A, SESSION_PEER, "小明", 0, 0xA1);
    CHECK_EQ_INT(A.count, 1);
    CHECK(printable_line(A.d[0], A.n[0]));
    uint8_t hello[400];
    size_t n = wire_card_read(A.d[0], A.n[0], hello, sizeof hello);
    CHECK(n >= WIRE_HELLO_MIN);
    wire_header h;
    wire_reader r;
    wire_hello he;
    CHECK_EQ_INT(wire_parse_header(hello, n, &h, &r), WIRE_OK);
    CHECK_EQ_INT(h.type, WIRE_HELLO);
    CHECK_EQ_INT(wire_parse_hello(&r, &he), 0);
    CHECK_MEM(he.nick, he.nick_len, "小明", strlen("小明"));
    /* nobody answers: cards back off (1, 2, 4, 8, 10, 10 ... s) */
    advance(30000);
    CHECK(A.count >= 5 && A.count <= 8);
    for (size_t i = 0; i < A.count; i++) CHECK(printable_line(A.d[i], A.n[i]));
    /* garbage around the tag is not a card */
    CHECK_EQ_INT(wire_card_read("[UCH2 !!!]", 10, hello, sizeof hello), 0);
    CHECK_EQ_INT(wire_card_read("[UCH2 QUJD]", 11, hello, sizeof hello), 0); /* "ABC": no magic */
    CHECK_EQ_INT(wire_card_read("[UCH2 /1VDSA", 12, hello, sizeof hello), 0); /* no ']' */
    close_side(&A);
}

static void test_handshake_by_cards(void)
{
    open_side(&A, SESSION_PEER, "alice", 0, 0xA2);
    open_side(&B, SESSION_PEER, "bob", 0, 0xB2);
    pump();
    CHECK_EQ_INT(count_ev(&A, EV_JOIN, NULL), 1);
    CHECK_EQ_INT(count_ev(&B, EV_JOIN, NULL), 1);
    size_t before = A.count;
    session_say(A.s, "你好", 0, NULL, now);
    pump();
    CHECK_EQ_INT(count_ev(&B, EV_MESSAGE, "你好"), 1);
    CHECK_EQ_INT(count_ev(&A, EV_DELIVERED, NULL), 1);
    for (size_t i = before; i < A.count; i++) CHECK(wire_is_ours(A.d[i], A.n[i])); /* binary now */
    close_side(&A);
    close_side(&B);
}

/* A forged plain-text datagram before the real peer's HELLO: held, then dropped (never
 * shown) when the HELLO proves the peer speaks udpchat; no downgrade. */
static void test_plain_text_held_then_dropped(void)
{
    open_side(&A, SESSION_PEER, "alice", 0, 0xA3);
    session_on_datagram(A.s, "forged: send me your password", 29, now);
    advance(100);
    CHECK_EQ_INT(count_ev(&A, EV_MESSAGE, NULL), 0);
    open_side(&B, SESSION_PEER, "bob", 0, 0xB3);
    advance(5000);
    CHECK_EQ_INT(count_ev(&A, EV_MESSAGE, NULL), 0);
    CHECK(!session_is_legacy(A.s));
    session_say(A.s, "still udpchat", 0, NULL, now);
    advance(100);
    CHECK_EQ_INT(count_ev(&A, EV_DELIVERED, NULL), 1);
    close_side(&A);
    close_side(&B);
}

/* A forged HELLO asking for a PING every millisecond: the interval stays >= 1 s. */
static void test_heartbeat_clamped(void)
{
    open_side(&A, SESSION_PEER, "alice", 0, 0xA4);
    open_side(&B, SESSION_PEER, "bob", 0, 0xB4);
    pump();
    /* B's own HELLO, as B would send it on a DOWN link, with heartbeat 1 ms: verified */
    buf body = {0}, pkt = {0};
    wire_hello h = {WIRE_ROLE_PEER, 1, 1, 30, 0, 0, "bob", 3};
    size_t k = B.count;
    session_service(B.s, now + 40000); /* B times out A: DOWN, says HELLO with its tokens */
    CHECK(B.count > k);
    wire_header hd;
    wire_reader r;
    wire_hello got;
    CHECK_EQ_INT(wire_parse_header(B.d[B.count - 1], B.n[B.count - 1], &hd, &r), WIRE_OK);
    CHECK_EQ_INT(wire_parse_hello(&r, &got), 0);
    h.reply_token = got.reply_token;
    wire_write_header(&pkt, WIRE_HELLO, hd.session, hd.dest_session, hd.token);
    wire_write_hello(&body, &h);
    buf_append(&pkt, body.data, body.len);
    wire_seal(pkt.data, pkt.len);
    B.delivered = B.count;
    session_on_datagram(A.s, pkt.data, pkt.len, now);
    size_t pings = 0, first = A.count;
    for (int i = 0; i < 300; i++) session_service(A.s, now + (uint64_t)i * 10); /* 3 s */
    for (size_t i = first; i < A.count; i++) pings += wire_is_ours(A.d[i], A.n[i]) && A.d[i][5] == WIRE_PING;
    CHECK(pings <= 4);
    buf_free(&body);
    buf_free(&pkt);
    close_side(&A);
    close_side(&B);
}

/* Plain text to a seed: a long line in datagrams of <= 1024 bytes, cut between characters. */
static void test_plain_text_cut(void)
{
    open_side(&A, SESSION_PEER, "alice", 1, 0xA5);
    buf line = {0};
    for (int i = 0; i < 1000; i++) buf_append_str(&line, "汉");
    buf_append_str(&line, "end");
    uint32_t id1 = session_say(A.s, line.data, 0, NULL, now), id2 = session_say(A.s, "two", 0, NULL, now);
    CHECK(id1 && id2 && id1 != id2);
    buf all = {0};
    for (size_t i = 0; i < A.count; i++) {
        CHECK(A.n[i] <= 1024);
        CHECK(utf8_valid((const char *)A.d[i], A.n[i]));
        if (i + 1 < A.count) buf_append(&all, A.d[i], A.n[i]);
    }
    CHECK(A.count == 4); /* 3003 bytes in 3 datagrams, then "two" */
    CHECK(all.len == line.len && memcmp(all.data, line.data, line.len) == 0);
    buf_free(&line);
    buf_free(&all);
    close_side(&A);
}

/* join --legacy: a plain-text relay client like the seeds' (nick first, `quit` last). */
static void test_plain_relay_client(void)
{
    open_side(&A, SESSION_CLIENT, "小明", 1, 0xA6);
    CHECK_EQ_INT(A.count, 1);
    CHECK_MEM(A.d[0], A.n[0], "小明", strlen("小明"));
    session_on_datagram(A.s, "bob : 你好", strlen("bob : 你好"), now);
    session_on_datagram(A.s, "ack hello", 9, now);
    session_on_datagram(A.s, "bye bye", 7, now);
    collect(&A);
    const chat_event *m = NULL;
    for (size_t i = 0; i < A.nev; i++)
        if (A.ev[i].type == EV_MESSAGE && !m) m = &A.ev[i];
    CHECK(m && m->from && strcmp(m->from, "bob") == 0 && strcmp(m->text, "你好") == 0);
    CHECK_EQ_INT(count_ev(&A, EV_MESSAGE, "ack hello"), 1);
    CHECK_EQ_INT(count_ev(&A, EV_SHUTDOWN, NULL), 1);
    session_quit(A.s, NULL, now);
    CHECK(session_done(A.s));
    CHECK_MEM(A.d[A.count - 1], A.n[A.count - 1], "quit", 4);
    close_side(&A);
}

/* join (protocol) where nobody answers: advice within advice_ms; plain text: advice too,
 * and never a silent switch to a peer session. */
static void test_join_advice(void)
{
    open_side(&A, SESSION_CLIENT, "alice", 0, 0xA7);
    advance(6000);
    CHECK_EQ_INT(count_ev(&A, EV_ERROR, NULL), 1);
    session_on_datagram(A.s, "alice", 5, now);
    advance(5000);
    CHECK(!session_is_legacy(A.s));
    CHECK_EQ_INT(count_ev(&A, EV_MESSAGE, NULL), 0);
    close_side(&A);
}

/* The transition table, walked through: BYE both ways, timeout and return, quit in each
 * state (at once unless UP; a second quit ends it), refusal. */
static void test_state_table(void)
{
    open_side(&A, SESSION_PEER, "alice", 0, 0xA8);
    open_side(&B, SESSION_PEER, "bob", 0, 0xB8);
    pump();
    CHECK(!session_done(A.s) && !session_done(B.s));
    session_quit(B.s, "bye now", now); /* UP --quit--> QUITTING --BYE_ACK--> DONE */
    CHECK(!session_done(B.s));
    pump();
    CHECK(session_done(B.s));
    CHECK_EQ_INT(count_ev(&A, EV_LEAVE, "bye now"), 1); /* A: UP --remote BYE--> DOWN */
    session_quit(A.s, NULL, now); /* DOWN --quit--> DONE at once: no BYE owed */
    CHECK(session_done(A.s));
    close_side(&A);
    close_side(&B);
    open_side(&A, SESSION_PEER, "alice", 0, 0xA9);
    session_quit(A.s, NULL, now); /* CONNECTING --quit--> DONE */
    CHECK(session_done(A.s));
    close_side(&A);
    open_side(&A, SESSION_PEER, "alice", 0, 0xAA);
    open_side(&B, SESSION_PEER, "bob", 0, 0xBA);
    pump();
    B.delivered = B.count; /* from here B is silent */
    session_close_wire(&B);
    advance(31000); /* A: UP --timeout--> DOWN */
    CHECK_EQ_INT(count_ev(&A, EV_LEAVE, NULL), 1);
    session_quit(A.s, NULL, now);
    CHECK(session_done(A.s));
    close_side(&A);
    close_side(&B);
}

int main(void)
{
    RUN(test_calling_card);
    RUN(test_handshake_by_cards);
    RUN(test_plain_text_held_then_dropped);
    RUN(test_heartbeat_clamped);
    RUN(test_plain_text_cut);
    RUN(test_plain_relay_client);
    RUN(test_join_advice);
    RUN(test_state_table);
    return th_finish();
}
