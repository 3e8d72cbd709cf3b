/* relay.h -- the room relay: members, nicks, forwarding, legacy plain-text clients (no I/O) */
#ifndef UDPCHAT_RELAY_H
#define UDPCHAT_RELAY_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/addr.h"
#include "udpchat/charset.h"
#include "udpchat/core.h"
#include "udpchat/event.h"
#include "udpchat/link.h"
#include "udpchat/token.h"

#define RELAY_MAX_ALLOW 16 /* --legacy-allow ranges at most */
#define RELAY_SELF_MAX 32  /* own addresses relay_set_self keeps */

/* An IPv4 range: host & mask == net. */
typedef struct relay_range {
    uint32_t net, mask;
} relay_range;

typedef struct relay_config {
    uint32_t heartbeat_ms;      /* told to clients in HELLO (5000) */
    uint32_t timeout_ms;        /* protocol members silent longer are removed (30000) */
    uint32_t legacy_timeout_ms; /* plain-text members silent longer are removed (24 h): seed
                                   clients send nothing while they only listen */
    size_t max_clients;         /* protocol members at most (1024) */
    size_t max_legacy;          /* plain-text members at most, apart from those (32) */
    int no_legacy;              /* 1: plain-text clients are not admitted */
    relay_range legacy_allow[RELAY_MAX_ALLOW]; /* if any: plain-text clients only from these */
    size_t nallow;
    charset_id legacy_charset;  /* for plain-text clients that never sent non-ASCII (UTF8) */
    uint32_t rate;              /* datagrams per second per member (1000; 0 = no limit) */
    uint32_t burst;             /* bucket size (2 * rate) */
    uint32_t heartbeat_rate;    /* a plain-text member's `^hb^` per second (2), apart from chat */
    uint32_t legacy_out_rate;   /* datagrams per second to one plain-text member (20) */
    size_t legacy_max;          /* bytes per datagram to plain-text members (1024) */
    size_t parked_limit;        /* out-of-order bytes held for all members together (32 MiB) */
    token_key key;              /* this run's secret (net_random_bytes): cookies and tokens */
    link_config link;
} relay_config;

void relay_config_default(relay_config *c);

typedef struct relay relay;

relay *relay_create(const relay_config *cfg, uint32_t session, core_emit_fn emit, void *ctx);
void relay_destroy(relay *r); /* accepts NULL */
/* Our own addresses (copied; at most 32): datagrams from one of them with our port, or
 * from 127.0.0.0/8 with our port, are our own and are dropped before anything else. */
void relay_set_self(relay *r, const net_addr *self, size_t n, uint16_t port);

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
        dropped_session, dropped_version, refused, challenged, dropped_self, dropped_stranger,
        dropped_legacy, dropped_legacy_out, parked_refused;
} relay_stats;
relay_stats relay_get_stats(const relay *r);

/* The relay as a core (core.h): commands CMD_WHO, CMD_NOTICE, CMD_SHUTDOWN, CMD_KICK. */
extern const core_ops relay_ops;

#endif
