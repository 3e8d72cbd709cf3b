/* session.c -- a direct peer or a room client: handshake, keepalive, plain-text fallback */
#include "udpchat/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session_internal.h"
#include "udpchat/mem.h"
#include "udpchat/msg.h"
#include "udpchat/utf8.h"
#include "udpchat/wire.h"

/* A session talks to one remote address (the caller drops everything else). Its states:
 *
 *   CONNECTING --verified HELLO--> UP --silence > timeout--> DOWN --verified datagram--> UP
 *        ^                          |                          |
 *        +------ genuine RESET -----+                          |
 *   UP --quit--> QUITTING --BYE_ACK, RESET or 3 BYEs--> DONE  <-+-- REFUSE, kick (any state)
 *
 * Invariants:
 * - `them` != 0 only after a verified HELLO from that session; then `lk` is the link of
 *   (me, them), `tx` is the token every datagram to them carries (their choice, from
 *   their HELLO) and `rx` = token_link(key, remote, them, epoch) is the token every
 *   datagram from them must carry. Nothing else is accepted as theirs.
 * - A HELLO is verified when its header token is rx_for(its session), or a cookie this
 *   session made for that session (a CHALLENGE answer) less than WIRE_COOKIE_TTL_S old.
 *   Anything else gets a CHALLENGE (WIRE_CHALLENGE_LEN bytes, never more than a HELLO),
 *   at most one per CONTROL_GAP_MS.
 * - A new link (seq from 0) is made exactly when `them` or `tx` changes; a genuine RESET
 *   raises `epoch`, so both sides start a new link together.
 * - The remote's heartbeat request is never below MIN_HEARTBEAT_MS.
 * - Plain text makes the session plain-text only if no udpchat datagram answers for
 *   legacy_grace_ms (an off-path forger cannot also silence the real peer's HELLO), and
 *   never once a udpchat session is open. A verified HELLO turns it back. */

/* The transitions, one row per input, one column per state (CONNECTING, UP, DOWN,
 * QUITTING, DONE); the diagram above is this table drawn. */
static const unsigned char transitions[SI_COUNT][ST_COUNT] = {
    [SI_VERIFIED] = {ST_UP, ST_UP, ST_UP, ST_QUITTING, ST_DONE},
    [SI_PLAIN] = {ST_UP, ST_UP, ST_UP, ST_QUITTING, ST_DONE},
    [SI_LINK_RESET] = {ST_CONNECTING, ST_CONNECTING, ST_DOWN, ST_DONE, ST_DONE},
    [SI_REMOTE_BYE] = {ST_CONNECTING, ST_DOWN, ST_DOWN, ST_QUITTING, ST_DONE},
    [SI_TIMEOUT] = {ST_CONNECTING, ST_DOWN, ST_DOWN, ST_QUITTING, ST_DONE},
    [SI_QUIT] = {ST_DONE, ST_QUITTING, ST_DONE, ST_DONE, ST_DONE}, /* a second quit: at once */
    [SI_QUIT_NOW] = {ST_DONE, ST_DONE, ST_DONE, ST_DONE, ST_DONE},
    [SI_BYE_ACK] = {ST_CONNECTING, ST_UP, ST_DOWN, ST_DONE, ST_DONE},
    [SI_BYES_SPENT] = {ST_CONNECTING, ST_UP, ST_DOWN, ST_DONE, ST_DONE},
    [SI_REFUSED] = {ST_DONE, ST_UP, ST_DOWN, ST_QUITTING, ST_DONE},
    [SI_KICKED] = {ST_DONE, ST_DONE, ST_DONE, ST_DONE, ST_DONE},
};

int session_go(session *s, session_input in)
{
    int was = s->state;
    s->state = transitions[in][was];
    return was;
}

void session_config_default(session_config *c)
{
    memset(c, 0, sizeof *c);
    c->role = SESSION_PEER;
    c->nick = "me";
    c->remote_label = "peer";
    c->heartbeat_ms = 5000;
    c->timeout_ms = 30000;
    c->hello_interval_ms = 1000;
    c->legacy_charset = CHARSET_UNKNOWN;
    c->legacy_grace_ms = 3000;
    c->legacy_max = 1024;
    c->advice_ms = 5000;
    link_config_default(&c->link);
}

