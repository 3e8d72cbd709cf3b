/* fuzz_ipmsg.c -- libFuzzer: hostile IP Messenger datagrams into ipmsg_parse and a lan
 *
 * The whole input goes to ipmsg_parse (and what parses must survive a build/parse round
 * trip). Then a lan is fed: byte 0 picks --ipmsg-charset (bits 0-1: per peer, utf-8, gbk,
 * gb18030); the rest is split into records at every "\x1E\x1E". A record is a datagram
 * from one of four addresses (the fourth is our own echo), or a local action: "/say TEXT"
 * (to everyone), "/msg TEXT" (to the first peer's nick), "/who", "/tick" (1.5 s pass).
 * Every packet the lan emits must parse and fit in IPMSG_MAX_PACKET. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "udpchat/ipmsg.h"
#include "udpchat/lan.h"

static void check_emit(void *ctx, const net_addr *to, const void *d, size_t n)
{
    ipmsg_packet p;
    (void)ctx, (void)to;
    if (n > IPMSG_MAX_PACKET) __builtin_trap();
    if (ipmsg_parse(d, n, &p) < 0) __builtin_trap();
    ipmsg_free(&p);
}

static void round_trip(const uint8_t *data, size_t size)
{
    ipmsg_packet p, q;
    if (ipmsg_parse(data, size, &p) < 0) return;
    if (strlen(p.extra) != p.extra_len || strlen(p.extra2) != p.extra2_len) __builtin_trap();
    buf b = {0};
    ipmsg_build(&b, p.packet_no, p.user, p.host, p.command, p.extra, p.extra_len, p.extra2, p.extra2_len);
    if (ipmsg_parse(b.data, b.len, &q) < 0) __builtin_trap();
    if (q.packet_no != p.packet_no || q.command != p.command || strcmp(q.user, p.user) != 0 ||
        strcmp(q.host, p.host) != 0 || q.extra_len != p.extra_len || memcmp(q.extra, p.extra, p.extra_len) != 0 ||
        q.extra2_len != p.extra2_len || memcmp(q.extra2, p.extra2, p.extra2_len) != 0)
        __builtin_trap();
    ipmsg_free(&q);
    ipmsg_free(&p);
    buf_free(&b);
}

static void drain(lan *l)
{
    chat_event ev;
    while (lan_poll_event(l, &ev)) chat_event_free(&ev);
}

static char *text_of(const uint8_t *d, size_t n)
{
    char *t = malloc(n + 1);
    if (!t) abort();
    memcpy(t, d, n);
    t[n] = '\0';
    return t;
}

static void record(lan *l, const uint8_t *d, size_t n, unsigned idx, uint64_t *now)
{
    static const net_addr from[4] = {
        {0x0AD50A0B, IPMSG_PORT}, {0x0AD50A0C, IPMSG_PORT}, {0x0AD50A0B, 40000}, {0x0AD50A0A, IPMSG_PORT}};
    if (n >= 5 && memcmp(d, "/say ", 5) == 0) {
        char *t = text_of(d + 5, n - 5);
        lan_say(l, NULL, t, *now);
        free(t);
    } else if (n >= 5 && memcmp(d, "/msg ", 5) == 0) {
        char *t = text_of(d + 5, n - 5);
        lan_say(l, lan_has_peer(l, "user") ? "user" : "nobody", t, *now);
        free(t);
    } else if (n == 4 && memcmp(d, "/who", 4) == 0) {
        lan_who(l);
    } else if (n == 5 && memcmp(d, "/tick", 5) == 0) {
        *now += 1500;
    } else {
        lan_on_datagram(l, &from[idx % 4], d, n, *now);
    }
    *now += 7;
    lan_service(l, *now);
    (void)lan_next_deadline(l, *now);
    drain(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    round_trip(data, size);
    if (size == 0) return 0;

    static const charset_id forced[4] = {CHARSET_UNKNOWN, CHARSET_UTF8, CHARSET_GBK, CHARSET_GB18030};
    lan_config cfg;
    lan_config_default(&cfg);
    cfg.nick = "模糊";
    cfg.group = "测试";
    cfg.peer_charset = forced[data[0] & 3];
    cfg.first_packet_no = 1700000000;
    cfg.max_peers = 64;
    lan *l = lan_create(&cfg, check_emit, NULL);
    net_addr targets[1] = {{0x0AD50AFF, IPMSG_PORT}}, self[1] = {{0x0AD50A0A, IPMSG_PORT}};
    lan_set_targets(l, targets, 1);
    lan_set_self(l, self, 1);
    uint64_t now = 1000;
    lan_enter(l, now);

    unsigned idx = 0;
    for (size_t start = 1; start <= size;) {
        size_t sep = start;
        while (sep + 1 < size && !(data[sep] == 0x1E && data[sep + 1] == 0x1E)) sep++;
        if (sep + 1 >= size) sep = size;
        record(l, data + start, sep - start, idx++, &now);
        start = sep + 2;
    }
    for (int i = 0; i < 6; i++) { /* every pending message resent, then given up */
        now += 1100;
        lan_service(l, now);
        drain(l);
    }
    lan_exit(l, now);
    drain(l);
    lan_destroy(l);
    return 0;
}
