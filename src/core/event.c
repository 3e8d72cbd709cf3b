/* event.c -- chat events and the FIFO the cores queue them in */
#include "udpchat/event.h"

#include "udpchat/buf.h"
#include "udpchat/mem.h"

#include <stdlib.h>
#include <string.h>

void chat_event_free(chat_event *ev)
{
    free(ev->from);
    free(ev->to);
    free(ev->text);
    free(ev->address);
    free(ev->files);
    free(ev->group);
    ev->from = ev->to = ev->text = ev->address = ev->files = ev->group = NULL;
}

const char *chat_event_name(chat_event_type t)
{
    static const char *names[] = {"", "ready", "message", "delivered", "undelivered", "join",
                                  "leave", "nick", "roster", "notice", "error", "status",
                                  "refused", "shutdown", "relayed", "receipt", "delivered_late",
                                  "missed", "sent", "finished", "input", "away", "read", "file_offer",
                                  "file_shared", "file_released", "transfer"};
    _Static_assert(sizeof names / sizeof names[0] == EV_TRANSFER + 1, "a name for every event type");
    return t >= EV_READY && t <= EV_TRANSFER ? names[t] : "unknown";
}

void evq_init(evq *q)
{
    memset(q, 0, sizeof *q);
    q->max_bytes = EVQ_MAX_BYTES;
}

void evq_free(evq *q)
{
    for (size_t i = 0; i < q->len; i++) chat_event_free(&q->items[q->head + i]);
    free(q->items);
    free(q->drop_from);
    evq_init(q);
}

static size_t slen(const char *s) { return s ? strlen(s) + 1 : 0; }

size_t chat_event_bytes(const chat_event *ev)
{
    return sizeof *ev + slen(ev->from) + slen(ev->to) + slen(ev->text) + slen(ev->address) +
           slen(ev->files) + slen(ev->group);
}

static int fits(const evq *q, const chat_event *ev, size_t n)
{
    if (ev->type == EV_MESSAGE) return q->bytes + n <= q->max_bytes;
    return q->len < EVQ_MAX_EVENTS && q->bytes + n <= 2 * q->max_bytes;
}

/* Counts a dropped event and remembers who sent it (for the report). */
static void note_drop(evq *q, const chat_event *ev)
{
    q->dropped++;
    buf who = {0};
    buf_append_str(&who, ev->from ? ev->from : "?");
    if (ev->address) buf_printf(&who, " (%s)", ev->address);
    if (!q->unreported++) {
        free(q->drop_from);
        q->drop_from = buf_detach(&who);
    } else if (!q->drop_many && strcmp(q->drop_from, who.data) != 0) {
        q->drop_many = 1;
    }
    buf_free(&who);
}

void evq_drop(evq *q, chat_event *ev)
{
    note_drop(q, ev);
    chat_event_free(ev);
}

static void grow(evq *q)
{
    if (q->head > 0) {
        memmove(q->items, q->items + q->head, q->len * sizeof *q->items);
        q->head = 0;
    } else {
        q->cap = q->cap ? q->cap * 2 : 16;
        q->items = xreallocarray(q->items, q->cap, sizeof *q->items);
    }
}

int evq_push(evq *q, const chat_event *ev)
{
    size_t n = chat_event_bytes(ev);
    if (!fits(q, ev, n)) {
        chat_event copy = *ev;
        evq_drop(q, &copy);
        return 0;
    }
    if (q->head + q->len == q->cap) grow(q);
    q->items[q->head + q->len++] = *ev;
    q->bytes += n;
    return 1;
}

static char *dup_or_null(const char *s) { return s ? xstrdup(s) : NULL; }

int evq_emit(evq *q, chat_event_type t, uint32_t id, const char *from, const char *to,
             const char *text, int flags, int reason)
{
    chat_event ev = {0};
    ev.type = t;
    ev.id = id;
    ev.flags = flags;
    ev.reason = reason;
    ev.from = dup_or_null(from);
    ev.to = dup_or_null(to);
    ev.text = dup_or_null(text);
    return evq_push(q, &ev);
}

void evq_set_now(evq *q, uint64_t now) { q->now = now; }

int evq_has_room(const evq *q, size_t bytes)
{
    return q->len < EVQ_MAX_EVENTS && q->bytes + sizeof(chat_event) + bytes <= q->max_bytes;
}

uint64_t evq_report_due(const evq *q)
{
    if (!q->unreported) return UINT64_MAX;
    return q->reported_at ? q->reported_at + 1000 : 0;
}

/* The one report of the drops since the last one, once the queue has emptied. */
static int take_report(evq *q, chat_event *out)
{
    if (!q->unreported || (q->now && q->reported_at && q->now < q->reported_at + 1000)) return 0;
    buf b = {0};
    buf_printf(&b, "%llu message%s dropped: too many arriving too fast from %s%s",
               (unsigned long long)q->unreported, q->unreported == 1 ? "" : "s", q->drop_from,
               q->drop_many ? " and others" : "");
    memset(out, 0, sizeof *out);
    out->type = EV_ERROR;
    out->text = buf_detach(&b);
    q->unreported = 0;
    q->drop_many = 0;
    q->reported_at = q->now ? q->now : 1;
    return 1;
}

int evq_pop(evq *q, chat_event *out)
{
    if (q->len == 0) return take_report(q, out);
    *out = q->items[q->head++];
    q->bytes -= chat_event_bytes(out);
    if (--q->len == 0) q->head = 0;
    return 1;
}
