/* relay.c -- the relay server core: dispatch, timers, the operator's commands, the ops table */
#include "udpchat/relay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay_input.h"
#include "udpchat/mem.h"
#include "udpchat/msg.h"
#include "udpchat/nick.h"
#include "udpchat/utf8.h"
#include "udpchat/wire.h"

/* The relay owns its members. A member exists only for an address that proved it
 * receives what is sent to it (a CHALLENGE cookie echoed, relay_hello.c), or for a
 * plain-text client (relay_legacy.c, which cannot prove it; their own limit). The layers
 * of the relay's modules are drawn in relay_table.h; this file is the top. Invariants:
 * - a member is in the address table and the join-order list exactly once (relay_table.c),
 *   and leaves once: room_leave marks it `leaving` before anything is announced, so
 *   announcing can never reach back into membership; it is removed only here, in
 *   relay_service, after the scan (or by a proven restart, relay_hello.c);
 * - a member whose queue overflows during a broadcast is only marked `behind`;
 *   room_settle makes it leave after the broadcast is over, with one leave event;
 * - every message queued on a member's link with a fanout tag settles exactly once, so
 *   each fanout's `pending` reaches 0 and the sender gets one RECEIPT (relay_flush);
 * - out-of-order bytes held by all members together stay under cfg.parked_limit. */

#define SCAN_BUSY_MS 20
#define SCAN_IDLE_MS 1000
#define SHUTDOWN_GRACE_MS 1500

void relay_config_default(relay_config *c)
{
    memset(c, 0, sizeof *c);
    c->heartbeat_ms = 5000;
    c->timeout_ms = 30000;
    c->legacy_timeout_ms = 24u * 3600 * 1000;
    c->max_clients = 1024;
    c->max_legacy = 32;
    c->legacy_charset = CHARSET_UTF8;
    c->rate = 1000;
    c->burst = 2000;
    c->heartbeat_rate = 2;
    c->legacy_out_rate = 20;
    c->legacy_max = 1024;
    c->parked_limit = 32u << 20;
    link_config_default(&c->link);
    c->link.max_queued = 1024; /* per member; a member this far behind is dropped */
}

relay *relay_create(const relay_config *cfg, uint32_t session, core_emit_fn emit, void *ctx)
{
    relay *r = xcalloc(1, sizeof *r);
    r->cfg = *cfg;
    if (r->cfg.rate && !r->cfg.burst) r->cfg.burst = 2 * r->cfg.rate;
    r->parked.limit = cfg->parked_limit;
    r->cfg.link.parked = &r->parked;
    r->me = session;
    r->emit = emit;
    r->ctx = ctx;
    r->tsize = 64;
    while (r->tsize < (cfg->max_clients + cfg->max_legacy) * 2) r->tsize *= 2;
    r->table = xcalloc(r->tsize, sizeof *r->table);
    evq_init(&r->events);
    return r;
}

void relay_set_self(relay *r, const net_addr *self, size_t n, uint16_t port)
{
    if (n > RELAY_SELF_MAX) n = RELAY_SELF_MAX;
    memcpy(r->self, self, n * sizeof *self);
    r->nself = n;
    r->port = port;
}

void relay_destroy(relay *r)
{
    if (!r) return;
    relay_table_free(r);
    buf_free(&r->legacy_news);
    evq_free(&r->events);
    free(r);
}

int relay_poll_event(relay *r, chat_event *ev) { return evq_pop(&r->events, ev); }

relay_stats relay_get_stats(const relay *r)
{
    relay_stats st = r->st;
    st.parked_refused = r->parked.refused;
    return st;
}

/* ---- timers ---- */

static void member_emit(void *ctx, const void *data, size_t len)
{
    member *m = ctx;
    m->r->emit(m->r->ctx, &m->addr, data, len);
}

