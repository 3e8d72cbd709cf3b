/* model.c -- the chat model: events in, conversations, roster and messages out to the views */
#include "udpchat/model.h"
#include "udpchat/mem.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "udpchat/buf.h"
#include "udpchat/nick.h"
#include "udpchat/wire.h"
#include "model_files.h"

/* Invariants: msgs is a ring of MODEL_KEEP slots, msgs[(head + i) % MODEL_KEEP] for
 * i < nmsgs, oldest first, every string owned; convs[0] is the room ("") and a
 * conversation is never removed (a window's tab index stays valid); members hold one entry
 * per nick (the roster as last told). */

struct model {
    char *nick;
    model_msg msgs[MODEL_KEEP];
    size_t head, nmsgs;
    uint64_t seq;
    model_conv *convs;
    size_t nconvs;
    model_member *members;
    size_t nmembers, capmembers;
    model_files *files; /* offers and transfers (model_files.c) */
};

model_files *model_files_of(const model *m) { return m->files; }

static char *dup_or_null(const char *s) { return s ? str_dup(s) : NULL; }

model *model_create(const char *my_nick)
{
    model *m = xcalloc(1, sizeof *m);
    m->nick = str_dup(my_nick ? my_nick : "");
    m->files = model_files_create();
    model_conv_find(m, "");
    return m;
}

static void msg_free(model_msg *g)
{
    free(g->from);
    free(g->to);
    free(g->address);
    free(g->text);
    memset(g, 0, sizeof *g);
}

static void members_clear(model *m)
{
    for (size_t i = 0; i < m->nmembers; i++)
        free(m->members[i].nick), free(m->members[i].address), free(m->members[i].status),
            free(m->members[i].group);
    m->nmembers = 0;
}

void model_destroy(model *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->nmsgs; i++) msg_free(&m->msgs[(m->head + i) % MODEL_KEEP]);
    for (size_t i = 0; i < m->nconvs; i++) free(m->convs[i].name);
    members_clear(m);
    model_files_destroy(m->files);
    free(m->members);
    free(m->convs);
    free(m->nick);
    free(m);
}

/* ---- queries ---- */

const char *model_nick(const model *m) { return m->nick; }
size_t model_conv_count(const model *m) { return m->nconvs; }
const model_conv *model_conv_at(const model *m, size_t i) { return i < m->nconvs ? &m->convs[i] : NULL; }
size_t model_msg_count(const model *m) { return m->nmsgs; }
size_t model_member_count(const model *m) { return m->nmembers; }
const model_member *model_member_at(const model *m, size_t i) { return i < m->nmembers ? &m->members[i] : NULL; }

const model_msg *model_msg_at(const model *m, size_t i)
{
    return i < m->nmsgs ? &m->msgs[(m->head + i) % MODEL_KEEP] : NULL;
}

size_t model_conv_find(model *m, const char *name)
{
    for (size_t i = 0; i < m->nconvs; i++)
        if (nick_equal(m->convs[i].name, name) || (!*name && !*m->convs[i].name)) return i;
    m->convs = xrealloc(m->convs, (m->nconvs + 1) * sizeof *m->convs);
    model_conv *c = &m->convs[m->nconvs];
    memset(c, 0, sizeof *c);
    c->name = str_dup(name);
    return m->nconvs++;
}

void model_mark_read(model *m, size_t conv)
{
    if (conv < m->nconvs) m->convs[conv].unread = 0, m->convs[conv].mentioned = 0;
}

size_t model_unread_total(const model *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nconvs; i++) n += m->convs[i].unread;
    return n;
}

static int ascii_prefix(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++) {
        char a = *s, b = *prefix;
        if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
        if (a != b) return 0;
    }
    return 1;
}

size_t model_members_matching(const model *m, const char *prefix, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nmembers; i++)
        if (ascii_prefix(m->members[i].nick, prefix)) {
            if (n < max) out[n] = m->members[i].nick;
            n++;
        }
    return n;
}

/* A word character: ASCII letters and digits, '_', '-', and anything non-ASCII (a CJK nick
 * is found inside CJK text only where it stands; text around it may be anything). */
static int word_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

