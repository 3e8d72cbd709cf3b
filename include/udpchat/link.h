/* link.h -- reliable, ordered, fragmented message delivery between two sessions (no I/O) */
#ifndef UDPCHAT_LINK_H
#define UDPCHAT_LINK_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/buf.h"
#include "udpchat/wire.h"

/* A link is one direction pair between our session and one remote session. It takes
 * DATA/ACK bodies and the time in, and gives datagrams (through link_emit_fn) and
 * events (link_poll) out. It never touches a socket or a clock. */
typedef struct link link;

/* Out-of-order fragments held, in bytes, shared by every link of one core (a relay's
 * members): past `limit` a fragment ahead of a hole is dropped (not acknowledged, so the
 * sender resends it later) instead of held. */
typedef struct link_budget {
    size_t used, limit;
    uint64_t refused;
} link_budget;

typedef struct link_config {
    uint32_t deliver_timeout_ms; /* undelivered after this long (default 10000) */
    uint32_t rto_min_ms;         /* lower bound of the retransmission timeout (40) */
    uint32_t rto_max_ms;         /* upper bound, also for back-off (2000) */
    uint32_t rto_initial_ms;     /* before any RTT sample (200) */
    uint32_t window;             /* fragments in flight at most (64) */
    uint32_t max_queued;         /* messages queued at most; link_send fails beyond (4096) */
    link_budget *parked;         /* shared cap on held out-of-order bytes (NULL: per link only) */
} link_config;

void link_config_default(link_config *c);

/* A refcounted immutable payload, so one message can be queued on many links. */
typedef struct link_blob {
    uint32_t refs;
    uint32_t len;
    uint8_t data[];
} link_blob;

link_blob *link_blob_create(const void *data, size_t len); /* refs = 1 */
void link_blob_unref(link_blob *b);                         /* accepts NULL */

typedef enum link_event_type {
    LINK_EV_MESSAGE = 1,   /* a whole message arrived, in order: ev.data/ev.len (owned by ev) */
    LINK_EV_DELIVERED,     /* our message ev.id was acknowledged */
    LINK_EV_UNDELIVERED,   /* our message ev.id was given up after deliver_timeout_ms */
    LINK_EV_DELIVERED_LATE,/* a message given up earlier turned out to have arrived whole */
    LINK_EV_GAP            /* the sender gave up on fragments we never got: ev.id of them */
} link_event_type;

typedef struct link_event {
    link_event_type type;
    uint32_t id;
    void *tag;     /* DELIVERED / UNDELIVERED: the tag given to link_send_tagged */
    uint8_t *data; /* LINK_EV_MESSAGE: heap bytes; the caller frees with link_event_free */
    size_t len;
} link_event;

void link_event_free(link_event *ev);

/* Emits one datagram (header included) to the remote. */
typedef void (*link_emit_fn)(void *ctx, const void *data, size_t len);

typedef struct link_stats {
    uint64_t sent, retransmitted, received, duplicates, out_of_window, acks_sent, malformed;
    uint32_t srtt_ms, rttvar_ms, rto_ms;
} link_stats;

/* token: the remote's secret for this link, written into every datagram's header. */
link *link_create(const link_config *cfg, uint32_t my_session, uint32_t their_session,
                  uint64_t token);
void link_destroy(link *l); /* accepts NULL; frees queued messages and events */

/* Queues a message (1..WIRE_MAX_MESSAGE bytes). Returns its id (> 0), or 0 if it is
 * too large or the queue is full (nothing queued then). The link takes a reference
 * to `blob` (link_send_blob) or copies the bytes (link_send). */
uint32_t link_send(link *l, const void *data, size_t len, uint64_t now);
uint32_t link_send_blob(link *l, link_blob *blob, uint64_t now);
/* The same, with an opaque tag the DELIVERED or UNDELIVERED event hands back (never
 * dereferenced by the link; link_destroy drops it unreported: call link_abandon_all and
 * link_poll first to have every tag reported). */
uint32_t link_send_tagged(link *l, link_blob *blob, void *tag, uint64_t now);

/* Feeds a DATA or ACK body that came from the remote session. */
void link_on_data(link *l, const wire_data *d, uint64_t now);
void link_on_ack(link *l, const wire_ack *a, uint64_t now);

/* Sends what is due (new fragments within the window, retransmissions, a pending ack)
 * and gives up on messages older than deliver_timeout_ms. */
void link_service(link *l, uint64_t now, link_emit_fn emit, void *ctx);
/* Only gives up on messages older than deliver_timeout_ms (while the remote is away). */
void link_expire(link *l, uint64_t now);
/* Sends a pending acknowledgement only (call after a batch of datagrams). */
void link_flush_ack(link *l, link_emit_fn emit, void *ctx);
/* The next time link_service has something to do (UINT64_MAX if nothing). */
uint64_t link_next_deadline(const link *l, uint64_t now);

/* When link_expire next has something to give up (UINT64_MAX if nothing is queued). */
uint64_t link_expire_deadline(const link *l);
/* Removes every queued message, calling fn for each (id and payload) in order. */
typedef void (*link_pending_fn)(void *ctx, uint32_t id, const uint8_t *data, size_t len);
void link_drain_pending(link *l, link_pending_fn fn, void *ctx);

/* Takes the next event; returns 1, or 0 if none. */
int link_poll(link *l, link_event *ev);

/* Gives every message still queued or in flight up (reported as LINK_EV_UNDELIVERED). */
void link_abandon_all(link *l);
/* Moves every unacknowledged message to `to` (same ids), e.g. after the remote restarted. */
void link_move_pending(link *from, link *to, uint64_t now);

/* The id the next link_send will return. */
uint32_t link_next_id(const link *l);
int link_idle(const link *l);        /* 1 if nothing is queued or in flight */
size_t link_pending(const link *l);  /* messages queued or in flight */
uint32_t link_their_session(const link *l);
const link_stats *link_get_stats(const link *l);

#endif
