/* relay_room.c -- the relay's room rules: forwarding, private messages, nicks, legacy text */
#include <stdlib.h>
#include <string.h>

#include "relay_internal.h"
#include "udpchat/msg.h"
#include "udpchat/nick.h"
#include "udpchat/utf8.h"
#include "udpchat/wire.h"

member *relay_add_legacy(relay *r, const net_addr *from, const char *nick, uint64_t now);
void relay_legacy_leave(relay *r, member *m, int reason, const char *text, uint64_t now);

/* Text for plain-text members, encoded once per charset and reused for each of them. */
typedef struct legacy_text {
    const char *utf8;
    buf enc[4]; /* indexed by charset_id */
} legacy_text;

static void legacy_send(relay *r, member *m, legacy_text *lt)
{
    charset_id cs = m->cs != CHARSET_UNKNOWN ? m->cs : r->cfg.legacy_charset;
    if (cs == CHARSET_UNKNOWN) cs = CHARSET_UTF8;
    buf *b = &lt->enc[cs];
    if (!b->len) charset_encode(cs, lt->utf8, strlen(lt->utf8), 1, b);
    if (b->len) r->emit(r->ctx, &m->addr, b->data, b->len);
}

static void legacy_text_free(legacy_text *lt)
{
    for (int i = 0; i < 4; i++) buf_free(&lt->enc[i]);
}

/* Queues a message for a member. A member whose queue is full has stopped acknowledging
 * for a long while: it is dropped from the room (reason timeout) rather than left to grow
 * or to miss messages silently. */
static void send_blob(member *m, link_blob *blob, uint64_t now)
{
    if (link_send_blob(m->lk, blob, now)) member_mark_dirty(m);
    else if (!m->leaving) member_leave(m->r, m, LEAVE_TIMEOUT, "too far behind", now);
}

/* Sends a message to every member but `except`: protocol members get `wire`,
 * plain-text members get `text` (NULL: nothing). */
static void broadcast(relay *r, member *except, const buf *wire, const char *text, uint64_t now)
{
    link_blob *blob = link_blob_create(wire->data, wire->len);
    legacy_text lt = {text, {{0}}};
    for (member *m = r->head; m; m = m->next) {
        if (m == except || (m->leaving && !r->shutting)) continue;
        if (m->lk) send_blob(m, blob, now);
        else if (text) legacy_send(r, m, &lt);
        r->st.forwarded++;
    }
    link_blob_unref(blob);
    legacy_text_free(&lt);
}

static void send_one(relay *r, member *m, const buf *wire, const char *text, uint64_t now)
{
    if (m->lk) {
        link_blob *blob = link_blob_create(wire->data, wire->len);
        send_blob(m, blob, now);
        link_blob_unref(blob);
    } else if (text) {
        legacy_text lt = {text, {{0}}};
        legacy_send(r, m, &lt);
        legacy_text_free(&lt);
    }
}

static void notice_to(relay *r, member *m, int kind, const char *text, uint64_t now)
{
    buf w = {0}, t = {0};
    msg_build(&w, MSG_NOTICE, (uint8_t)kind, 0, NULL, NULL, text);
    buf_printf(&t, "*** %s", text);
    send_one(r, m, &w, t.data, now);
    buf_free(&w);
    buf_free(&t);
}

void room_roster_text(relay *r, buf *out)
{
    for (member *m = r->head; m; m = m->next) {
        if (m->leaving) continue;
        if (out->len + strlen(m->nick) + 1 > WIRE_MAX_TEXT) break;
        if (out->len) buf_append_byte(out, '\n');
        buf_append_str(out, m->nick);
    }
}

static void send_roster(relay *r, member *m, uint64_t now)
{
    buf w = {0}, roster = {0};
    room_roster_text(r, &roster);
    msg_build(&w, MSG_ROSTER, 0, 0, NULL, NULL, roster.data ? roster.data : "");
    send_one(r, m, &w, NULL, now);
    buf_free(&w);
    buf_free(&roster);
}

void room_send_welcome(relay *r, member *m, uint64_t now)
{
    buf w = {0};
    msg_build(&w, MSG_WELCOME, 0, 0, m->nick, NULL, NULL);
    send_one(r, m, &w, NULL, now);
    buf_free(&w);
    send_roster(r, m, now);
}

void room_announce_join(relay *r, member *m, uint64_t now)
{
    buf w = {0}, t = {0};
    msg_build(&w, MSG_JOINED, 0, 0, m->nick, NULL, NULL);
    buf_printf(&t, "*** %s joined", m->nick);
    broadcast(r, m, &w, t.data, now);
    buf_free(&w);
    buf_free(&t);
}

void room_announce_leave(relay *r, member *m, int reason, const char *text, uint64_t now)
{
    buf w = {0}, t = {0};
    if (!m) { /* the whole server is going away */
        msg_build(&w, MSG_SHUTDOWN, 0, 0, NULL, NULL, text);
        broadcast(r, NULL, &w, "bye bye", now);
    } else {
        msg_build(&w, MSG_LEFT, 0, (uint8_t)reason, m->nick, NULL, text);
        buf_printf(&t, "*** %s left (%s%s%s)", m->nick, wire_leave_reason_name(reason),
                   text && *text ? ": " : "", text ? text : "");
        broadcast(r, reason == LEAVE_KICKED ? NULL : m, &w, t.data, now);
    }
    buf_free(&w);
    buf_free(&t);
}