void emit_raw(session *s, const void *data, size_t len, uint64_t now)
{
    s->last_tx = now;
    s->emit(s->ctx, &s->cfg.remote, data, len);
}

static void link_emit(void *ctx, const void *data, size_t len)
{
    session *s = ctx;
    s->last_tx = s->now;
    s->emit(s->ctx, &s->cfg.remote, data, len);
}

static void send_ctl(session *s, uint8_t type, uint32_t dest, uint64_t token, const void *body,
                     size_t n, uint64_t now)
{
    buf b = {0};
    wire_write_header(&b, type, s->me, dest, token);
    buf_append(&b, body, n);
    wire_seal(b.data, b.len);
    emit_raw(s, b.data, b.len, now);
    buf_free(&b);
}

/* Answers to what we have not verified share one gap, so they cannot be used to flood. */
static int control_allowed(session *s, uint64_t now)
{
    if (now < s->next_control) return 0;
    s->next_control = now + CONTROL_GAP_MS;
    return 1;
}

static uint64_t rx_for(const session *s, uint32_t them)
{
    return token_link(&s->cfg.key, &s->cfg.remote, them, s->epoch);
}

static uint16_t clamp16(uint32_t v) { return (uint16_t)(v > 65535 ? 65535 : v); }

/* HELLO: on an open link with its tokens; before, echoing the remote's cookie if any. */
static void send_hello(session *s, int answer, uint64_t now)
{
    buf body = {0};
    uint32_t dest = s->them ? s->them : s->cookie_from;
    wire_hello h = {s->cfg.role == SESSION_CLIENT ? WIRE_ROLE_CLIENT : WIRE_ROLE_PEER,
                    (uint8_t)(answer ? HELLO_ANSWER : 0), clamp16(s->cfg.heartbeat_ms),
                    clamp16(s->cfg.timeout_ms / 1000), s->them ? 0 : s->cookie_ts,
                    rx_for(s, dest), s->nick, strlen(s->nick)};
    wire_write_hello(&body, &h);
    if (s->spoke) {
        send_ctl(s, WIRE_HELLO, dest, s->them ? s->tx : s->cookie, body.data, body.len, now);
        s->next_hello = now + s->cfg.hello_interval_ms;
    } else { /* nothing says the remote speaks udpchat: a calling card, less and less often */
        buf b = {0}, card = {0};
        wire_write_header(&b, WIRE_HELLO, s->me, dest, s->cookie);
        buf_append(&b, body.data, body.len);
        wire_seal(b.data, b.len);
        wire_card_write(&card, b.data, b.len);
        emit_raw(s, card.data, card.len, now);
        uint64_t gap = (uint64_t)s->cfg.hello_interval_ms << (s->cards < 4 ? s->cards : 4);
        s->next_hello = now + (gap < CARD_MAX_GAP_MS ? gap : CARD_MAX_GAP_MS);
        s->cards++;
        buf_free(&b);
        buf_free(&card);
    }
    buf_free(&body);
}

session *session_create(const session_config *cfg, uint32_t my_session, core_emit_fn emit,
                        void *ctx, uint64_t now)
{
    session *s = xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    s->nick = xstrdup(cfg->nick);
    s->label = xstrdup(cfg->remote_label);
    s->remote_nick = xstrdup(cfg->remote_label);
    s->me = my_session;
    s->emit = emit;
    s->ctx = ctx;
    s->lk = link_create(&cfg->link, my_session, 0, 0);
    s->hb_ms = cfg->heartbeat_ms;
    if (cfg->timeout_ms >= 3 && s->hb_ms > cfg->timeout_ms / 3) s->hb_ms = cfg->timeout_ms / 3;
    if (s->hb_ms < MIN_HEARTBEAT_MS) s->hb_ms = MIN_HEARTBEAT_MS;
    s->lcs = cfg->legacy_charset;
    s->legacy = cfg->legacy;
    s->last_rx = s->last_tx = s->created = now;
    evq_init(&s->events);
    s->state = ST_CONNECTING;
    if (s->legacy && cfg->role == SESSION_CLIENT) plain_client_start(s, now);
    else if (!s->legacy) send_hello(s, 0, now);
    return s;
}

void session_destroy(session *s)
{
    if (!s) return;
    link_destroy(s->lk);
    plain_free(s);
    evq_free(&s->events);
    free(s->nick);
    free(s->label);
    free(s->remote_nick);
    free(s);
}

