/* relay.c -- the relay server core: member table, sessions, rate limits, timeouts */
#include "udpchat/relay.h"

#include <stdlib.h>
#include <string.h>

#include "relay_internal.h"
#include "udpchat/msg.h"
#include "udpchat/nick.h"
#include "udpchat/utf8.h"
#include "udpchat/wire.h"

#define SCAN_BUSY_MS 20
#define SCAN_IDLE_MS 1000
#define LEAVE_GRACE_MS 2000
#define SHUTDOWN_GRACE_MS 1500

void relay_config_default(relay_config *c)
{
    memset(c, 0, sizeof *c);
    c->heartbeat_ms = 5000;
    c->timeout_ms = 30000;
    c->legacy_timeout_ms = 600000;
    c->max_clients = 1024;
    c->legacy_charset = CHARSET_UTF8;
    c->rate = 1000;
    c->burst = 2000;
    link_config_default(&c->link);
    c->link.max_queued = 1024; /* per member; a member this far behind is dropped */
}

static size_t hash_addr(const relay *r, const net_addr *a)
{
    uint32_t h = a->host * 2654435761u ^ (uint32_t)a->port * 40503u;
    return (h ^ (h >> 15)) & (r->tsize - 1);
}

relay *relay_create(const relay_config *cfg, uint32_t session, relay_emit_fn emit, void *ctx)
{
    relay *r = calloc(1, sizeof *r);
    if (!r) abort();
    r->cfg = *cfg;
    if (r->cfg.rate && !r->cfg.burst) r->cfg.burst = 2 * r->cfg.rate;
    r->me = session;
    r->emit = emit;
    r->ctx = ctx;
    r->tsize = 64;
    while (r->tsize < cfg->max_clients * 2) r->tsize *= 2;
    r->table = calloc(r->tsize, sizeof *r->table);
    if (!r->table) abort();
    evq_init(&r->events);
    return r;
}

static void member_free(member *m)
{
    link_destroy(m->lk);
    free(m->nick);
    free(m);
}

void relay_destroy(relay *r)
{
    if (!r) return;
    for (member *m = r->head, *n; m; m = n) {
        n = m->next;
        member_free(m);
    }
    free(r->table);
    free(r->dirty);
    evq_free(&r->events);
    free(r);
}

int relay_poll_event(relay *r, chat_event *ev) { return evq_pop(&r->events, ev); }
relay_stats relay_get_stats(const relay *r) { return r->st; }

/* ---- member table ---- */

static member *member_find(relay *r, const net_addr *a)
{
    for (member *m = r->table[hash_addr(r, a)]; m; m = m->hnext)
        if (m->addr.host == a->host && m->addr.port == a->port) return m;
    return NULL;
}

member *member_by_nick(relay *r, const char *nick)
{
    for (member *m = r->head; m; m = m->next)
        if (!m->leaving && nick_equal(m->nick, nick)) return m;
    return NULL;
}

static member *member_add(relay *r, const net_addr *a, const char *nick, uint32_t session, uint64_t now)
{
    member *m = calloc(1, sizeof *m);
    if (!m) abort();
    m->r = r;
    m->addr = *a;
    m->session = session;
    m->legacy = session == 0;
    m->lk = session ? link_create(&r->cfg.link, r->me, session) : NULL;
    m->nick = str_dup(nick);
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
    r->st.members = r->count;
    if (m->legacy) r->st.legacy_members++;
    return m;
}

void member_remove(relay *r, member *m)
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
    if (m->legacy) r->st.legacy_members--;
    r->count--;
    r->st.members = r->count;
    member_free(m);
}

void member_mark_dirty(member *m)
{
    relay *r = m->r;
    if (m->dirty || !m->lk) return;
    if (r->ndirty == r->capdirty) {
        r->capdirty = r->capdirty ? r->capdirty * 2 : 64;
        r->dirty = realloc(r->dirty, r->capdirty * sizeof *r->dirty);
        if (!r->dirty) abort();
    }
    r->dirty[r->ndirty++] = m;
    m->dirty = 1;
}

