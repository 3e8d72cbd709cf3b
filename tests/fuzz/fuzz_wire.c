/* fuzz_wire.c -- libFuzzer: hostile datagrams into the parsers, a session and a relay */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "udpchat/msg.h"
#include "udpchat/relay.h"
#include "udpchat/session.h"
#include "udpchat/wire.h"

static void no_emit(void *ctx, const void *d, size_t n) { (void)ctx, (void)d, (void)n; }
static void no_emit_to(void *ctx, const net_addr *a, const void *d, size_t n) { (void)ctx, (void)a, (void)d, (void)n; }

static void parsers(const uint8_t *data, size_t size)
{
    wire_header h;
    wire_reader r;
    if (wire_parse_header(data, size, &h, &r) == 0) {
        wire_data d;
        wire_ack a;
        wire_hello he;
        wire_reader r2 = r, r3 = r;
        if (wire_parse_data(&r, &d) == 0 && d.len > WIRE_MAX_FRAGMENT) __builtin_trap();
        (void)wire_parse_ack(&r2, &a);
        (void)wire_parse_hello(&r3, &he);
    }
    chat_msg m;
    (void)msg_parse(data, size, &m);
}

/* The input is split into datagrams at every "\xFFUCH" boundary and fed in order. */
static void feed(const uint8_t *data, size_t size, void (*fn)(void *, const uint8_t *, size_t, uint64_t), void *o)
{
    size_t start = 0;
    uint64_t now = 1000;
    for (size_t i = 1; i <= size; i++) {
        if (i == size || (i + 4 <= size && memcmp(data + i, WIRE_MAGIC, 4) == 0)) {
            fn(o, data + start, i - start, now);
            now += 37;
            start = i;
        }
    }
}

static void to_session(void *o, const uint8_t *d, size_t n, uint64_t now)
{
    session_on_datagram(o, d, n, now);
    session_service(o, now);
    session_flush(o);
}

static void to_relay(void *o, const uint8_t *d, size_t n, uint64_t now)
{
    net_addr from = {0x7F000001, (uint16_t)(1000 + n % 3)};
    relay_on_datagram(o, &from, d, n, now);
    relay_service(o, now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parsers(data, size);
    session_config sc;
    session_config_default(&sc);
    sc.role = size % 2 ? SESSION_CLIENT : SESSION_PEER;
    session *s = session_create(&sc, 0x01020304, no_emit, NULL, 0);
    feed(data, size, to_session, s);
    chat_event ev;
    while (session_poll_event(s, &ev)) chat_event_free(&ev);
    session_destroy(s);
    relay_config rc;
    relay_config_default(&rc);
    rc.max_clients = 4;
    relay *r = relay_create(&rc, 0x0A0B0C0D, no_emit_to, NULL);
    feed(data, size, to_relay, r);
    while (relay_poll_event(r, &ev)) chat_event_free(&ev);
    relay_destroy(r);
    return 0;
}