static void flush_dirty(relay *r, uint64_t now)
{
    for (size_t i = 0; i < r->ndirty; i++) {
        member *m = r->dirty[i];
        m->dirty = 0;
        link_service(m->lk, now, member_emit, m);
        room_drain(r, m, now);
        if (!link_idle(m->lk) && r->next_scan > now + SCAN_BUSY_MS) /* retransmit in time */
            r->next_scan = now + SCAN_BUSY_MS;
    }
    r->ndirty = 0;
}

/* Receipts queue on links (marking them dirty) and servicing links settles fanouts
 * (recording receipts): two rounds leave nothing owed but what a new ACK settles later
 * (relay_next_deadline asks for another call while receipts wait). */
void relay_flush(relay *r, uint64_t now)
{
    for (int round = 0; round < 2; round++) {
        room_send_receipts(r, now);
        flush_dirty(r, now);
    }
    room_settle(r, now);
}

static int member_expired(const relay *r, const member *m, uint64_t now)
{
    uint32_t limit = m->legacy ? r->cfg.legacy_timeout_ms : r->cfg.timeout_ms;
    return !m->leaving && now - m->last_rx >= limit;
}

static void log_drops(relay *r, member *m)
{
    if (!m->dropped) return;
    char what[160];
    snprintf(what, sizeof what, "dropped %u datagrams from %.40s (rate limit)", m->dropped, m->nick);
    relay_log(r, EV_NOTICE, m->nick, &m->addr, what, 0);
    m->dropped = 0;
}

static int scan_member(relay *r, member *m, uint64_t now)
{
    int busy = 0;
    if (member_expired(r, m, now)) {
        if (m->legacy) legacy_remember(r, m, now);
        room_leave(r, m, LEAVE_TIMEOUT, NULL, now);
    }
    if (m->lk) {
        link_service(m->lk, now, member_emit, m);
        room_drain(r, m, now);
        busy = !link_idle(m->lk);
    }
    log_drops(r, m);
    return busy;
}

void relay_service(relay *r, uint64_t now)
{
    relay_flush(r, now);
    plain_flush_news(r, now);
    if (now < r->next_scan) return;
    int busy = 0;
    for (member *m = r->head; m; m = m->next) busy |= scan_member(r, m, now);
    room_settle(r, now);
    for (member *m = r->head, *n; m; m = n) { /* removal after the scan: no list surgery in it */
        n = m->next;
        if (m->leaving && (!m->lk || link_idle(m->lk) || now >= m->leave_at)) member_remove(r, m);
    }
    r->next_scan = now + (busy ? SCAN_BUSY_MS : SCAN_IDLE_MS);
}

uint64_t relay_next_deadline(relay *r, uint64_t now)
{
    if (r->ndirty || r->nreceipts) return now;
    uint64_t t = r->next_scan;
    if (r->shutting && r->shutdown_at < t) t = r->shutdown_at;
    if (r->legacy_news.len && r->next_news < t) t = r->next_news;
    return t;
}

/* ---- operator ---- */

void relay_notice(relay *r, const char *text, uint64_t now)
{
    room_notice(r, text, now);
    relay_flush(r, now); /* settles too */
}

int relay_kick(relay *r, const char *nick, const char *reason, uint64_t now)
{
    member *m = member_by_nick(r, nick);
    if (!m) {
        buf b = {0};
        buf_printf(&b, "no such nick: %s", nick);
        evq_emit(&r->events, EV_ERROR, 0, NULL, NULL, b.data, 0, 0);
        buf_free(&b);
        return -1;
    }
    room_leave(r, m, LEAVE_KICKED, reason, now);
    relay_flush(r, now); /* settles too */
    r->next_scan = now;
    return 0;
}

void relay_who(relay *r)
{
    buf b = {0};
    room_roster_text(r, &b);
    evq_emit(&r->events, EV_ROSTER, 0, NULL, NULL, b.data ? b.data : "", 0, 0);
    buf_free(&b);
}