/* Starts a member's departure: announced now, removed once its link is idle. */
void member_leave(relay *r, member *m, int reason, const char *text, uint64_t now)
{
    if (m->leaving) return;
    room_announce_leave(r, m, reason, text, now);
    m->leaving = 1;
    m->leave_at = now + LEAVE_GRACE_MS;
    evq_emit(&r->events, EV_LEAVE, 0, m->nick, NULL, text, 0, reason);
}

/* ---- sending ---- */

static void member_emit(void *ctx, const void *data, size_t len)
{
    member *m = ctx;
    m->r->emit(m->r->ctx, &m->addr, data, len);
}

void relay_send_control(relay *r, const net_addr *to, uint8_t type, uint32_t dest, const void *body,
                        size_t n)
{
    uint8_t pkt[WIRE_HEADER_LEN + 256 + 1];
    buf b = {(char *)pkt, 0, sizeof pkt};
    if (n > 256) n = 256;
    wire_write_header(&b, type, r->me, dest);
    buf_append(&b, body, n);
    wire_seal(b.data, b.len);
    r->emit(r->ctx, to, b.data, b.len);
}

static void send_hello(relay *r, const net_addr *to, uint32_t dest)
{
    buf body = {0};
    wire_hello h = {WIRE_ROLE_SERVER, 0, (uint16_t)r->cfg.heartbeat_ms,
                    (uint16_t)(r->cfg.timeout_ms / 1000 > 65535 ? 65535 : r->cfg.timeout_ms / 1000), "", 0};
    wire_write_hello(&body, &h);
    relay_send_control(r, to, WIRE_HELLO, dest, body.data, body.len);
    buf_free(&body);
}

static void refuse(relay *r, const net_addr *to, uint32_t dest, const char *why, const char *nick)
{
    buf body = {0};
    if (dest) {
        wire_write_u8(&body, 0);
        buf_append_str(&body, why);
        relay_send_control(r, to, WIRE_REFUSE, dest, body.data, body.len);
    } else { /* a plain-text client (no session): the reason as text, not a binary REFUSE */
        buf_printf(&body, "*** %s", why);
        r->emit(r->ctx, to, body.data, body.len);
    }
    buf_free(&body);
    r->st.refused++;
    evq_emit(&r->events, EV_REFUSED, 0, nick, NULL, why, 0, 0);
}

/* Answers to datagrams from non-members (RESET, REFUSE, UNSUPPORTED) are limited to
 * STRANGER_REPLIES a second, so spoofed sources cannot use the relay as an amplifier. */
#define STRANGER_REPLIES 200
static int stranger_budget(relay *r, uint64_t now)
{
    if (now - r->stranger_window >= 1000) {
        r->stranger_window = now;
        r->stranger_replies = 0;
    }
    return r->stranger_replies++ < STRANGER_REPLIES;
}

/* ---- protocol datagrams ---- */

static void on_hello(relay *r, const net_addr *from, const wire_header *hd, wire_reader *body,
                     uint64_t now)
{
    wire_hello h;
    const char *why;
    if (wire_parse_hello(body, &h) < 0) {
        r->st.dropped_malformed++;
        return;
    }
    if (h.role != WIRE_ROLE_CLIENT) { /* a direct peer (or another server) reached us */
        if (stranger_budget(r, now)) {
            const char msg[] = "\0this is a relay server, not a peer: use 'udpchat join'";
            relay_send_control(r, from, WIRE_REFUSE, hd->session, msg, sizeof msg - 1); /* reason 0 */
        }
        return;
    }
    member *m = member_find(r, from);
    if (m && m->session == hd->session) { /* our HELLO answer was lost */
        send_hello(r, from, hd->session);
        return;
    }
    if (!m && hd->dest_session == r->me) {
        /* A client that timed out says HELLO to the session it had with us, but we already
         * removed it: its link state is stale. RESET makes it start afresh (new link). */
        if (!r->shutting && stranger_budget(r, now)) relay_send_control(r, from, WIRE_RESET, hd->session, NULL, 0);
        return;
    }
    char *nick = msg_field(h.nick, h.nick_len);
    if (m) member_leave(r, m, LEAVE_QUIT, "restarted", now), member_remove(r, m);
    member *same = member_by_nick(r, nick);
    if (r->shutting) refuse(r, from, hd->session, "the server is shutting down", nick);
    else if (!nick_valid(nick, &why)) refuse(r, from, hd->session, why, nick);
    else if (same) refuse(r, from, hd->session, "that nick is taken: pick another with --nick", nick);
    else if (r->count >= r->cfg.max_clients) refuse(r, from, hd->session, "the room is full", nick);
    else {
        m = member_add(r, from, nick, hd->session, now);
        send_hello(r, from, hd->session);
        room_send_welcome(r, m, now);
        room_announce_join(r, m, now);
        evq_emit(&r->events, EV_JOIN, 0, nick, NULL, NULL, 0, 0);
    }
    free(nick);
}

