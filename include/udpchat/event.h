/* event.h -- what the chat cores tell the front end: one struct for every mode */
#ifndef UDPCHAT_EVENT_H
#define UDPCHAT_EVENT_H
#include <stdint.h>

typedef enum chat_event_type {
    EV_READY = 1,    /* endpoint is up: port */
    EV_MESSAGE,      /* from, text, flags (CHAT_ACTION, CHAT_PRIVATE), to */
    EV_DELIVERED,    /* id: our message was acknowledged */
    EV_UNDELIVERED,  /* id, text: our message could not be delivered */
    EV_JOIN,         /* from: nick that joined (or the peer that came up) */
    EV_LEAVE,        /* from, reason (LEAVE_*), text: optional message */
    EV_NICK,         /* from: old nick, to: new nick */
    EV_ROSTER,       /* text: nicks separated by '\n' */
    EV_NOTICE,       /* text (flags: NOTICE_*) */
    EV_ERROR,        /* text */
    EV_STATUS,       /* text: connection state changes ("connected", "lost", ...), reason */
    EV_REFUSED,      /* text: the server refused us; the front end should exit 1 */
    EV_SHUTDOWN,     /* text: the server is shutting down */
    EV_RELAYED,      /* id: the relay has our message; EV_DELIVERED / EV_RECEIPT follow */
    EV_RECEIPT,      /* id, acked of total: only some members acknowledged it (room) */
    EV_DELIVERED_LATE, /* id: a message reported undelivered did arrive after all */
    EV_MISSED        /* text: messages to us were lost (the sender gave up on them) */
} chat_event_type;

/* Strings are heap-owned by the event (NULL when absent); free with chat_event_free. */
typedef struct chat_event {
    chat_event_type type;
    uint32_t id;
    int flags;
    int reason;
    int legacy;      /* 1 if it concerns a plain-text (seed-style) peer */
    int port;
    uint32_t acked, total; /* EV_DELIVERED / EV_RECEIPT in a room: members reached, of */
    char *from, *to, *text;
} chat_event;

void chat_event_free(chat_event *ev);
const char *chat_event_name(chat_event_type t);

#endif

#ifndef UDPCHAT_EVQ
#define UDPCHAT_EVQ
#include <stddef.h>
/* A FIFO of events owned by a core (single-threaded). */
typedef struct evq {
    chat_event *items;
    size_t head, len, cap;
} evq;

void evq_init(evq *q);
void evq_free(evq *q); /* frees remaining events' strings */
/* Pushes an event; takes ownership of its strings. */
void evq_push(evq *q, const chat_event *ev);
/* Convenience: copies the strings given (any may be NULL). */
void evq_emit(evq *q, chat_event_type t, uint32_t id, const char *from, const char *to,
              const char *text, int flags, int reason);
int evq_pop(evq *q, chat_event *out); /* 1 and the event (caller owns), or 0 */
#endif
