/* session_plain.c -- a session talking plain text to seed-style programs (peer or relay) */
#include <stdlib.h>
#include <string.h>

#include "session_internal.h"
#include "udpchat/mem.h"
#include "udpchat/msg.h"
#include "udpchat/utf8.h"
#include "udpchat/wire.h"

/* What the seed programs do, and so what we do with them: one datagram is one line, in
 * the program's charset, read with recvfrom(1024) and decoded strictly. So every line is
 * cut into datagrams of at most cfg.legacy_max bytes (1024), never inside a character.
 * A relay of theirs (seeds 002 and 003) takes the first datagram as the nick, relays
 * lines as "nick : text", may answer "ack ...", ends with "bye bye"; `quit` leaves and
 * `^hb^` is a heartbeat. */

static charset_id out_charset(const session *s) { return s->lcs == CHARSET_UNKNOWN ? CHARSET_UTF8 : s->lcs; }

void plain_say(session *s, const char *text, size_t len, uint64_t now)
{
    buf out = {0};
    charset_id cs = out_charset(s);
    size_t max = s->cfg.legacy_max ? s->cfg.legacy_max : 1024;
    charset_encode(cs, text, len, 1, &out);
    for (size_t off = 0; off < out.len;) {
        size_t n = charset_fit(cs, out.data + off, out.len - off, max);
        emit_raw(s, out.data + off, n, now);
        off += n;
    }
    buf_free(&out);
}

static void emit_plain_event(session *s, chat_event_type t, const char *from, const char *text, int flags)
{
    chat_event ev = {0};
    ev.type = t;
    ev.legacy = 1;
    ev.flags = flags;
    ev.from = xstrdup(from ? from : s->label);
    ev.text = text ? xstrdup(text) : NULL;
    evq_push(&s->events, &ev);
}

static void resend_as_plain(void *ctx, uint32_t id, const uint8_t *data, size_t len)
{
    session *s = ctx;
    chat_msg m;
    (void)id;
    if (msg_parse(data, len, &m) == 0 && m.kind == MSG_CHAT) plain_say(s, m.text, m.text_len, s->now);
}

void plain_release_held(session *s, int show)
{
    for (size_t i = 0; i < s->nheld; i++) {
        if (show) emit_plain_event(s, EV_MESSAGE, NULL, s->held[i], 0);
        else s->stats.dropped_malformed++;
        free(s->held[i]);
    }
    s->nheld = 0;
}

void plain_free(session *s) { plain_release_held(s, 0); }

void plain_become(session *s)
{
    s->legacy = 1;
    s->legacy_since = 0;
    link_drain_pending(s->lk, resend_as_plain, s);
    if (session_go(s, SI_PLAIN) != ST_UP) emit_plain_event(s, EV_JOIN, NULL, NULL, 0);
    evq_emit(&s->events, EV_STATUS, 0, s->label, NULL,
             "plain-text peer (seed-compatible mode): no delivery confirmation", 0, 0);
    plain_release_held(s, 1);
}

/* ---- a relay of the seeds' kind (join --legacy) ---- */

void plain_client_start(session *s, uint64_t now)
{
    plain_say(s, s->nick, strlen(s->nick), now); /* the first datagram is the nick */
    session_go(s, SI_PLAIN);
    if (s->cfg.legacy_heartbeat_ms) s->next_plain_hb = now + s->cfg.legacy_heartbeat_ms;
    evq_emit(&s->events, EV_STATUS, 0, s->nick, NULL, "joined (plain-text relay: no delivery confirmation)", 0, 0);
}

void plain_client_service(session *s, uint64_t now)
{
    if (!s->cfg.legacy_heartbeat_ms || s->state != ST_UP || now < s->next_plain_hb) return;
    emit_raw(s, "^hb^", 4, now);
    s->next_plain_hb = now + s->cfg.legacy_heartbeat_ms;
}

void plain_client_quit(session *s, uint64_t now)
{
    if (session_go(s, SI_QUIT_NOW) == ST_UP) emit_raw(s, "quit", 4, now);
}

