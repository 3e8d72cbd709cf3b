/* relay.h -- the room relay: members, nicks, forwarding, legacy plain-text clients (no I/O) */
#ifndef UDPCHAT_RELAY_H
#define UDPCHAT_RELAY_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/addr.h"
#include "udpchat/charset.h"
#include "udpchat/event.h"
#include "udpchat/link.h"

typedef struct relay_config {
    uint32_t heartbeat_ms;      /* told to clients in HELLO (5000) */
    uint32_t timeout_ms;        /* protocol members silent longer are removed (30000) */
    uint32_t legacy_timeout_ms; /* plain-text members silent longer are removed (600000) */
    size_t max_clients;         /* members at most (1024) */
    charset_id legacy_charset;  /* for plain-text clients that never sent non-ASCII (UTF8) */
    uint32_t rate;              /* datagrams per second per member (1000; 0 = no limit) */
    uint32_t burst;             /* bucket size (2 * rate) */
    link_config link;
} relay_config;

void relay_config_default(relay_config *c);

/* Sends one datagram to `to`. */
typedef void (*relay_emit_fn)(void *ctx, const net_addr *to, const void *data, size_t len);

typedef struct relay relay;

relay *relay_create(const relay_config *cfg, uint32_t session, relay_emit_fn emit, void *ctx);
void relay_destroy(relay *r); /* accepts NULL */

void relay_on_datagram(relay *r, const net_addr *from, const void *data, size_t len, uint64_t now);
void relay_flush(relay *r, uint64_t now); /* after a batch: send new fragments and acks */
void relay_service(relay *r, uint64_t now);
uint64_t relay_next_deadline(relay *r, uint64_t now);
/* Log events for the operator: join, leave, nick, refused (EV_REFUSED), drops (EV_NOTICE). */
int relay_poll_event(relay *r, chat_event *ev);

/* Operator actions. */
int relay_kick(relay *r, const char *nick, const char *reason, uint64_t now); /* -1: no such nick */
void relay_notice(relay *r, const char *text, uint64_t now);
void relay_who(relay *r);                 /* emits an EV_ROSTER event */
void relay_shutdown(relay *r, const char *text, uint64_t now);
int relay_done(const relay *r);           /* 1 once a shutdown has been delivered or timed out */

typedef struct relay_stats {
    uint64_t members, legacy_members, forwarded, dropped_rate, dropped_malformed,
        dropped_session, dropped_version, refused;
} relay_stats;
relay_stats relay_get_stats(const relay *r);

#endif
