/* session.h -- one endpoint talking to one remote: a direct peer or a room's relay (no I/O) */
#ifndef UDPCHAT_SESSION_H
#define UDPCHAT_SESSION_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/charset.h"
#include "udpchat/core.h"
#include "udpchat/event.h"
#include "udpchat/link.h"
#include "udpchat/token.h"

typedef enum session_role { SESSION_PEER, SESSION_CLIENT } session_role;

typedef struct session_config {
    session_role role;
    const char *nick;           /* our nick (UTF-8); copied */
    const char *remote_label;   /* "host:port", shown for plain-text peers; copied */
    uint32_t heartbeat_ms;      /* send a PING after this much silence from us (5000) */
    uint32_t timeout_ms;        /* remote gone after this much silence from it (30000) */
    uint32_t hello_interval_ms; /* HELLO retry while connecting (1000) */
    int legacy;                 /* start in plain-text mode (seed-compatible) */
    charset_id legacy_charset;  /* charset for plain-text mode; UNKNOWN = detect, else fixed */
    uint32_t legacy_grace_ms;   /* plain text from a remote that may still speak udpchat:
                                   keep saying HELLO this long before switching (3000) */
    size_t legacy_max;          /* plain text: bytes per datagram at most (1024, what the
                                   seeds read); longer lines are cut between characters */
    uint32_t legacy_heartbeat_ms; /* join --legacy: `^hb^` this often (0: never) */
    uint32_t advice_ms;         /* join: say nobody answers after this long (5000) */
    net_addr remote;            /* the remote's address (bound into the tokens) */
    token_key key;              /* this run's secret (net_random_bytes): makes the tokens */
    link_config link;
} session_config;

void session_config_default(session_config *c);

typedef struct session session;

/* my_session: a random non-zero id for this run. Returns a session that owns copies of
 * the config strings; destroy with session_destroy. */
session *session_create(const session_config *cfg, uint32_t my_session, core_emit_fn emit,
                        void *ctx, uint64_t now);
void session_destroy(session *s); /* accepts NULL */

/* A datagram that came from the remote's address. */
void session_on_datagram(session *s, const void *data, size_t len, uint64_t now);
/* A datagram from another address (`from`: "host:port"): shown as a message from it in
 * plain-text mode, as the seed programs do; ignored otherwise. */
void session_on_foreign(session *s, const char *from, const void *data, size_t len, uint64_t now);
/* Call after a batch of datagrams: sends the aggregated acknowledgements. */
void session_flush(session *s);
/* Timers: handshake retries, retransmissions, heartbeats, timeouts. */
void session_service(session *s, uint64_t now);
uint64_t session_next_deadline(session *s, uint64_t now);
int session_poll_event(session *s, chat_event *ev); /* 1 and an event the caller owns, or 0 */

/* User actions. Text is UTF-8. session_say returns the message id reported later by
 * EV_DELIVERED / EV_UNDELIVERED (0: not sent, an EV_ERROR says why). `to` (room client
 * only) makes it a private message. */
uint32_t session_say(session *s, const char *text, int flags, const char *to, uint64_t now);
void session_set_nick(session *s, const char *nick, uint64_t now);
void session_request_who(session *s, uint64_t now);
/* Says goodbye (BYE, or "quit" to a plain-text peer). session_done() is 1 when the BYE
 * was acknowledged or gave up (after ~600 ms of retries). */
void session_quit(session *s, const char *reason, uint64_t now);
int session_done(const session *s);

typedef struct session_stats {
    uint64_t dropped_malformed, dropped_session, dropped_version, legacy_datagrams, foreign;
    uint64_t dropped_busy; /* DATA not taken: the front end had no room (sent again later) */
} session_stats;

/* The session as a core (core.h): on_datagram takes datagrams from any address and keeps
 * those of cfg.remote (others are counted, or shown in plain-text mode); emit sends to
 * cfg.remote. */
extern const core_ops session_ops;
const session_stats *session_get_stats(const session *s);
int session_is_legacy(const session *s);

#endif
