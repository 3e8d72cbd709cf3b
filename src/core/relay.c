/* relay.c -- the relay server core: member table, departures, timers, receipts, operator */
#include "udpchat/relay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay_internal.h"
#include "udpchat/mem.h"
#include "udpchat/msg.h"
#include "udpchat/nick.h"
#include "udpchat/utf8.h"
#include "udpchat/wire.h"

/* The relay owns its members. A member exists only for an address that proved it
 * receives what is sent to it (a CHALLENGE cookie echoed, relay_hello.c), or for a
 * plain-text client (relay_legacy.c, which cannot prove it; their own limit). Invariants:
 * - a member is in the address table and the join-order list exactly once, and leaves
 *   once: member_leave marks it `leaving` before anything is announced, so announcing
 *   can never reach back into membership;
 * - a member whose queue overflows during a broadcast is only marked `behind`;
 *   relay_settle makes it leave after the broadcast is over;
 * - every message queued on a member's link with a fanout tag is reported exactly once
 *   (delivered, undelivered, or abandoned when the member is removed), so each fanout's
 *   `pending` reaches 0 and the sender gets one RECEIPT;
 * - out-of-order bytes held by all members together stay under cfg.parked_limit. */

#define SCAN_BUSY_MS 20
#define SCAN_IDLE_MS 1000
#define LEAVE_GRACE_MS 2000
#define SHUTDOWN_GRACE_MS 1500
#define STRANGER_REPLIES 200 /* answers a second to all non-members together */
#define CONTROL_BODY_MAX 256 /* body bytes of a control datagram (a REFUSE's text is cut here) */
_Static_assert(WIRE_HEADER_LEN + CONTROL_BODY_MAX <= WIRE_MAX_DATAGRAM, "a control datagram fits");
_Static_assert(WIRE_HELLO_BODY_MIN <= CONTROL_BODY_MAX && WIRE_CHALLENGE_BODY_LEN <= CONTROL_BODY_MAX,
               "the relay's HELLO (no nick) and CHALLENGE bodies are never cut");

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