int session_poll_event(session *s, chat_event *ev) { return evq_pop(&s->events, ev); }
const session_stats *session_get_stats(const session *s) { return &s->stats; }
int session_is_legacy(const session *s) { return s->legacy; }
int session_done(const session *s) { return s->state == ST_DONE; }

void session_status(session *s, const char *text) { evq_emit(&s->events, EV_STATUS, 0, NULL, NULL, text, 0, 0); }

/* ---- messages the link delivers ---- */

static void on_receipt(session *s, const chat_msg *m, const char *text)
{
    unsigned acked = 0, total = 0;
    if (sscanf(text, "%u/%u", &acked, &total) != 2 || acked > total || !m->ref) {
        s->stats.dropped_malformed++;
        return;
    }
    chat_event ev = {0};
    ev.type = acked == total && total ? EV_DELIVERED : EV_RECEIPT; /* 0 of 0: nobody got it */
    ev.id = m->ref;
    ev.acked = acked;
    ev.total = total;
    evq_push(&s->events, &ev);
}

static void on_welcome(session *s, const char *a)
{
    free(s->nick);
    s->nick = xstrdup(a);
    evq_emit(&s->events, EV_STATUS, 0, a, NULL, s->joined_once ? "rejoined" : "joined", 0, 0);
    if (s->joined_once)
        evq_emit(&s->events, EV_MISSED, 0, NULL, NULL,
                 "you were out of the room for a while: messages sent meanwhile did not reach you", 0, 0);
    s->joined_once = 1;
}

static void on_room_msg(session *s, const chat_msg *m, const char *a, const char *b, const char *text)
{
    switch (m->kind) {
    case MSG_WELCOME: on_welcome(s, a); break;
    case MSG_ROSTER: evq_emit(&s->events, EV_ROSTER, 0, NULL, NULL, text, 0, 0); break;
    case MSG_JOINED: evq_emit(&s->events, EV_JOIN, 0, a, NULL, NULL, 0, 0); break;
    case MSG_LEFT:
        evq_emit(&s->events, EV_LEAVE, 0, a, NULL, text, 0, m->reason);
        if (strcmp(a, s->nick) == 0 && m->reason == LEAVE_KICKED) session_go(s, SI_KICKED);
        break;
    case MSG_NICK:
        if (strcmp(a, s->nick) == 0) {
            free(s->nick);
            s->nick = xstrdup(b);
        }
        evq_emit(&s->events, EV_NICK, 0, a, b, NULL, 0, 0);
        break;
    case MSG_NOTICE:
        evq_emit(&s->events, m->flags == NOTICE_ERROR ? EV_ERROR : EV_NOTICE, 0, NULL, NULL, text,
                 m->flags, 0);
        break;
    case MSG_SHUTDOWN: evq_emit(&s->events, EV_SHUTDOWN, 0, NULL, NULL, text, 0, 0); break;
    case MSG_RECEIPT: on_receipt(s, m, text); break;
    default: s->stats.dropped_malformed++; break;
    }
}

static void on_chat_msg(session *s, const chat_msg *m)
{
    char *a = msg_field(m->a, m->alen), *b = msg_field(m->b, m->blen);
    char *text = msg_field(m->text, m->text_len);
    int peer = s->cfg.role == SESSION_PEER;
    if (m->kind == MSG_CHAT)
        evq_emit(&s->events, EV_MESSAGE, 0, peer ? s->remote_nick : a, peer || !*b ? NULL : b, text,
                 m->flags & (CHAT_ACTION | CHAT_PRIVATE), 0);
    else if (!peer)
        on_room_msg(s, m, a, b, text);
    else
        s->stats.dropped_malformed++; /* peers exchange CHAT only */
    free(a);
    free(b);
    free(text);
}