int model_mentions(const char *text, const char *nick)
{
    size_t n = nick ? strlen(nick) : 0;
    if (!n || !text) return 0;
    for (const char *p = text; (p = strstr(p, nick)) != NULL; p++) {
        int before = p > text && word_char((unsigned char)p[-1]) && word_char((unsigned char)nick[0]);
        int after = word_char((unsigned char)p[n]) && word_char((unsigned char)nick[n - 1]);
        if (!before && !after) return 1;
    }
    return 0;
}

/* ---- messages ---- */

static model_msg *msg_add(model *m)
{
    if (m->nmsgs == MODEL_KEEP) { /* the oldest goes */
        msg_free(&m->msgs[m->head]);
        m->head = (m->head + 1) % MODEL_KEEP;
        m->nmsgs--;
    }
    model_msg *g = &m->msgs[(m->head + m->nmsgs++) % MODEL_KEEP];
    memset(g, 0, sizeof *g);
    g->seq = ++m->seq;
    g->time = (int64_t)time(NULL);
    return g;
}

/* Our message with that id, newest first (ids are unique per run). */
static model_msg *own_by_id(model *m, uint32_t id)
{
    for (size_t i = m->nmsgs; id && i-- > 0;) {
        model_msg *g = &m->msgs[(m->head + i) % MODEL_KEEP];
        if (g->own && g->id == id) return g;
    }
    return NULL;
}

static msg_kind kind_of(int flags)
{
    if (flags & CHAT_ACTION) return MSG_KIND_ACTION;
    return flags & CHAT_PRIVATE ? MSG_KIND_PRIVATE : MSG_KIND_PUBLIC;
}

static const model_msg *on_sent(model *m, const chat_event *ev)
{
    model_msg *g = msg_add(m);
    g->event = EV_SENT;
    g->own = 1;
    g->id = ev->id;
    g->kind = kind_of(ev->flags | (ev->to ? CHAT_PRIVATE : 0));
    g->from = str_dup(m->nick);
    g->to = dup_or_null(ev->to);
    g->text = dup_or_null(ev->text);
    g->state = MSG_STATE_SENDING;
    g->conv = model_conv_find(m, ev->to ? ev->to : "");
    return g;
}

static const model_msg *on_message(model *m, const chat_event *ev)
{
    model_msg *g = msg_add(m);
    g->event = EV_MESSAGE;
    g->kind = kind_of(ev->flags);
    g->from = dup_or_null(ev->from);
    g->to = dup_or_null(ev->to);
    g->address = dup_or_null(ev->address);
    g->text = dup_or_null(ev->text);
    g->mention = model_mentions(ev->text, m->nick);
    g->conv = model_conv_find(m, (ev->flags & CHAT_PRIVATE) && ev->from ? ev->from : "");
    m->convs[g->conv].unread++;
    m->convs[g->conv].mentioned |= g->mention || g->kind == MSG_KIND_PRIVATE;
    return g;
}

static const model_msg *on_delivery(model *m, const chat_event *ev)
{
    model_msg *g = own_by_id(m, ev->id);
    if (!g) return NULL;
    switch (ev->type) {
    case EV_RELAYED: if (g->state == MSG_STATE_SENDING) g->state = MSG_STATE_RELAYED; break;
    case EV_DELIVERED: g->state = MSG_STATE_DELIVERED; break;
    case EV_RECEIPT: g->state = MSG_STATE_PARTIAL; break;
    case EV_UNDELIVERED: if (g->state != MSG_STATE_DELIVERED) g->state = MSG_STATE_UNDELIVERED; break;
    case EV_DELIVERED_LATE: g->state = MSG_STATE_LATE; break;
    default: break;
    }
    if (ev->total || ev->type == EV_RECEIPT) g->acked = ev->acked, g->total = ev->total;
    return g;
}

/* ---- the roster ---- */

static model_member *member_find(model *m, const char *nick)
{
    for (size_t i = 0; nick && i < m->nmembers; i++)
        if (strcmp(m->members[i].nick, nick) == 0) return &m->members[i];
    return NULL;
}

static void member_add(model *m, const char *nick, const char *address, const char *group)
{
    if (!nick || !*nick || member_find(m, nick)) return;
    if (m->nmembers == m->capmembers) {
        m->capmembers = m->capmembers ? 2 * m->capmembers : 16;
        m->members = xrealloc(m->members, m->capmembers * sizeof *m->members);
    }
    m->members[m->nmembers].nick = str_dup(nick);
    m->members[m->nmembers].status = NULL;
    m->members[m->nmembers].group = group && *group ? str_dup(group) : NULL;
    m->members[m->nmembers++].address = dup_or_null(address);
}

