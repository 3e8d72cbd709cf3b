/* session.c -- a direct peer or a room client: handshake, keepalive, plain-text fallback */
#include "udpchat/session.h"

#include <stdlib.h>
#include <string.h>

#include "udpchat/msg.h"
#include "udpchat/utf8.h"
#include "udpchat/wire.h"

enum { ST_CONNECTING, ST_UP, ST_DOWN, ST_QUITTING, ST_DONE };

struct session {
    session_config cfg;
    char *nick, *label, *remote_nick;
    uint32_t me, them, legacy_ids;
    link *lk;
    session_emit_fn emit;
    void *ctx;
    int state, joined_once, legacy, bye_tries;
    charset_id lcs;
    uint64_t last_rx, last_tx, next_hello, next_bye, next_reset;
    uint32_t hb_ms;
    uint64_t now; /* time of the current call, for link_emit */
    evq events;
    session_stats stats;
};

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
    link_config_default(&c->link);
}

static void emit_raw(session *s, const void *data, size_t len, uint64_t now)
{
    s->last_tx = now;
    s->emit(s->ctx, data, len);
}

static void link_emit(void *ctx, const void *data, size_t len)
{
    session *s = ctx;
    s->last_tx = s->now;
    s->emit(s->ctx, data, len);
}

static void send_simple(session *s, uint8_t type, uint32_t dest, const void *body, size_t n,
                        uint64_t now)
{
    buf b = {0};
    wire_write_header(&b, type, s->me, dest);
    buf_append(&b, body, n);
    wire_seal(b.data, b.len);
    emit_raw(s, b.data, b.len, now);
    buf_free(&b);
}

static void send_hello(session *s, uint64_t now)
{
    buf body = {0};
    wire_hello h = {s->cfg.role == SESSION_CLIENT ? WIRE_ROLE_CLIENT : WIRE_ROLE_PEER, 0,
                    (uint16_t)(s->cfg.heartbeat_ms > 65535 ? 65535 : s->cfg.heartbeat_ms),
                    (uint16_t)(s->cfg.timeout_ms / 1000 > 65535 ? 65535 : s->cfg.timeout_ms / 1000), s->nick, strlen(s->nick)};
    wire_write_hello(&body, &h);
    send_simple(s, WIRE_HELLO, s->them, body.data, body.len, now);
    buf_free(&body);
    s->next_hello = now + s->cfg.hello_interval_ms;
}

session *session_create(const session_config *cfg, uint32_t my_session, session_emit_fn emit,
                        void *ctx, uint64_t now)
{
    session *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->cfg = *cfg;
    s->nick = str_dup(cfg->nick);
    s->label = str_dup(cfg->remote_label);
    s->remote_nick = str_dup(cfg->remote_label);
    s->me = my_session;
    s->emit = emit;
    s->ctx = ctx;
    s->lk = link_create(&cfg->link, my_session, 0);
    s->hb_ms = cfg->heartbeat_ms;
    if (cfg->timeout_ms >= 3 && s->hb_ms > cfg->timeout_ms / 3) s->hb_ms = cfg->timeout_ms / 3;
    s->lcs = cfg->legacy_charset;
    s->legacy = cfg->legacy;
    s->last_rx = s->last_tx = now;
    evq_init(&s->events);
    s->state = ST_CONNECTING;
    if (!s->legacy) send_hello(s, now);
    return s;
}