static void on_link_event(session *s, const link_event *le)
{
    chat_msg m;
    char missed[96];
    int client = s->cfg.role == SESSION_CLIENT;
    switch (le->type) {
    case LINK_EV_DELIVERED:
        evq_emit(&s->events, client ? EV_RELAYED : EV_DELIVERED, le->id, NULL, NULL, NULL, 0, 0);
        break;
    case LINK_EV_UNDELIVERED: evq_emit(&s->events, EV_UNDELIVERED, le->id, NULL, NULL, NULL, 0, 0); break;
    case LINK_EV_DELIVERED_LATE: evq_emit(&s->events, EV_DELIVERED_LATE, le->id, NULL, NULL, NULL, 0, 0); break;
    case LINK_EV_GAP:
        snprintf(missed, sizeof missed, "%u pieces of messages to you were lost: you may have missed messages",
                 (unsigned)le->id);
        evq_emit(&s->events, EV_MISSED, 0, NULL, NULL, missed, 0, 0);
        break;
    case LINK_EV_MESSAGE:
        if (msg_parse(le->data, le->len, &m) == 0) on_chat_msg(s, &m);
        else s->stats.dropped_malformed++;
        break;
    }
}

static void drain_link(session *s)
{
    link_event le;
    while (link_poll(s->lk, &le)) {
        on_link_event(s, &le);
        link_event_free(&le);
    }
}

/* ---- handshake ---- */

static void go_up(session *s)
{
    int was = session_go(s, SI_VERIFIED);
    if (s->cfg.role == SESSION_PEER)
        evq_emit(&s->events, EV_JOIN, 0, s->remote_nick, NULL, NULL, 0, 0);
    else if (was == ST_DOWN)
        session_status(s, "server is back");
}

/* A new link with the remote's session and tokens; unacknowledged messages move to it. */
static void adopt(session *s, uint32_t them, uint64_t tx, const wire_hello *h, uint64_t now)
{
    link *nl = link_create(&s->cfg.link, s->me, them, tx);
    link_move_pending(s->lk, nl, now);
    link_destroy(s->lk);
    s->lk = nl;
    s->them = them;
    s->tx = tx;
    s->rx = rx_for(s, them);
    if (s->cfg.role == SESSION_PEER && h->nick_len) {
        free(s->remote_nick);
        s->remote_nick = msg_field(h->nick, h->nick_len);
    }
    if (s->cfg.role == SESSION_CLIENT) {
        if (s->server_seen && s->server_seen != them)
            session_status(s, "the server restarted: messages sent just before may be lost");
        s->server_seen = them;
    }
}

static int hello_verified(const session *s, const wire_header *hd, const wire_hello *h, uint64_t now)
{
    uint32_t now_s = (uint32_t)(now / 1000) + 1;
    if (!hd->token) return 0;
    if (hd->token == rx_for(s, hd->session)) return 1;
    return h->cookie_ts && now_s - h->cookie_ts <= WIRE_COOKIE_TTL_S &&
           hd->token == token_cookie(&s->cfg.key, &s->cfg.remote, hd->session, h->cookie_ts);
}

/* The CHALLENGE echoes the HELLO's token: if that was our link's token, the remote has
 * forgotten our link (on_challenge). */
static void send_challenge(session *s, uint32_t to, uint64_t echo, uint64_t now)
{
    if (!control_allowed(s, now)) return;
    buf body = {0};
    wire_challenge c = {(uint32_t)(now / 1000) + 1, 0};
    c.cookie = token_cookie(&s->cfg.key, &s->cfg.remote, to, c.cookie_ts);
    wire_write_challenge(&body, &c);
    if (s->in_card) { /* answered in the form it came in: plain ASCII to plain ASCII */
        buf pkt = {0}, card = {0};
        wire_write_header(&pkt, WIRE_CHALLENGE, s->me, to, echo);
        buf_append(&pkt, body.data, body.len);
        wire_seal(pkt.data, pkt.len);
        wire_card_write(&card, pkt.data, pkt.len);
        emit_raw(s, card.data, card.len, now);
        buf_free(&pkt);
        buf_free(&card);
    } else {
        send_ctl(s, WIRE_CHALLENGE, to, echo, body.data, body.len, now);
    }
    buf_free(&body);
}

static void refuse_role(session *s, const wire_header *hd, const wire_hello *h, uint64_t now)
{
    static const char to_client[] = "\0this is a direct peer, not a relay server: use 'udpchat peer'";
    static const char to_other[] = "\0this is a room client, not a peer: use 'udpchat join' to its server";
    const char *why = h->role == WIRE_ROLE_CLIENT ? to_client : to_other; /* reason byte 0 first */
    if (control_allowed(s, now)) send_ctl(s, WIRE_REFUSE, hd->session, h->reply_token, why, 1 + strlen(why + 1), now);
}