static void chat(relay *r, member *m, int flags, const char *to, const char *text, uint64_t now)
{
    buf w = {0}, t = {0};
    if (flags & CHAT_ACTION) buf_printf(&t, "* %s %s", m->nick, text);
    else buf_printf(&t, "%s%s : %s", to ? "[private] " : "", m->nick, text);
    if (!to) {
        msg_build(&w, MSG_CHAT, (uint8_t)(flags & CHAT_ACTION), 0, m->nick, NULL, text);
        broadcast(r, m, &w, t.data, now);
    } else {
        member *dst = member_by_nick(r, to);
        if (!dst) {
            buf_clear(&t);
            buf_printf(&t, "no such nick: %s", to);
            notice_to(r, m, NOTICE_ERROR, t.data, now);
        } else {
            msg_build(&w, MSG_CHAT, (uint8_t)((flags & CHAT_ACTION) | CHAT_PRIVATE), 0, m->nick,
                      dst->nick, text);
            send_one(r, dst, &w, t.data, now);
            r->st.forwarded++;
        }
    }
    buf_free(&w);
    buf_free(&t);
}

static void rename_member(relay *r, member *m, const char *nick, uint64_t now)
{
    const char *why;
    member *other = member_by_nick(r, nick);
    if (!nick_valid(nick, &why)) {
        notice_to(r, m, NOTICE_ERROR, why, now);
        return;
    }
    if (other && other != m) {
        notice_to(r, m, NOTICE_ERROR, "that nick is taken", now);
        return;
    }
    buf w = {0}, t = {0};
    msg_build(&w, MSG_NICK, 0, 0, m->nick, nick, NULL);
    buf_printf(&t, "*** %s is now %s", m->nick, nick);
    evq_emit(&r->events, EV_NICK, 0, m->nick, nick, NULL, 0, 0);
    free(m->nick);
    m->nick = str_dup(nick);
    broadcast(r, NULL, &w, t.data, now);
    buf_free(&w);
    buf_free(&t);
}

void room_on_message(relay *r, member *m, const uint8_t *data, size_t len, uint64_t now)
{
    chat_msg cm;
    if (msg_parse(data, len, &cm) < 0) {
        r->st.dropped_malformed++;
        return;
    }
    char *b = msg_field(cm.b, cm.blen), *text = msg_field(cm.text, cm.text_len);
    if (cm.kind == MSG_CHAT && strlen(text) > WIRE_MAX_TEXT)
        notice_to(r, m, NOTICE_ERROR, "message too long (64 KiB at most): not relayed", now);
    else if (cm.kind == MSG_CHAT && *text) chat(r, m, cm.flags, *b ? b : NULL, text, now);
    else if (cm.kind == MSG_NICK) rename_member(r, m, b, now);
    else if (cm.kind == MSG_WHO) send_roster(r, m, now);
    else r->st.dropped_malformed++;
    free(b);
    free(text);
}

/* Makes a nick out of a plain-text client's first datagram: no controls or spaces,
 * at most 32 characters, unique (a numeric suffix if needed). */
static void legacy_nick(relay *r, const char *text, buf *out)
{
    buf clean = {0};
    size_t len = strlen(text), chars = 0;
    for (size_t i = 0; i < len && chars < WIRE_MAX_NICK - 8;) { /* room for "-1234567" */
        uint32_t cp;
        size_t bad;
        int n = utf8_decode_one(text + i, len - i, &cp, &bad);
        if (n <= 0) break;
        if (cp <= 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x3000) cp = '_';
        if (!(chars == 0 && cp == '/')) utf8_encode_one(cp, &clean), chars++;
        i += (size_t)n;
    }
    if (!clean.len) buf_append_str(&clean, "guest");
    buf_append_str(out, clean.data);
    /* at most r->count nicks are taken, so some suffix up to count + 2 is free */
    for (size_t k = 2; member_by_nick(r, out->data) && k <= r->count + 2; k++) {
        buf_clear(out);
        buf_printf(out, "%s-%lu", clean.data, (unsigned long)k);
    }
    buf_free(&clean);
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ')) s[--n] = '\0';
}

void room_legacy_text(relay *r, member *m, const net_addr *from, const char *data, size_t len,
                      uint64_t now)
{
    charset_id cs = m ? m->cs : CHARSET_UNKNOWN;
    if (cs == CHARSET_UNKNOWN) cs = charset_detect(data, len);
    if (m && m->cs == CHARSET_UNKNOWN) m->cs = cs; /* remembered once it sent non-ASCII */
    buf text = {0};
    charset_decode(cs == CHARSET_UNKNOWN ? CHARSET_UTF8 : cs, data, len, 1, &text);
    char *t = buf_detach(&text);
    trim(t);
    int hb = strcmp(t, "^hb^") == 0, quit = strcmp(t, "quit") == 0;
    if (m) m->last_rx = now;
    if (!m && !hb && !quit && *t) {
        buf nick = {0};
        legacy_nick(r, t, &nick);
        m = relay_add_legacy(r, from, nick.data, now);
        if (m) {
            m->cs = cs;
            room_announce_join(r, m, now);
        }
        buf_free(&nick);
    } else if (m && quit) {
        relay_legacy_leave(r, m, LEAVE_QUIT, NULL, now);
    } else if (m && !hb && *t) {
        chat(r, m, 0, NULL, t, now);
    }
    free(t);
}

void relay_notice(relay *r, const char *text, uint64_t now)
{
    buf w = {0}, t = {0};
    msg_build(&w, MSG_NOTICE, NOTICE_ADMIN, 0, NULL, NULL, text);
    buf_printf(&t, "*** notice: %s", text);
    broadcast(r, NULL, &w, t.data, now);
    evq_emit(&r->events, EV_NOTICE, 0, NULL, NULL, t.data, 0, 0);
    buf_free(&w);
    buf_free(&t);
}