static void log_stats(relay *r)
{
    buf b = {0};
    relay_stats st = relay_get_stats(r);
    buf_printf(&b, "stats: %llu members, %llu forwarded, dropped %llu by rate limit, %llu malformed, "
               "%llu wrong session or token, %llu wrong version, %llu from ourselves, %llu over the "
               "stranger budget, %llu plain-text refused; %llu challenged, %llu refused",
               (unsigned long long)st.members, (unsigned long long)st.forwarded,
               (unsigned long long)st.dropped_rate, (unsigned long long)st.dropped_malformed,
               (unsigned long long)st.dropped_session, (unsigned long long)st.dropped_version,
               (unsigned long long)st.dropped_self, (unsigned long long)st.dropped_stranger,
               (unsigned long long)st.dropped_legacy, (unsigned long long)st.challenged,
               (unsigned long long)st.refused);
    evq_emit(&r->events, EV_NOTICE, 0, NULL, NULL, b.data, 0, 0);
    buf_free(&b);
}

void relay_shutdown(relay *r, const char *text, uint64_t now)
{
    if (r->shutting) return;
    log_stats(r);
    r->shutting = 1;
    r->shutdown_at = now + SHUTDOWN_GRACE_MS;
    room_shutdown(r, text, now);
    r->next_scan = now;
}

int relay_done(const relay *r)
{
    return r->shutting && (r->head == NULL);
}

/* ---- datagrams ---- */

static int from_self(const relay *r, const net_addr *from)
{
    if (from->port == 0 || from->host == 0 || from->host >= 0xE0000000u) return 1; /* multicast, broadcast */
    if (from->port != r->port || !r->port) return 0;
    if ((from->host >> 24) == 127) return 1;
    for (size_t i = 0; i < r->nself; i++)
        if (r->self[i].host == from->host) return 1;
    return 0;
}

void relay_on_datagram(relay *r, const net_addr *from, const void *data, size_t len, uint64_t now)
{
    if (len == 0) return;
    if (from_self(r, from)) {
        r->st.dropped_self++; /* our own answer looped back, or a forged source: never answered */
        return;
    }
    uint8_t card[WIRE_CARD_DATAGRAM_MAX];
    size_t n;
    if (wire_is_ours(data, len)) relay_on_protocol(r, from, data, len, now);
    else if (*(const uint8_t *)data == WIRE_MAGIC0) r->st.dropped_malformed++; /* cut-short header */
    else if ((n = wire_card_read(data, len, card, sizeof card)) != 0) {
        r->in_card = 1;
        relay_on_protocol(r, from, card, n, now);
        r->in_card = 0;
    }
    else legacy_on_text(r, member_find(r, from), from, data, len, now);
    room_settle(r, now);
}

/* ---- the relay as a core (core.h) ---- */

static void ops_on_datagram(void *core, const net_addr *from, const void *data, size_t len, uint64_t now)
{
    relay_on_datagram(core, from, data, len, now);
}

static void ops_flush(void *core, uint64_t now) { relay_flush(core, now); }
static void ops_service(void *core, uint64_t now) { relay_service(core, now); }
static uint64_t ops_deadline(void *core, uint64_t now) { return relay_next_deadline(core, now); }
static int ops_poll(void *core, chat_event *ev) { return relay_poll_event(core, ev); }
static int ops_done(void *core) { return relay_done(core); }
static void ops_destroy(void *core) { relay_destroy(core); }

static uint32_t ops_command(void *core, const core_command *c, uint64_t now)
{
    relay *r = core;
    switch (c->type) {
    case CMD_WHO: relay_who(r); break;
    case CMD_NOTICE: relay_notice(r, c->text, now); break;
    case CMD_SHUTDOWN: relay_shutdown(r, c->text, now); break;
    case CMD_KICK: relay_kick(r, c->to, c->text, now); break;
    default: break;
    }
    return 0;
}

const core_ops relay_ops = {ops_on_datagram, ops_flush, ops_service, ops_deadline, ops_poll,
                            ops_command, ops_done, ops_destroy};