uint64_t plain_next_deadline(const session *s)
{
    if (s->cfg.role != SESSION_CLIENT || !s->cfg.legacy_heartbeat_ms || s->state != ST_UP) return UINT64_MAX;
    return s->next_plain_hb;
}

/* A line from a seed relay: "nick : text" is nick's, "[private] nick : text" too (to us),
 * "bye bye" the relay going away, "*** ..." its notices; anything else is the relay's. */
static void client_line(session *s, const char *t)
{
    const char *sep = strstr(t, " : ");
    int priv = strncmp(t, "[private] ", 10) == 0;
    const char *nick = priv ? t + 10 : t;
    if (strcmp(t, "bye bye") == 0) {
        evq_emit(&s->events, EV_SHUTDOWN, 0, NULL, NULL, NULL, 0, 0);
    } else if (strncmp(t, "*** ", 4) == 0) {
        evq_emit(&s->events, EV_NOTICE, 0, NULL, NULL, t + 4, 0, 0);
    } else if (sep && sep > nick && (size_t)(sep - nick) <= WIRE_NICK_BYTES && !memchr(nick, ' ', (size_t)(sep - nick))) {
        char *who = xstrndup(nick, (size_t)(sep - nick));
        emit_plain_event(s, EV_MESSAGE, who, sep + 3, priv ? CHAT_PRIVATE : 0);
        free(who);
    } else {
        emit_plain_event(s, EV_MESSAGE, NULL, t, 0);
    }
}

/* ---- receiving ---- */

static char *decode_line(session *s, const char *data, size_t len)
{
    buf text = {0};
    while (len && (data[len - 1] == '\n' || data[len - 1] == '\r')) len--;
    charset_decode(out_charset(s), data, len, 1, &text);
    return text.data ? buf_detach(&text) : xstrdup("");
}

void plain_on_datagram(session *s, const char *data, size_t len, uint64_t now)
{
    if (!s->legacy && s->them != 0) { /* a udpchat session is open with that address */
        s->stats.dropped_malformed++;
        return;
    }
    s->stats.legacy_datagrams++;
    if (s->cfg.legacy_charset == CHARSET_UNKNOWN && s->lcs == CHARSET_UNKNOWN) s->lcs = charset_detect(data, len);
    if (s->legacy) s->last_rx = now;
    char *t = decode_line(s, data, len);
    if (s->legacy && s->cfg.role == SESSION_CLIENT) {
        client_line(s, t);
    } else if (s->legacy) {
        emit_plain_event(s, EV_MESSAGE, NULL, t, 0);
    } else if (s->cfg.role == SESSION_CLIENT) { /* `join` reached something that is no udpchat server */
        if (!s->advised++)
            evq_emit(&s->events, EV_ERROR, 0, NULL, NULL, "the server answers in plain text: it is not a udpchat "
                     "server. For a plain-text relay (like the seed programs) use 'udpchat join --legacy'", 0, 0);
    } else {
        if (!s->legacy_since) s->legacy_since = now; /* switch only if no HELLO answers */
        if (s->nheld < HELD_MAX) s->held[s->nheld++] = t, t = NULL;
        else s->stats.dropped_malformed++; /* more than a person types in the grace period */
    }
    free(t);
}

void session_on_foreign(session *s, const char *from, const void *data, size_t len, uint64_t now)
{
    (void)now;
    if (!s->legacy || !len || wire_is_ours(data, len) || *(const uint8_t *)data == WIRE_MAGIC0) return;
    charset_id cs = s->cfg.legacy_charset != CHARSET_UNKNOWN ? s->cfg.legacy_charset : charset_detect(data, len);
    buf text = {0};
    while (len && (((const char *)data)[len - 1] == '\n' || ((const char *)data)[len - 1] == '\r')) len--;
    charset_decode(cs == CHARSET_UNKNOWN ? CHARSET_UTF8 : cs, data, len, 1, &text);
    emit_plain_event(s, EV_MESSAGE, from, text.data ? text.data : "", 0);
    buf_free(&text);
}