static void member_remove(model *m, const char *nick)
{
    model_member *p = member_find(m, nick);
    if (!p) return;
    free(p->nick);
    free(p->address);
    free(p->status);
    free(p->group);
    *p = m->members[--m->nmembers];
}

/* A member's new nick keeps its address, group and status (a new entry if it had none). */
static void rename_member(model *m, const char *from, const char *to)
{
    model_member *p = member_find(m, from);
    if (p && to && *to && !member_find(m, to)) {
        free(p->nick);
        p->nick = str_dup(to);
        return;
    }
    member_remove(m, from);
    member_add(m, to, NULL, NULL);
}

static void roster_replace(model *m, const char *text)
{
    members_clear(m);
    if (text && strcmp(text, "(nobody yet)") == 0) return; /* LAN's /who when alone (lan.c): no member */
    for (const char *p = text ? text : ""; *p;) { /* one member a line; its nick comes first */
        size_t n = strcspn(p, "\n"), w = strcspn(p, " \n");
        char *nick = xmalloc(w + 1);
        memcpy(nick, p, w);
        nick[w] = '\0';
        member_add(m, nick, NULL, NULL);
        free(nick);
        p += n + (p[n] == '\n');
    }
}

static void set_nick(model *m, const char *nick)
{
    free(m->nick);
    m->nick = str_dup(nick);
}

static void on_roster_event(model *m, const chat_event *ev)
{
    switch (ev->type) {
    case EV_JOIN: member_add(m, ev->from, ev->address, ev->group); break;
    case EV_LEAVE: member_remove(m, ev->from); break;
    case EV_ROSTER: roster_replace(m, ev->text); break;
    case EV_NICK:
        if (ev->from && ev->to && strcmp(ev->from, m->nick) == 0) set_nick(m, ev->to);
        rename_member(m, ev->from, ev->to);
        break;
    case EV_STATUS:
        if (ev->from) set_nick(m, ev->from); /* a relay's welcome: the nick it registered */
        break;
    case EV_AWAY: { /* a LAN peer away or back (from NULL: we are) */
        model_member *p = member_find(m, ev->from);
        if (p) free(p->status), p->status = dup_or_null(ev->text);
        break;
    }
    default: break;
    }
}

/* Anything else worth showing in the conversation: joins, leaves, notices, errors. */
static model_msg *on_system(model *m, const chat_event *ev)
{
    model_msg *g = msg_add(m);
    g->kind = ev->type == EV_NOTICE && ev->flags == NOTICE_ADMIN ? MSG_KIND_NOTICE : MSG_KIND_SYSTEM;
    g->event = (int)ev->type;
    g->reason = ev->reason;
    g->from = dup_or_null(ev->from);
    g->to = dup_or_null(ev->to);
    g->address = dup_or_null(ev->address);
    g->text = dup_or_null(ev->text);
    return g;
}

/* Our offer went out, or the peer declined it: a system line in that peer's conversation. */
static const model_msg *on_share(model *m, const chat_event *ev)
{
    model_msg *g = on_system(m, ev);
    g->conv = model_conv_find(m, ev->from ? ev->from : "");
    return g;
}

const model_msg *model_apply(model *m, const chat_event *ev)
{
    on_roster_event(m, ev);
    model_files_apply(m->files, ev);
    switch (ev->type) {
    case EV_SENT: return on_sent(m, ev);
    case EV_MESSAGE: return on_message(m, ev);
    case EV_RELAYED: case EV_DELIVERED: case EV_RECEIPT: case EV_UNDELIVERED: case EV_DELIVERED_LATE:
        return on_delivery(m, ev);
    case EV_READ: return own_by_id(m, ev->id); /* a sealed message of ours was opened */
    case EV_JOIN: case EV_LEAVE: case EV_NICK: case EV_NOTICE: case EV_ERROR: case EV_STATUS:
    case EV_REFUSED: case EV_SHUTDOWN: case EV_MISSED: case EV_AWAY:
        return on_system(m, ev);
    case EV_FILE_SHARED: case EV_FILE_RELEASED: return on_share(m, ev);
    default: return NULL;
    }
}
