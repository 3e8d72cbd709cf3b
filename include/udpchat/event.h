/* event.h -- what the chat cores tell the front end: one struct for every mode */
#ifndef UDPCHAT_EVENT_H
#define UDPCHAT_EVENT_H
#include <stddef.h>
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
    EV_MISSED,       /* text: messages to us were lost (the sender gave up on them) */
    /* added by the runner, never by a core: */
    EV_SENT,         /* id, text, to, flags: a CMD_SAY was queued as message id */
    EV_FINISHED,     /* the core is done; no event follows */
    EV_INPUT,        /* text: a line the user typed (UTF-8), or end of input (text NULL) */
    /* LAN mode (IP Messenger): */
    EV_AWAY,         /* from: a peer (NULL: we), text: its away status, NULL when back */
    EV_READ,         /* id: our sealed message, from: the peer who opened it */
    /* file transfer (LAN mode; see ipmsg_file.h and transfer.h): */
    EV_FILE_OFFER,   /* from, address, text (the message), files (lan_file.h's list): a peer offers files */
    EV_FILE_SHARED,  /* id (share), from, address, text ("a.txt, photos/"), files ("packet_no\nuser\nhost\ncharset"): our offer went out */
    EV_FILE_RELEASED,/* address, text (packet number): the peer declined our offer */
    EV_TRANSFER      /* id (transfer), reason (TRANSFER_*), flags (TRANSFER_SENDING), from, address,
                        text (a file name or why it failed), bytes of size, rate (bytes/s); the
                        transfer threads post it, never a core */
} chat_event_type;

/* EV_TRANSFER reasons and flags */
enum { TRANSFER_STARTED = 1, TRANSFER_PROGRESS, TRANSFER_FILE_DONE, TRANSFER_DONE, TRANSFER_FAILED,
       TRANSFER_CANCELLED, TRANSFER_REFUSED };
#define TRANSFER_SENDING 1

/* EV_MESSAGE flags of LAN mode only (never on the udpchat wire, where CHAT_ACTION and
 * CHAT_PRIVATE of wire.h are): a sealed message (id: its number for /open; text NULL
 * until opened), and an automatic answer of an away peer. */
enum { CHAT_SEALED = 0x100, CHAT_AUTOREPLY = 0x200 };

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
    char *address;   /* LAN mode: the sender's "IP" or "IP:PORT" (NULL elsewhere) */
    char *files;     /* EV_FILE_OFFER / EV_FILE_SHARED (NULL elsewhere) */
    char *group;     /* EV_JOIN in LAN mode: the peer's IPMsg group (NULL when it has none) */
    uint64_t bytes, size, rate; /* EV_TRANSFER */
} chat_event;

void chat_event_free(chat_event *ev);
const char *chat_event_name(chat_event_type t);
/* Memory an event holds: sizeof(chat_event) plus its strings (what queues count). */
size_t chat_event_bytes(const chat_event *ev);

#endif

#ifndef UDPCHAT_EVQ
#define UDPCHAT_EVQ
#include <stddef.h>
/* A FIFO of events owned by a core (single-threaded), bounded in bytes (an event counts
 * sizeof(chat_event) plus its strings):
 *  - EV_MESSAGE is dropped when the queue would hold more than max_bytes (EVQ_MAX_BYTES);
 *  - other events are dropped only beyond 2 * max_bytes or EVQ_MAX_EVENTS events.
 * Drops are counted. When the queue has emptied after drops, evq_pop hands out ONE
 * EV_ERROR "N messages dropped: too many arriving too fast from WHO", at most one a second
 * when the core gives the queue its clock (evq_set_now; without it, one per emptying). */
#define EVQ_MAX_BYTES ((size_t)4 << 20)
#define EVQ_MAX_EVENTS 16384
typedef struct evq {
    chat_event *items;
    size_t head, len, cap;
    size_t bytes, max_bytes;   /* held now; budget of messages */
    uint64_t dropped;          /* events dropped since evq_init */
    uint64_t unreported;       /* dropped since the last report */
    char *drop_from;           /* sender of the first unreported drop (+ " and others") */
    int drop_many;             /* unreported drops came from more than one sender */
    uint64_t now, reported_at; /* the core's clock (0: none); when the last report went out */
} evq;

void evq_init(evq *q);
void evq_free(evq *q); /* frees remaining events' strings */
/* Pushes an event; takes ownership of its strings. Returns 1, or 0 if it was dropped
 * (its strings are then freed). */
int evq_push(evq *q, const chat_event *ev);
/* Convenience: copies the strings given (any may be NULL). Returns what evq_push does. */
int evq_emit(evq *q, chat_event_type t, uint32_t id, const char *from, const char *to,
             const char *text, int flags, int reason);
int evq_pop(evq *q, chat_event *out); /* 1 and the event (caller owns), or 0 */
/* 1 if a message of `bytes` would be kept now (not dropped for the byte budget). A core
 * that must not acknowledge what it cannot show asks before it accepts a message. */
int evq_has_room(const evq *q, size_t bytes);
/* Counts an event dropped before it was pushed (a core's own limit), for the same report;
 * frees its strings. */
void evq_drop(evq *q, chat_event *ev);
/* Gives the queue the core's time (ms), for the once-a-second drop report. */
void evq_set_now(evq *q, uint64_t now);
/* When a pending drop report may go out (UINT64_MAX: none pending). */
uint64_t evq_report_due(const evq *q);
#endif