static void on_hello(session *s, const wire_header *hd, wire_reader *r, uint64_t now)
{
    wire_hello h;
    int want = s->cfg.role == SESSION_CLIENT ? WIRE_ROLE_SERVER : WIRE_ROLE_PEER;
    if (wire_parse_hello(r, &h) != WIRE_OK) {
        s->stats.dropped_malformed++;
        return;
    }
    if (!hello_verified(s, hd, &h, now)) {
        send_challenge(s, hd->session, hd->token, now);
        return;
    }
    s->spoke = 1; /* a verified HELLO: the remote speaks udpchat */
    if (h.role != want) {
        refuse_role(s, hd, &h, now);
        return;
    }
    if (hd->session != s->them || h.reply_token != s->tx) adopt(s, hd->session, h.reply_token, &h, now);
    s->cookie = 0;
    s->last_rx = now;
    if (h.heartbeat_ms && h.heartbeat_ms < s->hb_ms)
        s->hb_ms = h.heartbeat_ms < MIN_HEARTBEAT_MS ? MIN_HEARTBEAT_MS : h.heartbeat_ms;
    if (s->legacy && !s->cfg.legacy) {
        s->legacy = 0; /* an auto-detected plain-text peer turned out to speak udpchat */
        session_status(s, "the peer speaks udpchat: delivery confirmation is back");
    }
    s->legacy_since = 0;
    plain_release_held(s, 0);
    if (!(h.caps & HELLO_ANSWER)) send_hello(s, 1, now);
    if (s->state == ST_CONNECTING || s->state == ST_DOWN) go_up(s);
}

static void on_challenge(session *s, const wire_header *hd, wire_reader *r, uint64_t now)
{
    wire_challenge c;
    if (wire_parse_challenge(r, &c) != WIRE_OK) {
        s->stats.dropped_malformed++;
        return;
    }
    if (hd->dest_session != s->me || s->state == ST_QUITTING || now < s->next_echo) {
        s->stats.dropped_session++;
        return;
    }
    s->next_echo = now + ECHO_GAP_MS;
    s->spoke = 1; /* it knows our session: it read our HELLO */
    if (s->them && (!s->tx || hd->token != s->tx)) return; /* answers a stale HELLO of ours */
    if (s->them) { /* it no longer knows our link: both start a new one */
        s->them = 0;
        s->tx = 0;
        s->epoch++;
        session_go(s, SI_LINK_RESET);
    }
    s->cookie = c.cookie;
    s->cookie_ts = c.cookie_ts;
    s->cookie_from = hd->session;
    send_hello(s, 0, now);
}

/* ---- an open session ---- */

static void on_bye(session *s, wire_reader *r, uint64_t now)
{
    uint8_t reason = wire_read_u8(r);
    size_t n;
    const uint8_t *t = wire_read_rest(r, &n);
    char *text = msg_field((const char *)t, n);
    send_ctl(s, WIRE_BYE_ACK, s->them, s->tx, NULL, 0, now);
    if (s->state == ST_UP) {
        if (s->cfg.role == SESSION_PEER)
            evq_emit(&s->events, EV_LEAVE, 0, s->remote_nick, NULL, text, 0, reason);
        else
            evq_emit(&s->events, EV_STATUS, 0, NULL, NULL, "the server closed the session", 0, reason);
        session_go(s, SI_REMOTE_BYE);
    }
    free(text);
}

static void on_session_datagram(session *s, const wire_header *h, wire_reader *r, uint64_t now)
{
    wire_data d;
    wire_ack a;
    s->last_rx = now;
    if (s->state == ST_DOWN && h->type != WIRE_BYE && h->type != WIRE_BYE_ACK) go_up(s);
    switch (h->type) {
    case WIRE_DATA: /* not taken (nor acknowledged) while the front end cannot take more:
                       the sender resends it later, and never hears "delivered" for a drop */
        if (!evq_has_room(&s->events, WIRE_MAX_MESSAGE)) s->stats.dropped_busy++;
        else if (wire_parse_data(r, &d) == WIRE_OK) link_on_data(s->lk, &d, now);
        else s->stats.dropped_malformed++;
        break;
    case WIRE_ACK:
        if (wire_parse_ack(r, &a) == WIRE_OK) link_on_ack(s->lk, &a, now);
        else s->stats.dropped_malformed++;
        break;
    case WIRE_PING: send_ctl(s, WIRE_PONG, s->them, s->tx, NULL, 0, now); break;
    case WIRE_PONG: break;
    case WIRE_BYE: on_bye(s, r, now); break;
    case WIRE_BYE_ACK:
        session_go(s, SI_BYE_ACK);
        break;
    default: s->stats.dropped_malformed++; break;
    }
    drain_link(s);
}