static void on_bye(relay *r, member *m, wire_reader *body, uint64_t now)
{
    uint8_t reason = wire_read_u8(body);
    size_t n;
    const uint8_t *t = wire_read_rest(body, &n);
    char *text = msg_field((const char *)t, n);
    (void)reason;
    relay_send_control(r, &m->addr, WIRE_BYE_ACK, m->session, NULL, 0);
    member_leave(r, m, LEAVE_QUIT, text, now);
    free(text);
}

static void drain_member(relay *r, member *m, uint64_t now)
{
    link_event le;
    while (link_poll(m->lk, &le)) {
        if (le.type == LINK_EV_MESSAGE && !m->leaving) room_on_message(r, m, le.data, le.len, now);
        link_event_free(&le);
    }
}

static void on_member_datagram(relay *r, member *m, const wire_header *h, wire_reader *body,
                               uint64_t now)
{
    wire_data d;
    wire_ack a;
    m->last_rx = now;
    switch (h->type) {
    case WIRE_DATA:
        if (wire_parse_data(body, &d) == 0) link_on_data(m->lk, &d, now), member_mark_dirty(m);
        else r->st.dropped_malformed++;
        break;
    case WIRE_ACK:
        if (wire_parse_ack(body, &a) == 0) link_on_ack(m->lk, &a, now), member_mark_dirty(m);
        else r->st.dropped_malformed++;
        break;
    case WIRE_PING: relay_send_control(r, &m->addr, WIRE_PONG, m->session, NULL, 0); break;
    case WIRE_BYE: on_bye(r, m, body, now); break;
    case WIRE_PONG: case WIRE_BYE_ACK: break;
    default: r->st.dropped_malformed++; break;
    }
    drain_member(r, m, now);
}

static int rate_ok(relay *r, member *m, uint64_t now)
{
    if (!r->cfg.rate) return 1;
    uint64_t now_us = now * 1000, step = 1000000 / r->cfg.rate;
    uint64_t tat = m->tat_us > now_us ? m->tat_us : now_us;
    if (tat - now_us > step * r->cfg.burst) {
        m->dropped++;
        r->st.dropped_rate++;
        return 0;
    }
    m->tat_us = tat + step;
    return 1;
}

static void on_protocol(relay *r, const net_addr *from, const void *data, size_t len, uint64_t now)
{
    wire_header h;
    wire_reader body;
    int rc = wire_parse_header(data, len, &h, &body);
    if (rc == -2) {
        r->st.dropped_version++;
        if (h.type != WIRE_UNSUPPORTED && stranger_budget(r, now))
            relay_send_control(r, from, WIRE_UNSUPPORTED, h.session, NULL, 0);
        return;
    }
    if (rc < 0) {
        r->st.dropped_malformed++;
        return;
    }
    member *m = member_find(r, from);
    if (m && !rate_ok(r, m, now)) return;
    if (h.type == WIRE_HELLO) {
        on_hello(r, from, &h, &body, now);
    } else if (m && m->session == h.session && h.dest_session == r->me) {
        on_member_datagram(r, m, &h, &body, now);
    } else {
        r->st.dropped_session++; /* stale, foreign or spoofed: tell a lost client to rejoin */
        if (!m && !r->shutting && h.type != WIRE_RESET && h.type != WIRE_BYE_ACK &&
            h.type != WIRE_REFUSE) /* (a member told of the shutdown is not asked to rejoin) */
            if (stranger_budget(r, now)) relay_send_control(r, from, WIRE_RESET, h.session, NULL, 0);
    }
}

