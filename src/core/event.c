/* event.c -- chat events and the FIFO the cores queue them in */
#include "udpchat/event.h"

#include "udpchat/buf.h"

#include <stdlib.h>
#include <string.h>

void chat_event_free(chat_event *ev)
{
    free(ev->from);
    free(ev->to);
    free(ev->text);
    ev->from = ev->to = ev->text = NULL;
}

const char *chat_event_name(chat_event_type t)
{
    static const char *names[] = {"", "ready", "message", "delivered", "undelivered", "join",
                                  "leave", "nick", "roster", "notice", "error", "status",
                                  "refused", "shutdown", "relayed", "receipt", "delivered_late",
                                  "missed"};
    return t >= EV_READY && t <= EV_MISSED ? names[t] : "unknown";
}

void evq_init(evq *q) { memset(q, 0, sizeof *q); }

void evq_free(evq *q)
{
    for (size_t i = 0; i < q->len; i++) chat_event_free(&q->items[q->head + i]);
    free(q->items);
    evq_init(q);
}

void evq_push(evq *q, const chat_event *ev)
{
    if (q->head + q->len == q->cap) {
        if (q->head > 0) {
            memmove(q->items, q->items + q->head, q->len * sizeof *q->items);
            q->head = 0;
        } else {
            q->cap = q->cap ? q->cap * 2 : 16;
            q->items = realloc(q->items, q->cap * sizeof *q->items);
            if (!q->items) abort();
        }
    }
    q->items[q->head + q->len++] = *ev;
}

static char *dup_or_null(const char *s) { return s ? str_dup(s) : NULL; }

void evq_emit(evq *q, chat_event_type t, uint32_t id, const char *from, const char *to,
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
    evq_push(q, &ev);
}

int evq_pop(evq *q, chat_event *out)
{
    if (q->len == 0) return 0;
    *out = q->items[q->head++];
    if (--q->len == 0) q->head = 0;
    return 1;
}