static size_t hash_addr(const relay *r, const net_addr *a)
{
    uint32_t h = a->host * 2654435761u ^ (uint32_t)a->port * 40503u;
    return (h ^ (h >> 15)) & (r->tsize - 1);
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

static void abandon_link(relay *r, member *m, uint64_t now);

static void member_free(member *m)
{
    link_destroy(m->lk);
    free(m->nick);
    free(m->key);
    free(m);
}

void relay_destroy(relay *r)
{
    if (!r) return;
    r->destroying = 1; /* fanouts settle without receipts from here on */
    for (member *m = r->head; m; m = m->next) abandon_link(r, m, 0); /* frees waiting fanouts */
    while (r->head) {
        member *m = r->head;
        r->head = m->next;
        member_free(m);
    }
    free(r->table);
    free(r->dirty);
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

/* An event for the operator's log, with the source address (ev.address). */
static void log_event(relay *r, chat_event_type t, const char *nick, const net_addr *a, const char *what,
                      int reason)
{
    char where[32];
    chat_event ev = {0};
    ev.type = t;
    ev.reason = reason;
    ev.from = nick ? xstrdup(nick) : NULL;
    ev.text = what ? xstrdup(what) : NULL;
    if (a) {
        addr_format(a, where, sizeof where);
        ev.address = xstrdup(where);
    }
    evq_push(&r->events, &ev);
}

void relay_log(relay *r, chat_event_type t, const char *nick, const net_addr *a, const char *what)
{
    log_event(r, t, nick, a, what, 0);
}

/* ---- member table ---- */

member *member_find(relay *r, const net_addr *a)
{
    for (member *m = r->table[hash_addr(r, a)]; m; m = m->hnext)
        if (m->addr.host == a->host && m->addr.port == a->port) return m;
    return NULL;
}

/* The look-alike key of a nick (heap). */
static char *nick_key(const char *nick)
{
    buf k = {0};
    nick_skeleton(nick, &k);
    return k.data ? buf_detach(&k) : xstrdup("");
}

/* One key for the query, then string compares: a join costs O(members), not O(members)
 * skeletons (10,000 plain-text joins took minutes that way). */
member *member_by_nick(relay *r, const char *nick)
{
    char *key = nick_key(nick);
    member *found = NULL;
    for (member *m = r->head; m && !found; m = m->next)
        if (!m->leaving && strcmp(m->key, key) == 0) found = m;
    free(key);
    return found;
}

void member_rename(member *m, const char *nick)
{
    free(m->nick);
    free(m->key);
    m->nick = xstrdup(nick);
    m->key = nick_key(nick);
}

member *member_add(relay *r, const net_addr *a, const char *nick, uint32_t session, uint64_t now)
{
    member *m = xcalloc(1, sizeof *m);
    m->r = r;
    m->addr = *a;
    m->session = session;
    m->legacy = session == 0;
    m->nick = xstrdup(nick);
    m->key = nick_key(nick);
    m->last_rx = now;
    m->cs = CHARSET_UNKNOWN;
    size_t h = hash_addr(r, a);
    m->hnext = r->table[h];
    r->table[h] = m;
    m->prev = r->tail;
    if (r->tail) r->tail->next = m;
    else r->head = m;
    r->tail = m;
    r->count++;
    r->nlegacy += m->legacy;
    r->st.members = r->count;
    r->st.legacy_members = r->nlegacy;
    return m;
}

/* Every message still on the member's link is reported (undelivered) to its fanout. */
static void abandon_link(relay *r, member *m, uint64_t now)
{
    link_event le;
    if (!m->lk) return;
    link_abandon_all(m->lk);
    while (link_poll(m->lk, &le)) {
        if (le.tag && (le.type == LINK_EV_DELIVERED || le.type == LINK_EV_UNDELIVERED))
            relay_fanout_done(r, le.tag, le.type == LINK_EV_DELIVERED, now);
        link_event_free(&le);
    }
}

static void unhook(relay *r, member *m)
{
    member **pp = &r->table[hash_addr(r, &m->addr)];
    while (*pp != m) pp = &(*pp)->hnext;
    *pp = m->hnext;
    if (m->prev) m->prev->next = m->next;
    else r->head = m->next;
    if (m->next) m->next->prev = m->prev;
    else r->tail = m->prev;
    for (size_t i = 0; i < r->ndirty; i++)
        if (r->dirty[i] == m) r->dirty[i] = r->dirty[--r->ndirty];
}

void member_remove(relay *r, member *m, uint64_t now)
{
    unhook(r, m);
    r->nlegacy -= m->legacy;
    r->nbehind -= m->behind;
    r->count--;
    r->st.members = r->count;
    r->st.legacy_members = r->nlegacy;
    abandon_link(r, m, now);
    member_free(m);
}

void member_mark_dirty(member *m)
{
    relay *r = m->r;
    if (m->dirty || !m->lk) return;
    if (r->ndirty == r->capdirty) {
        r->capdirty = r->capdirty ? r->capdirty * 2 : 64;
        r->dirty = xreallocarray(r->dirty, r->capdirty, sizeof *r->dirty);
    }
    r->dirty[r->ndirty++] = m;
    m->dirty = 1;
}

void member_leave(relay *r, member *m, int reason, const char *text, uint64_t now)
{
    if (m->leaving) return;
    m->leaving = 1; /* first: nothing announced below can make it leave again */
    m->leave_at = now + LEAVE_GRACE_MS;
    room_announce_leave(r, m, reason, text, now);
    log_event(r, EV_LEAVE, m->nick, &m->addr, text, reason);
}

void relay_settle(relay *r, uint64_t now)
{
    while (r->nbehind) {
        member *m = r->head;
        while (m && !m->behind) m = m->next;
        if (!m) break;
        m->behind = 0;
        r->nbehind--;
        member_leave(r, m, LEAVE_TIMEOUT, "too far behind", now); /* may mark others behind */
    }
}

/* ---- sending ---- */

void relay_send_control(relay *r, const net_addr *to, uint8_t type, uint32_t dest, uint64_t token,
                        const void *body, size_t n)
{
    uint8_t pkt[WIRE_HEADER_LEN + CONTROL_BODY_MAX + 1]; /* + its NUL */
    buf b = buf_fixed(pkt, sizeof pkt);
    if (n > CONTROL_BODY_MAX) n = CONTROL_BODY_MAX;
    wire_write_header(&b, type, r->me, dest, token);
    buf_append(&b, body, n);
    wire_seal(b.data, b.len);
    r->emit(r->ctx, to, b.data, b.len);
}

int relay_stranger_budget(relay *r, uint64_t now)
{
    if (now - r->stranger_window >= 1000) {
        r->stranger_window = now;
        r->stranger_replies = 0;
    }
    if (r->stranger_replies < STRANGER_REPLIES) {
        r->stranger_replies++;
        return 1;
    }
    r->st.dropped_stranger++;
    return 0;
}

int relay_rate_ok(relay *r, member *m, uint64_t *tat_us, uint32_t rate, uint32_t burst, uint64_t now)
{
    (void)r;
    (void)m;
    if (!rate) return 1;
    uint64_t now_us = now * 1000, step = 1000000 / rate;
    uint64_t tat = *tat_us > now_us ? *tat_us : now_us;
    if (tat - now_us > step * burst) return 0;
    *tat_us = tat + step;
    return 1;
}

void relay_fanout_done(relay *r, fanout *f, int acked, uint64_t now)
{
    f->acked += acked != 0;
    if (--f->pending) return;
    member *s = r->destroying ? NULL : member_find(r, &f->sender);
    if (s && s->session == f->session && !s->leaving)
        room_send_receipt(r, s, f->ref, f->acked, f->total, now);
    free(f);
}

/* ---- timers ---- */

static void drain_member(relay *r, member *m, uint64_t now)
{
    link_event le;
    while (link_poll(m->lk, &le)) {
        if (le.type == LINK_EV_MESSAGE && !m->leaving) room_on_message(r, m, le.data, le.len, now);
        else if (le.tag && (le.type == LINK_EV_DELIVERED || le.type == LINK_EV_UNDELIVERED))
            relay_fanout_done(r, le.tag, le.type == LINK_EV_DELIVERED, now);
        link_event_free(&le);
    }
}

static void member_emit(void *ctx, const void *data, size_t len)
{
    member *m = ctx;
    m->r->emit(m->r->ctx, &m->addr, data, len);
}

void relay_drain(relay *r, member *m, uint64_t now) { drain_member(r, m, now); }

void relay_flush(relay *r, uint64_t now)
{
    for (size_t i = 0; i < r->ndirty; i++) {
        member *m = r->dirty[i];
        m->dirty = 0;
        link_service(m->lk, now, member_emit, m);
        drain_member(r, m, now);
        if (!link_idle(m->lk) && r->next_scan > now + SCAN_BUSY_MS) /* retransmit in time */
            r->next_scan = now + SCAN_BUSY_MS;
    }
    r->ndirty = 0;
    relay_settle(r, now);
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
    relay_log(r, EV_NOTICE, m->nick, &m->addr, what);
    m->dropped = 0;
}

static int scan_member(relay *r, member *m, uint64_t now)
{
    int busy = 0;
    if (member_expired(r, m, now)) {
        if (m->legacy) legacy_remember(r, m, now);
        member_leave(r, m, LEAVE_TIMEOUT, NULL, now);
    }
    if (m->lk) {
        link_service(m->lk, now, member_emit, m);
        drain_member(r, m, now);
        busy = !link_idle(m->lk);
    }
    log_drops(r, m);
    return busy;
}

void relay_service(relay *r, uint64_t now)
{
    relay_flush(r, now);
    legacy_flush_news(r, now);
    if (now < r->next_scan) return;
    int busy = 0;
    for (member *m = r->head; m; m = m->next) busy |= scan_member(r, m, now);
    relay_settle(r, now);
    for (member *m = r->head, *n; m; m = n) { /* removal after the scan: no list surgery in it */
        n = m->next;
        if (m->leaving && (!m->lk || link_idle(m->lk) || now >= m->leave_at)) member_remove(r, m, now);
    }
    r->next_scan = now + (busy ? SCAN_BUSY_MS : SCAN_IDLE_MS);
}

uint64_t relay_next_deadline(relay *r, uint64_t now)
{
    if (r->ndirty) return now;
    uint64_t t = r->next_scan;
    if (r->shutting && r->shutdown_at < t) t = r->shutdown_at;
    if (r->legacy_news.len && r->next_news < t) t = r->next_news;
    return t;
}

/* ---- operator ---- */

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
    member_leave(r, m, LEAVE_KICKED, reason, now);
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
    for (member *m = r->head; m; m = m->next) {
        if (m->leaving) continue;
        m->leaving = 1;
        m->leave_at = r->shutdown_at;
    }
    room_announce_leave(r, NULL, LEAVE_SHUTDOWN, text, now);
    r->nbehind = 0; /* everyone is leaving already */
    for (member *m = r->head; m; m = m->next) m->behind = 0;
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
    relay_settle(r, now);
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