void relay_on_datagram(relay *r, const net_addr *from, const void *data, size_t len, uint64_t now)
{
    if (len == 0) return;
    if (wire_is_ours(data, len)) {
        on_protocol(r, from, data, len, now);
        return;
    }
    member *m = member_find(r, from);
    if (m && (!m->legacy || !rate_ok(r, m, now))) {
        if (!m->legacy) r->st.dropped_malformed++;
        return;
    }
    if (r->shutting) return;
    room_legacy_text(r, m, from, data, len, now);
}

/* A plain-text client's first datagram: its nick (seed 002). Called by relay_room.c. */
member *relay_add_legacy(relay *r, const net_addr *from, const char *nick, uint64_t now);
member *relay_add_legacy(relay *r, const net_addr *from, const char *nick, uint64_t now)
{
    if (r->count >= r->cfg.max_clients) {
        refuse(r, from, 0, "the room is full", nick);
        return NULL;
    }
    member *m = member_add(r, from, nick, 0, now);
    evq_emit(&r->events, EV_JOIN, 0, nick, NULL, "plain-text client", 0, 0);
    return m;
}

void relay_legacy_leave(relay *r, member *m, int reason, const char *text, uint64_t now);
void relay_legacy_leave(relay *r, member *m, int reason, const char *text, uint64_t now)
{
    member_leave(r, m, reason, text, now);
}

/* ---- timers ---- */

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
}

static int member_expired(const relay *r, const member *m, uint64_t now)
{
    uint32_t limit = m->legacy ? r->cfg.legacy_timeout_ms : r->cfg.timeout_ms;
    return !m->leaving && now - m->last_rx >= limit;
}

static void log_drops(relay *r, member *m)
{
    if (!m->dropped) return;
    buf b = {0};
    buf_printf(&b, "dropped %u datagrams from %s (rate limit)", m->dropped, m->nick);
    evq_emit(&r->events, EV_NOTICE, 0, m->nick, NULL, b.data, 0, 0);
    buf_free(&b);
    m->dropped = 0;
}

void relay_service(relay *r, uint64_t now)
{
    relay_flush(r, now);
    if (now < r->next_scan) return;
    int busy = 0;
    for (member *m = r->head, *n; m; m = n) {
        n = m->next;
        if (member_expired(r, m, now)) member_leave(r, m, LEAVE_TIMEOUT, NULL, now);
        if (m->lk) {
            link_service(m->lk, now, member_emit, m);
            drain_member(r, m, now);
            busy |= !link_idle(m->lk);
        }
        log_drops(r, m);
        if (m->leaving && (!m->lk || link_idle(m->lk) || now >= m->leave_at)) member_remove(r, m);
    }
    r->next_scan = now + (busy ? SCAN_BUSY_MS : SCAN_IDLE_MS);
}

uint64_t relay_next_deadline(relay *r, uint64_t now)
{
    if (r->ndirty) return now;
    uint64_t t = r->next_scan;
    if (r->shutting && r->shutdown_at < t) t = r->shutdown_at;
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
    relay_stats st = r->st;
    buf_printf(&b, "stats: %llu members, %llu forwarded, dropped %llu by rate limit, %llu malformed, "
               "%llu wrong session, %llu wrong version; %llu refused",
               (unsigned long long)st.members, (unsigned long long)st.forwarded,
               (unsigned long long)st.dropped_rate, (unsigned long long)st.dropped_malformed,
               (unsigned long long)st.dropped_session, (unsigned long long)st.dropped_version,
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
    r->next_scan = now;
}

int relay_done(const relay *r)
{
    return r->shutting && (r->head == NULL);
}
