/* relay_room.c -- the relay's room rules: forwarding, private messages, nicks, leaves, receipts */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay_room.h"
#include "udpchat/mem.h"
#include "udpchat/msg.h"
#include "udpchat/nick.h"
#include "udpchat/utf8.h"
#include "udpchat/wire.h"

#define LEAVE_GRACE_MS 2000 /* a leaving member's link gets this long to deliver what it has */

/* Queues a message for a member. A member whose queue is full has stopped acknowledging
 * for a long while: it is marked `behind` and leaves after this broadcast (room_settle),
 * never from in here. Returns 1 if queued. */
static int send_blob(member *m, link_blob *blob, fanout *f, uint64_t now)
{
    if (m->behind) return 0;
    if (link_send_tagged(m->lk, blob, f, now)) {
        member_mark_dirty(m);
        return 1;
    }
    m->behind = 1;
    m->r->nbehind++;
    return 0;
}

static fanout *fanout_new(const member *sender, uint32_t ref)
{
    if (!sender || sender->legacy || !ref) return NULL; /* nobody to tell */
    fanout *f = xcalloc(1, sizeof *f);
    f->sender = sender->addr;
    f->session = sender->session;
    f->ref = ref;
    f->pending = 1; /* held by the broadcast itself until it is over */
    return f;
}

static void fanout_add(fanout *f, int queued)
{
    if (!f) return;
    f->total++;
    f->pending += queued != 0;
}

/* Sends a message to every member but `except`: protocol members get `wire`,
 * plain-text members get `text` (NULL: nothing). */
static void broadcast(relay *r, member *except, const buf *wire, const char *text, fanout *f, uint64_t now)
{
    link_blob *blob = link_blob_create(wire->data, wire->len);
    plain_line line = {text, {{0}}};
    for (member *m = r->head; m; m = m->next) {
        if (m == except || (m->leaving && !r->shutting)) continue;
        if (m->lk) fanout_add(f, send_blob(m, blob, f, now));
        else if (text) plain_send_line(r, m, &line, now);
        r->st.forwarded++;
    }
    link_blob_unref(blob);
    plain_line_free(&line);
    if (f) fanout_settle(r, f, 0); /* the broadcast's own hold: not a member */
}

static void send_one(relay *r, member *m, const buf *wire, const char *text, fanout *f, uint64_t now)
{
    if (m->lk) {
        link_blob *blob = link_blob_create(wire->data, wire->len);
        fanout_add(f, send_blob(m, blob, f, now));
        link_blob_unref(blob);
    } else if (text) {
        plain_send(r, m, text, now);
    }
    if (f) fanout_settle(r, f, 0);
}

static void notice_to(relay *r, member *m, int kind, const char *text, uint64_t now)
{
    buf w = {0}, t = {0};
    msg_build(&w, MSG_NOTICE, (uint8_t)kind, 0, NULL, NULL, text);
    buf_printf(&t, "*** %s", text);
    send_one(r, m, &w, t.data, NULL, now);
    buf_free(&w);
    buf_free(&t);
}

static void send_receipt(relay *r, member *m, uint32_t ref, uint32_t acked, uint32_t total, uint64_t now)
{
    char counts[24];
    buf w = {0};
    snprintf(counts, sizeof counts, "%u/%u", (unsigned)acked, (unsigned)total);
    msg_build_ref(&w, MSG_RECEIPT, 0, 0, ref, NULL, NULL, counts);
    send_one(r, m, &w, NULL, NULL, now);
    buf_free(&w);
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
    send_one(r, m, &w, NULL, NULL, now);
    buf_free(&w);
    buf_free(&roster);
}

void room_send_welcome(relay *r, member *m, uint64_t now)
{
    buf w = {0};
    msg_build(&w, MSG_WELCOME, 0, 0, m->nick, NULL, NULL);
    send_one(r, m, &w, NULL, NULL, now);
    buf_free(&w);
    send_roster(r, m, now);
}

/* Joins and leaves reach protocol members one by one (reliably) and plain-text members
 * together, once a second (plain_news): a burst of joins is not a burst of datagrams.
 * Plain-text members hear only of protocol members: a plain-text join can be forged
 * (§14), and must not make other plain-text addresses a fan-out. */
void room_announce_join(relay *r, member *m, uint64_t now)
{
    buf w = {0}, t = {0};
    msg_build(&w, MSG_JOINED, 0, 0, m->nick, NULL, NULL);
    buf_printf(&t, "*** %s joined", m->nick);
    broadcast(r, m, &w, NULL, NULL, now);
    if (!m->legacy) plain_news(r, t.data);
    buf_free(&w);
    buf_free(&t);
}

static void announce_leave(relay *r, member *m, int reason, const char *text, uint64_t now)
{
    buf w = {0}, t = {0};
    if (!m) { /* the whole server is going away */
        msg_build(&w, MSG_SHUTDOWN, 0, 0, NULL, NULL, text);
        broadcast(r, NULL, &w, "bye bye", NULL, now);
    } else {
        msg_build(&w, MSG_LEFT, 0, (uint8_t)reason, m->nick, NULL, text);
        buf_printf(&t, "*** %s left (%s%s%s)", m->nick, wire_leave_reason_name(reason),
                   text && *text ? ": " : "", text ? text : "");
        if (reason == LEAVE_KICKED) send_one(r, m, &w, t.data, NULL, now); /* it hears why */
        broadcast(r, m, &w, NULL, NULL, now);
        if (!m->legacy) plain_news(r, t.data);
    }
    buf_free(&w);
    buf_free(&t);
}