/* RESET echoes the token of what it answers: only our own link token makes it genuine. */
static void on_reset(session *s, const wire_header *h, uint64_t now)
{
    if (h->dest_session != s->me || !s->tx || h->token != s->tx) {
        s->stats.dropped_session++;
        return;
    }
    if (session_go(s, SI_LINK_RESET) == ST_QUITTING) return; /* it forgot us: nothing left to say */
    s->them = 0;
    s->tx = 0;
    s->cookie = 0;
    s->epoch++; /* a new link on both sides: nothing old is taken for a duplicate */
    send_hello(s, 0, now);
}

static void on_refuse(session *s, const wire_header *h, wire_reader *r)
{
    size_t n;
    if (h->dest_session != s->me || h->token != rx_for(s, h->session) || s->state != ST_CONNECTING) {
        s->stats.dropped_session++;
        return;
    }
    (void)wire_read_u8(r);
    const uint8_t *t = wire_read_rest(r, &n);
    char *text = msg_field((const char *)t, n);
    evq_emit(&s->events, EV_REFUSED, 0, NULL, NULL, text, 0, 0);
    free(text);
    session_go(s, SI_REFUSED);
}

static void tell_version(session *s, int version)
{
    char text[160];
    if (s->version_told) return;
    s->version_told = 1;
    if (version)
        snprintf(text, sizeof text, "%s speaks udpchat protocol %d and this udpchat speaks %d: "
                 "install the same udpchat version on both sides", s->label, version, WIRE_VERSION);
    else
        snprintf(text, sizeof text, "%s speaks another udpchat protocol than this one (%d): "
                 "install the same udpchat version on both sides", s->label, WIRE_VERSION);
    evq_emit(&s->events, EV_ERROR, 0, NULL, NULL, text, 0, 0);
}

static void on_other_version(session *s, const wire_header *h, size_t len, uint64_t now)
{
    buf b = {0};
    s->stats.dropped_version++;
    if (s->them || s->legacy) return; /* a session with it, or plain text: forged or stray */
    if (h->type == WIRE_UNSUPPORTED) { /* what we sent is not understood there */
        if (h->dest_session == s->me) tell_version(s, h->version);
        return;
    }
    if (h->type != WIRE_HELLO || h->version > 16) return; /* garbage, not an older udpchat */
    tell_version(s, h->version);
    wire_write_unsupported(&b, h->version, s->me, h->session);
    if (b.len <= len && control_allowed(s, now)) emit_raw(s, b.data, b.len, now);
    buf_free(&b);
}

static void on_protocol(session *s, const wire_header *h, wire_reader *r, uint64_t now)
{
    switch (h->type) {
    case WIRE_HELLO: on_hello(s, h, r, now); return;
    case WIRE_CHALLENGE: on_challenge(s, h, r, now); return;
    case WIRE_RESET: on_reset(s, h, now); return;
    case WIRE_REFUSE: on_refuse(s, h, r); return;
    case WIRE_UNSUPPORTED:
        if (h->dest_session == s->me && !s->them) tell_version(s, 0);
        s->stats.dropped_version++;
        return;
    default: break;
    }
    if (s->them && h->session == s->them && h->dest_session == s->me && h->token == s->rx) {
        on_session_datagram(s, h, r, now);
        return;
    }
    s->stats.dropped_session++; /* stale, misdirected or forged */
    if (h->dest_session != s->me && h->token && control_allowed(s, now))
        send_ctl(s, WIRE_RESET, h->session, h->token, NULL, 0, now); /* we restarted: say so */
}

/* A calling card from the remote: the HELLO inside is handled like one that came bare. */
static int on_card(session *s, const void *data, size_t len, uint64_t now)
{
    uint8_t d[WIRE_CARD_DATAGRAM_MAX];
    size_t n = wire_card_read(data, len, d, sizeof d);
    if (!n) return 0;
    s->in_card = 1;
    session_on_datagram(s, d, n, now);
    s->in_card = 0;
    return 1;
}

