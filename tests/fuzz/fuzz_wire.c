/* fuzz_wire.c -- libFuzzer: hostile datagrams into the parsers, a session and a relay */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "udpchat/msg.h"
#include "udpchat/relay.h"
#include "udpchat/session.h"
#include "udpchat/wire.h"

/* A client session and a relay that completed a real handshake first (cookies, tokens),
 * so the fuzzer's datagrams reach the code behind the token checks: a datagram whose
 * flags byte (ignored by receivers) has bit 0 set gets the genuine session, dest_session
 * and token of the last datagram that went that way, and a fresh checksum. */

static const net_addr client_addr = {0x7F000001u, 40000}, relay_addr = {0x7F000001u, 10888};

typedef struct wire_pair {
    session *s;
    relay *r;
    uint8_t to_relay[WIRE_HEADER_LEN], to_client[WIRE_HEADER_LEN]; /* last genuine headers */
    uint8_t queue[64][WIRE_MAX_DATAGRAM];
    size_t qlen[64], qto_relay[64], nq;
} wire_pair;

static wire_pair P;

static void enqueue(int to_relay, const void *d, size_t n)
{
    if (n >= WIRE_HEADER_LEN && wire_is_ours(d, n))
        memcpy(to_relay ? P.to_relay : P.to_client, d, WIRE_HEADER_LEN);
    if (P.nq == 64 || n > WIRE_MAX_DATAGRAM) return;
    memcpy(P.queue[P.nq], d, n);
    P.qlen[P.nq] = n;
    P.qto_relay[P.nq++] = (size_t)to_relay;
}

static void client_emit(void *ctx, const net_addr *to, const void *d, size_t n) { (void)ctx, (void)to, enqueue(1, d, n); }
static void relay_emit(void *ctx, const net_addr *a, const void *d, size_t n)
{
    (void)ctx;
    if (a->host == client_addr.host && a->port == client_addr.port) enqueue(0, d, n);
}

static void pump(uint64_t now)
{
    for (int round = 0; round < 8 && P.nq; round++) {
        size_t n = P.nq;
        static uint8_t copy[64][WIRE_MAX_DATAGRAM];
        size_t len[64], to[64];
        memcpy(copy, P.queue, sizeof copy);
        memcpy(len, P.qlen, sizeof len);
        memcpy(to, P.qto_relay, sizeof to);
        P.nq = 0;
        for (size_t i = 0; i < n; i++) {
            if (to[i]) relay_on_datagram(P.r, &client_addr, copy[i], len[i], now);
            else session_on_datagram(P.s, copy[i], len[i], now);
        }
        relay_flush(P.r, now);
        session_flush(P.s);
    }
}

static void parsers(const uint8_t *data, size_t size)
{
    wire_header h;
    wire_reader r;
    if (wire_parse_header(data, size, &h, &r) == WIRE_OK) {
        wire_data d;
        wire_ack a;
        wire_hello he;
        wire_challenge c;
        wire_reader r2 = r, r3 = r, r4 = r;
        if (wire_parse_data(&r, &d) == 0 && d.len > WIRE_MAX_FRAGMENT) __builtin_trap();
        if (wire_parse_ack(&r2, &a) == 0 && a.skipped > a.next) __builtin_trap();
        if (wire_parse_hello(&r3, &he) == 0 && he.reply_token == 0) __builtin_trap();
        (void)wire_parse_challenge(&r4, &c);
    }
    chat_msg m;
    (void)msg_parse(data, size, &m);
}

/* Gives a datagram the genuine header fields of its direction when it asks for them. */
static void dress(uint8_t *d, size_t n, int to_relay)
{
    if (n < WIRE_HEADER_LEN || !wire_is_ours(d, n) || !(d[6] & 1)) return;
    memcpy(d + 8, (to_relay ? P.to_relay : P.to_client) + 8, 16);
    d[4] = WIRE_VERSION;
    wire_seal(d, n);
}

/* The input is split into datagrams at every "\xFFUCH" boundary; each goes to the relay
 * (from the client's address) or to the client, by the parity of its length. */
static void feed(const uint8_t *data, size_t size)
{
    static uint8_t d[70000];
    size_t start = 0;
    uint64_t now = 2000;
    for (size_t i = 1; i <= size; i++) {
        if (i < size && !(i + 4 <= size && memcmp(data + i, WIRE_MAGIC, 4) == 0)) continue;
        size_t n = i - start < sizeof d ? i - start : sizeof d;
        memcpy(d, data + start, n);
        int to_relay = n % 2;
        dress(d, n, to_relay);
        if (to_relay) relay_on_datagram(P.r, &client_addr, d, n, now);
        else session_on_datagram(P.s, d, n, now);
        relay_service(P.r, now);
        session_service(P.s, now);
        pump(now);
        now += 37;
        start = i;
    }
}

static void open_pair(int peer_too)
{
    memset(&P, 0, sizeof P);
    relay_config rc;
    relay_config_default(&rc);
    rc.max_clients = 4;
    P.r = relay_create(&rc, 0x0A0B0C0D, relay_emit, NULL);
    session_config sc;
    session_config_default(&sc);
    sc.role = SESSION_CLIENT;
    sc.nick = "fuzz";
    sc.remote = relay_addr;
    sc.legacy_grace_ms = peer_too ? 100 : 3000;
    P.s = session_create(&sc, 0x01020304, client_emit, NULL, 1000);
    for (uint64_t t = 1000; t < 1100; t += 10) pump(t); /* the handshake: joined */
}

static void close_pair(void)
{
    chat_event ev;
    while (session_poll_event(P.s, &ev)) chat_event_free(&ev);
    while (relay_poll_event(P.r, &ev)) chat_event_free(&ev);
    session_destroy(P.s);
    relay_destroy(P.r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parsers(data, size);
    open_pair(size % 3 == 0);
    feed(data, size);
    close_pair();
    return 0;
}