static void private_chat(relay *r, member *m, int flags, const char *to, const char *text,
                         const char *plain, fanout *f, uint64_t now)
{
    buf w = {0}, t = {0};
    member *dst = member_by_nick(r, to);
    if (!dst) {
        buf_printf(&t, "no such nick: %s", to);
        notice_to(r, m, NOTICE_ERROR, t.data, now);
        if (f) fanout_settle(r, f, 0);
    } else {
        msg_build(&w, MSG_CHAT, (uint8_t)((flags & CHAT_ACTION) | CHAT_PRIVATE), 0, m->nick, dst->nick, text);
        send_one(r, dst, &w, plain, f, now);
        r->st.forwarded++;
    }
    buf_free(&w);
    buf_free(&t);
}

void room_chat(relay *r, member *m, int flags, const char *to, const char *text, uint32_t ref, uint64_t now)
{
    buf w = {0}, t = {0};
    fanout *f = fanout_new(m, ref);
    if (flags & CHAT_ACTION) buf_printf(&t, "* %s %s", m->nick, text);
    else buf_printf(&t, "%s%s : %s", to ? "[private] " : "", m->nick, text);
    if (to) {
        private_chat(r, m, flags, to, text, t.data, f, now);
    } else {
        msg_build(&w, MSG_CHAT, (uint8_t)(flags & CHAT_ACTION), 0, m->nick, NULL, text);
        broadcast(r, m, &w, t.data, f, now);
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
        notice_to(r, m, NOTICE_ERROR, "that nick is taken (or looks like one that is)", now);
        return;
    }
    buf w = {0}, t = {0};
    msg_build(&w, MSG_NICK, 0, 0, m->nick, nick, NULL);
    buf_printf(&t, "*** %s is now %s", m->nick, nick);
    evq_emit(&r->events, EV_NICK, 0, m->nick, nick, NULL, 0, 0);
    member_rename(m, nick);
    broadcast(r, NULL, &w, NULL, NULL, now);
    plain_news(r, t.data);
    buf_free(&w);
    buf_free(&t);
}

static void on_message(relay *r, member *m, const uint8_t *data, size_t len, uint64_t now)
{
    chat_msg cm;
    if (msg_parse(data, len, &cm) < 0) {
        r->st.dropped_malformed++;
        return;
    }
    char *b = msg_field(cm.b, cm.blen), *text = msg_field(cm.text, cm.text_len);
    if (cm.kind == MSG_CHAT && strlen(text) > WIRE_MAX_TEXT)
        notice_to(r, m, NOTICE_ERROR, "message too long (64 KiB at most): not relayed", now);
    else if (cm.kind == MSG_CHAT && *text) room_chat(r, m, cm.flags, *b ? b : NULL, text, cm.ref, now);
    else if (cm.kind == MSG_NICK) rename_member(r, m, b, now);
    else if (cm.kind == MSG_WHO) send_roster(r, m, now);
    else r->st.dropped_malformed++;
    free(b);
    free(text);
}

void room_notice(relay *r, const char *text, uint64_t now)
{
    buf w = {0}, t = {0};
    msg_build(&w, MSG_NOTICE, NOTICE_ADMIN, 0, NULL, NULL, text);
    buf_printf(&t, "*** notice: %s", text);
    broadcast(r, NULL, &w, t.data, NULL, now);
    evq_emit(&r->events, EV_NOTICE, 0, NULL, NULL, t.data, 0, 0);
    buf_free(&w);
    buf_free(&t);
}

void room_shutdown(relay *r, const char *text, uint64_t now)
{
    for (member *m = r->head; m; m = m->next) {
        if (m->leaving) continue;
        m->leaving = 1;
        m->leave_at = r->shutdown_at;
    }
    announce_leave(r, NULL, LEAVE_SHUTDOWN, text, now);
    r->nbehind = 0; /* everyone is leaving already */
    for (member *m = r->head; m; m = m->next) m->behind = 0;
}

/* ---- departures ---- */

void room_leave(relay *r, member *m, int reason, const char *text, uint64_t now)
{
    if (m->leaving) return;
    m->leaving = 1; /* first: nothing announced below can make it leave again */
    m->leave_at = now + LEAVE_GRACE_MS;
    announce_leave(r, m, reason, text, now);
    relay_log(r, EV_LEAVE, m->nick, &m->addr, text, reason);
}

void room_settle(relay *r, uint64_t now)
{
    while (r->nbehind) {
        member *m = r->head;
        while (m && !m->behind) m = m->next;
        if (!m) break;
        m->behind = 0;
        r->nbehind--;
        room_leave(r, m, LEAVE_TIMEOUT, "too far behind", now); /* may mark others behind */
    }
}

/* ---- links and receipts ---- */

void room_drain(relay *r, member *m, uint64_t now)
{
    link_event le;
    while (link_poll(m->lk, &le)) {
        if (le.type == LINK_EV_MESSAGE && !m->leaving) on_message(r, m, le.data, le.len, now);
        else if (le.tag && (le.type == LINK_EV_DELIVERED || le.type == LINK_EV_UNDELIVERED))
            fanout_settle(r, le.tag, le.type == LINK_EV_DELIVERED);
        link_event_free(&le);
    }
}

/* A receipt goes to its sender only if that member is still here, the same session, and
 * not leaving (a sender that restarted is not told about its previous life). */
void room_send_receipts(relay *r, uint64_t now)
{
    for (size_t i = 0; i < r->nreceipts; i++) {
        const receipt *c = &r->receipts[i];
        member *s = member_find(r, &c->sender);
        if (s && s->session == c->session && !s->leaving) send_receipt(r, s, c->ref, c->acked, c->total, now);
    }
    r->nreceipts = 0;
}