void session_on_datagram(session *s, const void *data, size_t len, uint64_t now)
{
    wire_header h;
    wire_reader r;
    s->now = now;
    if (s->state == ST_DONE || len == 0) return;
    if (!wire_is_ours(data, len)) {
        /* 0xFF starts no text in any charset we know (wire.h): a cut-short header, not text */
        if (*(const uint8_t *)data == WIRE_MAGIC0) s->stats.dropped_malformed++;
        else if (!on_card(s, data, len, now)) plain_on_datagram(s, data, len, now);
        return;
    }
    wire_result rc = wire_parse_header(data, len, &h, &r);
    if (rc == WIRE_OTHER_VERSION) on_other_version(s, &h, len, now);
    else if (rc != WIRE_OK) s->stats.dropped_malformed++;
    else if (!s->legacy || !s->cfg.legacy) on_protocol(s, &h, &r, now);
}

/* ---- user actions ---- */

uint32_t session_say(session *s, const char *text, int flags, const char *to, uint64_t now)
{
    s->now = now;
    size_t n = strlen(text);
    if (n == 0) return 0;
    if (n > WIRE_MAX_TEXT) {
        evq_emit(&s->events, EV_ERROR, 0, NULL, NULL, "message too long (64 KiB at most)", 0, 0);
        return 0;
    }
    if (s->legacy) { /* ids continue the link's, so no two "sent" share one */
        plain_say(s, text, n, now);
        uint32_t id = link_next_id(s->lk) + s->plain_ids++;
        return id;
    }
    buf b = {0};
    msg_build_ref(&b, MSG_CHAT, (uint8_t)flags, 0, link_next_id(s->lk), NULL, to, text);
    uint32_t id = link_send(s->lk, b.data, b.len, now);
    buf_free(&b);
    if (!id) evq_emit(&s->events, EV_ERROR, 0, NULL, NULL, "too many messages waiting: not sent", 0, 0);
    if (s->state == ST_UP) link_service(s->lk, now, link_emit, s);
    return id;
}

static void send_msg(session *s, uint8_t kind, const char *a, const char *b, uint64_t now)
{
    if (s->legacy || s->cfg.role != SESSION_CLIENT) return;
    buf m = {0};
    msg_build(&m, kind, 0, 0, a, b, NULL);
    link_send(s->lk, m.data, m.len, now);
    buf_free(&m);
    if (s->state == ST_UP) link_service(s->lk, now, link_emit, s);
}

void session_set_nick(session *s, const char *nick, uint64_t now)
{
    if (s->cfg.role == SESSION_CLIENT) send_msg(s, MSG_NICK, NULL, nick, now);
}

void session_request_who(session *s, uint64_t now) { send_msg(s, MSG_WHO, NULL, NULL, now); }

static void send_bye(session *s, const char *reason, uint64_t now)
{
    buf b = {0};
    wire_write_u8(&b, LEAVE_QUIT);
    buf_append_str(&b, reason ? reason : "");
    size_t n = b.len > 200 ? 200 : b.len; /* a reason is short: cut it between characters */
    while (n > 1 && n < b.len && ((uint8_t)b.data[n] & 0xC0) == 0x80) n--;
    send_ctl(s, WIRE_BYE, s->them, s->tx, b.data, n, now);
    buf_free(&b);
    s->bye_tries++;
    s->next_bye = now + 200;
}

void session_quit(session *s, const char *reason, uint64_t now)
{
    if (s->legacy && s->cfg.role == SESSION_CLIENT) {
        plain_client_quit(s, now);
        return;
    }
    if (session_go(s, s->legacy ? SI_QUIT_NOW : SI_QUIT) == ST_UP && !s->legacy) send_bye(s, reason, now);
}

/* ---- timers ---- */

static void on_timeout(session *s)
{
    session_go(s, SI_TIMEOUT);
    if (s->cfg.role == SESSION_PEER)
        evq_emit(&s->events, EV_LEAVE, 0, s->remote_nick, NULL, NULL, 0, LEAVE_TIMEOUT);
    else
        evq_emit(&s->events, EV_STATUS, 0, NULL, NULL, "server not answering; retrying", 0,
                 LEAVE_TIMEOUT);
}