void session_destroy(session *s)
{
    if (!s) return;
    link_destroy(s->lk);
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

static void emit_legacy_event(session *s, chat_event_type t, const char *text)
{
    chat_event ev = {0};
    ev.type = t;
    ev.legacy = 1;
    ev.from = str_dup(s->label);
    ev.text = text ? str_dup(text) : NULL;
    evq_push(&s->events, &ev);
}

/* ---- plain text (seed-compatible) ---- */

static void legacy_send_text(session *s, const char *text, size_t len, uint64_t now)
{
    buf out = {0};
    charset_encode(s->lcs == CHARSET_UNKNOWN ? CHARSET_UTF8 : s->lcs, text, len, 1, &out);
    if (out.len > 0) emit_raw(s, out.data, out.len, now);
    buf_free(&out);
}

static void resend_as_legacy(void *ctx, uint32_t id, const uint8_t *data, size_t len)
{
    session *s = ctx;
    chat_msg m;
    (void)id;
    if (msg_parse(data, len, &m) == 0 && m.kind == MSG_CHAT)
        legacy_send_text(s, m.text, m.text_len, s->last_rx);
}

static void become_legacy(session *s)
{
    s->legacy = 1;
    link_drain_pending(s->lk, resend_as_legacy, s);
    evq_emit(&s->events, EV_STATUS, 0, s->label, NULL,
             "plain-text peer (seed-compatible mode): no delivery confirmation", 0, 0);
}

static void on_legacy_datagram(session *s, const char *data, size_t len, uint64_t now)
{
    if (!s->legacy && s->them != 0) { /* a udpchat peer is talking to us: forged or stray */
        s->stats.dropped_malformed++;
        return;
    }
    s->stats.legacy_datagrams++;
    s->last_rx = now;
    /* detect first: become_legacy re-sends the queued lines in the peer's charset */
    if (s->cfg.legacy_charset == CHARSET_UNKNOWN && s->lcs == CHARSET_UNKNOWN)
        s->lcs = charset_detect(data, len);
    if (!s->legacy) become_legacy(s);
    if (s->state != ST_UP) {
        s->state = ST_UP;
        emit_legacy_event(s, EV_JOIN, NULL);
    }
    while (len && (data[len - 1] == '\n' || data[len - 1] == '\r')) len--;
    buf text = {0};
    charset_decode(s->lcs == CHARSET_UNKNOWN ? CHARSET_UTF8 : s->lcs, data, len, 1, &text);
    emit_legacy_event(s, EV_MESSAGE, text.data ? text.data : "");
    buf_free(&text);
}

/* ---- protocol ---- */

static void drain_link(session *s);

static void on_chat_msg(session *s, const chat_msg *m)
{
    char *a = msg_field(m->a, m->alen), *b = msg_field(m->b, m->blen);
    char *text = msg_field(m->text, m->text_len);
    int peer = s->cfg.role == SESSION_PEER;
    switch (m->kind) {
    case MSG_CHAT:
        evq_emit(&s->events, EV_MESSAGE, 0, peer ? s->remote_nick : a, peer || !*b ? NULL : b, text,
                 m->flags & (CHAT_ACTION | CHAT_PRIVATE), 0);
        break;
    case MSG_WELCOME:
        free(s->nick);
        s->nick = str_dup(a);
        evq_emit(&s->events, EV_STATUS, 0, a, NULL, s->joined_once ? "rejoined" : "joined", 0, 0);
        s->joined_once = 1;
        break;
    case MSG_ROSTER: evq_emit(&s->events, EV_ROSTER, 0, NULL, NULL, text, 0, 0); break;
    case MSG_JOINED: evq_emit(&s->events, EV_JOIN, 0, a, NULL, NULL, 0, 0); break;
    case MSG_LEFT:
        evq_emit(&s->events, EV_LEAVE, 0, a, NULL, text, 0, m->reason);
        if (strcmp(a, s->nick) == 0 && m->reason == LEAVE_KICKED) s->state = ST_DONE;
        break;
    case MSG_NICK:
        if (strcmp(a, s->nick) == 0) {
            free(s->nick);
            s->nick = str_dup(b);
        }
        evq_emit(&s->events, EV_NICK, 0, a, b, NULL, 0, 0);
        break;
    case MSG_NOTICE:
        evq_emit(&s->events, m->flags == NOTICE_ERROR ? EV_ERROR : EV_NOTICE, 0, NULL, NULL, text,
                 m->flags, 0);
        break;
    case MSG_SHUTDOWN: evq_emit(&s->events, EV_SHUTDOWN, 0, NULL, NULL, text, 0, 0); break;
    default: s->stats.dropped_malformed++; break;
    }
    free(a);
    free(b);
    free(text);
}

static void drain_link(session *s)
{
    link_event le;
    while (link_poll(s->lk, &le)) {
        chat_msg m;
        if (le.type == LINK_EV_DELIVERED)
            evq_emit(&s->events, EV_DELIVERED, le.id, NULL, NULL, NULL, 0, 0);
        else if (le.type == LINK_EV_UNDELIVERED)
            evq_emit(&s->events, EV_UNDELIVERED, le.id, NULL, NULL, NULL, 0, 0);
        else if (msg_parse(le.data, le.len, &m) == 0 &&
                 (s->cfg.role == SESSION_CLIENT || m.kind == MSG_CHAT))
            on_chat_msg(s, &m);
        else
            s->stats.dropped_malformed++;
        link_event_free(&le);
    }
}

static void go_up(session *s)
{
    int was = s->state;
    s->state = ST_UP;
    if (s->cfg.role == SESSION_PEER)
        evq_emit(&s->events, EV_JOIN, 0, s->remote_nick, NULL, NULL, 0, 0);
    else if (was == ST_DOWN)
        evq_emit(&s->events, EV_STATUS, 0, NULL, NULL, "server is back", 0, 0);
}

static void adopt_session(session *s, uint32_t them, const wire_hello *h, uint64_t now)
{
    link *nl = link_create(&s->cfg.link, s->me, them);
    link_move_pending(s->lk, nl, now);
    link_destroy(s->lk);
    s->lk = nl;
    s->them = them;
    if (s->cfg.role == SESSION_PEER && h->nick_len) {
        free(s->remote_nick);
        s->remote_nick = msg_field(h->nick, h->nick_len);
    }
}

static void on_hello(session *s, const wire_header *hd, wire_reader *r, uint64_t now)
{
    wire_hello h;
    int want = s->cfg.role == SESSION_CLIENT ? WIRE_ROLE_SERVER : WIRE_ROLE_PEER;
    if (wire_parse_hello(r, &h) < 0) {
        s->stats.dropped_malformed++;
        return;
    }
    if (h.role != want) { /* tell the other side what it reached, at most twice a second */
        if (now < s->next_reset) return;
        s->next_reset = now + 500;
        static const char to_client[] = "\0this is a direct peer, not a relay server: use 'udpchat peer'";
        static const char to_other[] = "\0this is a room client, not a peer: use 'udpchat join' to its server";
        const char *why = h.role == WIRE_ROLE_CLIENT ? to_client : to_other; /* reason byte 0 first */
        send_simple(s, WIRE_REFUSE, hd->session, why, 1 + strlen(why + 1), now);
        return;
    }
    if (hd->session != s->them) adopt_session(s, hd->session, &h, now);
    s->last_rx = now;
    if (h.heartbeat_ms && h.heartbeat_ms < s->hb_ms) s->hb_ms = h.heartbeat_ms;
    if (hd->dest_session != s->me) send_hello(s, now);
    if (s->state == ST_CONNECTING || s->state == ST_DOWN) go_up(s);
}

static void maybe_reset(session *s, uint32_t their, uint64_t now)
{
    if (now < s->next_reset) return;
    s->next_reset = now + 500;
    send_simple(s, WIRE_RESET, their, NULL, 0, now);
}

static void on_bye(session *s, wire_reader *r, uint64_t now)
{
    uint8_t reason = wire_read_u8(r);
    size_t n;
    const uint8_t *t = wire_read_rest(r, &n);
    char *text = msg_field((const char *)t, n);
    send_simple(s, WIRE_BYE_ACK, s->them, NULL, 0, now);
    if (s->state == ST_UP) {
        if (s->cfg.role == SESSION_PEER)
            evq_emit(&s->events, EV_LEAVE, 0, s->remote_nick, NULL, text, 0, reason);
        else
            evq_emit(&s->events, EV_STATUS, 0, NULL, NULL, "the server closed the session", 0, reason);
        s->state = ST_DOWN;
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
    case WIRE_DATA:
        if (wire_parse_data(r, &d) == 0) link_on_data(s->lk, &d, now);
        else s->stats.dropped_malformed++;
        break;
    case WIRE_ACK:
        if (wire_parse_ack(r, &a) == 0) link_on_ack(s->lk, &a, now);
        else s->stats.dropped_malformed++;
        break;
    case WIRE_PING: send_simple(s, WIRE_PONG, s->them, NULL, 0, now); break;
    case WIRE_PONG: break;
    case WIRE_BYE: on_bye(s, r, now); break;
    case WIRE_BYE_ACK:
        if (s->state == ST_QUITTING) s->state = ST_DONE;
        break;
    default: s->stats.dropped_malformed++; break;
    }
    drain_link(s);
}

static void on_control(session *s, const wire_header *h, wire_reader *r, uint64_t now)
{
    size_t n;
    const uint8_t *t;
    if (h->dest_session != s->me) {
        s->stats.dropped_session++;
        return;
    }
    if (h->type == WIRE_RESET) {
        if (s->state == ST_QUITTING) {
            s->state = ST_DONE; /* the remote already forgot us: nothing left to say */
            return;
        }
        if (s->state == ST_UP) s->state = ST_CONNECTING;
        s->them = 0;
        send_hello(s, now);
    } else if (h->type == WIRE_REFUSE && s->state == ST_CONNECTING) {
        (void)wire_read_u8(r);
        t = wire_read_rest(r, &n);
        char *text = msg_field((const char *)t, n);
        evq_emit(&s->events, EV_REFUSED, 0, NULL, NULL, text, 0, 0);
        free(text);
        s->state = ST_DONE;
    }
}

void session_on_datagram(session *s, const void *data, size_t len, uint64_t now)
{
    wire_header h;
    wire_reader r;
    s->now = now;
    if (s->state == ST_DONE) return;
    if (!wire_is_ours(data, len)) {
        /* 0xFF starts no text in any charset we know (wire.h): a cut-short header, not text */
        if (len > 0 && *(const uint8_t *)data == WIRE_MAGIC0) s->stats.dropped_malformed++;
        else if (len > 0) on_legacy_datagram(s, data, len, now);
        return;
    }
    int rc = wire_parse_header(data, len, &h, &r);
    if (rc == -2) {
        s->stats.dropped_version++;
        if (h.type != WIRE_UNSUPPORTED && now >= s->next_reset) {
            s->next_reset = now + 500;
            send_simple(s, WIRE_UNSUPPORTED, h.session, NULL, 0, now);
        }
        return;
    }
    if (rc < 0) {
        s->stats.dropped_malformed++;
    } else if (h.type == WIRE_HELLO) {
        on_hello(s, &h, &r, now);
    } else if (h.type == WIRE_RESET || h.type == WIRE_REFUSE) {
        on_control(s, &h, &r, now);
    } else if (h.type == WIRE_UNSUPPORTED) {
        s->stats.dropped_version++;
    } else if (h.session != s->them || s->them == 0 || h.dest_session != s->me) {
        s->stats.dropped_session++;
        if (h.dest_session != s->me) maybe_reset(s, h.session, now);
    } else {
        on_session_datagram(s, &h, &r, now);
    }
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
    if (s->legacy) {
        legacy_send_text(s, text, n, now);
        return ++s->legacy_ids;
    }
    buf b = {0};
    msg_build(&b, MSG_CHAT, (uint8_t)flags, 0, NULL, to, text);
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
    send_simple(s, WIRE_BYE, s->them, b.data, n, now);
    buf_free(&b);
    s->bye_tries++;
    s->next_bye = now + 200;
}

void session_quit(session *s, const char *reason, uint64_t now)
{
    if (s->state != ST_UP || s->legacy) {
        s->state = ST_DONE;
        return;
    }
    s->state = ST_QUITTING;
    send_bye(s, reason, now);
}

/* ---- timers ---- */

static void on_timeout(session *s)
{
    s->state = ST_DOWN;
    if (s->cfg.role == SESSION_PEER)
        evq_emit(&s->events, EV_LEAVE, 0, s->remote_nick, NULL, NULL, 0, LEAVE_TIMEOUT);
    else
        evq_emit(&s->events, EV_STATUS, 0, NULL, NULL, "server not answering; retrying", 0,
                 LEAVE_TIMEOUT);
}

void session_service(session *s, uint64_t now)
{
    s->now = now;
    if (s->legacy || s->state == ST_DONE) return;
    if (s->state == ST_QUITTING) {
        if (now >= s->next_bye) {
            if (s->bye_tries >= 3) s->state = ST_DONE;
            else send_bye(s, NULL, now);
        }
        return;
    }
    if (s->state == ST_UP && now - s->last_rx >= s->cfg.timeout_ms) on_timeout(s);
    if (s->state != ST_UP) {
        link_expire(s->lk, now);
        if (now >= s->next_hello) send_hello(s, now);
    } else {
        link_service(s->lk, now, link_emit, s);
        if (now - s->last_tx >= s->hb_ms) send_simple(s, WIRE_PING, s->them, NULL, 0, now);
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
    if (s->legacy || s->state == ST_DONE) return UINT64_MAX;
    if (s->state == ST_QUITTING) return s->next_bye;
    if (s->state != ST_UP) return min64(s->next_hello, link_expire_deadline(s->lk));
    uint64_t t = link_next_deadline(s->lk, now);
    t = min64(t, s->last_tx + s->hb_ms);
    return min64(t, s->last_rx + s->cfg.timeout_ms);
}
