/* lan.h -- serverless LAN chat speaking IP Messenger: peer discovery and messages (no I/O) */
#ifndef UDPCHAT_LAN_H
#define UDPCHAT_LAN_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/addr.h"
#include "udpchat/charset.h"
#include "udpchat/core.h"
#include "udpchat/event.h"

typedef struct lan_config {
    const char *nick, *group;     /* UTF-8; copied */
    const char *user, *host;      /* login and host name (ASCII-safe); copied */
    charset_id peer_charset;      /* UNKNOWN: per-peer rules; else forced for every peer */
    uint32_t retry_ms;            /* SENDMSG resent after this (1000) */
    uint32_t retries;             /* resends before "undelivered" (3) */
    uint64_t first_packet_no;     /* start of packet numbers: the time in seconds */
    size_t max_peers;             /* peers tracked at most (4096) */
    uint32_t refresh_ms;          /* a BR_ENTRY round to see who is still there (180000; 0: never) */
    uint32_t probe_wait_ms;       /* peers silent this long after it are gone (3000) */
} lan_config;

void lan_config_default(lan_config *c);

typedef struct lan lan;

lan *lan_create(const lan_config *cfg, core_emit_fn emit, void *ctx);
void lan_destroy(lan *l); /* accepts NULL */

/* Where BR_ENTRY/BR_EXIT go: broadcast addresses and explicit peers (copied). */
void lan_set_targets(lan *l, const net_addr *targets, size_t n);
/* Our own addresses: packets from these with our port are our own echo, ignored. */
void lan_set_self(lan *l, const net_addr *self, size_t n);

void lan_enter(lan *l, uint64_t now);                 /* BR_ENTRY to every target */
/* A new nick, announced with BR_ENTRY (EV_NICK; an invalid one: EV_ERROR and -1). */
int lan_set_nick(lan *l, const char *nick, uint64_t now);
void lan_on_datagram(lan *l, const net_addr *from, const void *data, size_t len, uint64_t now);
void lan_service(lan *l, uint64_t now);
uint64_t lan_next_deadline(lan *l, uint64_t now);
int lan_poll_event(lan *l, chat_event *ev);

/* Sends text to the peer `to` names (or to every peer when to is NULL): "nick@IP[:PORT]",
 * or a nick (ASCII case-insensitive) that exactly one peer has. Returns the message id (0
 * and an EV_ERROR if none: no such peer, or "NICK is ambiguous: ...; use nick@address"). */
uint32_t lan_say(lan *l, const char *to, const char *text, uint64_t now);
void lan_who(lan *l);                                 /* EV_ROSTER: one peer a line */
int lan_has_peer(lan *l, const char *nick); /* 1 if `nick` names exactly one peer, as lan_say */
void lan_exit(lan *l, uint64_t now);                  /* BR_EXIT to targets and peers */
/* BR_EXIT with a reason, in a section after the group that IPMsg, FeiQ and iptux ignore
 * (udpchat peers show it: "alice left (REASON)"); reason may be NULL. */
void lan_exit_reason(lan *l, const char *reason, uint64_t now);
/* Away (text: the status, "away" if empty) or back (text NULL): BR_ABSENCE to targets and
 * peers, our entries carry "nick[status]" and ABSENCEOPT, and each peer's first message
 * (not one to everyone, not an automatic answer itself) gets the status as an automatic
 * answer (AUTORETOPT). EV_AWAY with from NULL. */
void lan_set_away(lan *l, const char *text, uint64_t now);
/* Sends text sealed (SECRETOPT | READCHECKOPT) to the one peer `to` names; EV_READ when it
 * is opened. Returns the message id, or 0 as lan_say. */
uint32_t lan_seal(lan *l, const char *to, const char *text, uint64_t now);
/* Opens sealed message n: EV_MESSAGE with its text, READMSG to its sender. */
void lan_open(lan *l, uint32_t n, uint64_t now);
/* BR_ENTRY to every target now; peers that do not answer within probe_wait_ms leave. */
void lan_refresh(lan *l, uint64_t now);

/* flood_dropped: SENDMSGs over a peer's rate (50/s, bursts of 50), not shown nor acknowledged;
 * queue_dropped: events the evq had no room for (its byte budget), flood drops included;
 * answers_dropped: RECVMSGs not sent (50/s per address after 50, 200/s with ANSENTRY in all). */
typedef struct lan_stats {
    uint64_t malformed, ignored, duplicates, peers;
    uint64_t sealed_dropped, gone;  /* sealed messages pushed out unopened; peers silent to a probe */
    uint64_t flood_dropped, queue_dropped, answers_dropped;
} lan_stats;
lan_stats lan_get_stats(const lan *l);

/* 1 once lan_exit was called. */
int lan_done(const lan *l);

/* LAN mode as a core (core.h): commands CMD_SAY (an action as "* nick text"; CHAT_SEALED:
 * lan_seal), CMD_NICK (lan_set_nick), CMD_WHO, CMD_QUIT (lan_exit_reason), CMD_AWAY,
 * CMD_BACK (lan_set_away), CMD_OPEN (lan_open), CMD_REFRESH (lan_refresh). */
extern const core_ops lan_ops;

#endif