static void service_quitting(session *s, uint64_t now)
{
    if (now < s->next_bye) return;
    if (s->bye_tries >= 3) session_go(s, SI_BYES_SPENT);
    else send_bye(s, NULL, now);
}

void session_service(session *s, uint64_t now)
{
    s->now = now;
    if (s->legacy_since && !s->legacy && now - s->legacy_since >= s->cfg.legacy_grace_ms) plain_become(s);
    if (s->legacy && s->cfg.role == SESSION_CLIENT) plain_client_service(s, now);
    if (s->legacy || s->state == ST_DONE) return;
    if (s->cfg.role == SESSION_CLIENT && !s->spoke && !s->advised && now - s->created >= s->cfg.advice_ms) {
        s->advised = 1;
        evq_emit(&s->events, EV_ERROR, 0, NULL, NULL, "no udpchat server answers there yet (still trying): "
                 "is a udpchat server running at that address and port? For a plain-text relay "
                 "(like the seed programs) use 'udpchat join --legacy'", 0, 0);
    }
    if (s->state == ST_QUITTING) {
        service_quitting(s, now);
        return;
    }
    if (s->state == ST_UP && now - s->last_rx >= s->cfg.timeout_ms) on_timeout(s);
    if (s->state != ST_UP) {
        link_expire(s->lk, now);
        if (now >= s->next_hello) send_hello(s, 0, now);
    } else {
        link_service(s->lk, now, link_emit, s);
        if (now - s->last_tx >= s->hb_ms) send_ctl(s, WIRE_PING, s->them, s->tx, NULL, 0, now);
    }
    drain_link(s);
}

void session_flush(session *s)
{
    if (!s->legacy && s->state == ST_UP) link_flush_ack(s->lk, link_emit, s);
}

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

uint64_t session_next_deadline(session *s, uint64_t now)
{
    uint64_t grace = s->legacy_since && !s->legacy ? s->legacy_since + s->cfg.legacy_grace_ms : UINT64_MAX;
    if (s->legacy) return plain_next_deadline(s);
    if (s->state == ST_DONE) return UINT64_MAX;
    if (s->cfg.role == SESSION_CLIENT && !s->spoke && !s->advised) grace = min64(grace, s->created + s->cfg.advice_ms);
    if (s->state == ST_QUITTING) return s->next_bye;
    if (s->state != ST_UP) return min64(grace, min64(s->next_hello, link_expire_deadline(s->lk)));
    uint64_t t = link_next_deadline(s->lk, now);
    t = min64(t, s->last_tx + s->hb_ms);
    return min64(t, s->last_rx + s->cfg.timeout_ms);
}

/* ---- the session as a core (core.h) ---- */

static void ops_on_datagram(void *core, const net_addr *from, const void *data, size_t len, uint64_t now)
{
    session *s = core;
    char label[32];
    if (addr_equal(from, &s->cfg.remote)) {
        session_on_datagram(s, data, len, now);
        return;
    }
    s->stats.foreign++; /* another address: the seed programs show it (plain-text mode) */
    addr_format(from, label, sizeof label);
    session_on_foreign(s, label, data, len, now);
}

static void ops_flush(void *core, uint64_t now)
{
    (void)now;
    session_flush(core);
}

static void ops_service(void *core, uint64_t now) { session_service(core, now); }
static uint64_t ops_deadline(void *core, uint64_t now) { return session_next_deadline(core, now); }
static int ops_poll(void *core, chat_event *ev) { return session_poll_event(core, ev); }
static int ops_done(void *core) { return session_done(core); }
static void ops_destroy(void *core) { session_destroy(core); }

static uint32_t ops_command(void *core, const core_command *c, uint64_t now)
{
    session *s = core;
    switch (c->type) {
    case CMD_SAY: return session_say(s, c->text, c->flags, c->to, now);
    case CMD_NICK: session_set_nick(s, c->text, now); break;
    case CMD_WHO: session_request_who(s, now); break;
    case CMD_QUIT: session_quit(s, c->text, now); break;
    default: break;
    }
    return 0;
}

const core_ops session_ops = {ops_on_datagram, ops_flush, ops_service, ops_deadline, ops_poll,
                              ops_command, ops_done, ops_destroy};
