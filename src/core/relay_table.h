/* relay_table.h -- the relay's state and member table: the bottom of the relay (not installed) */
#ifndef UDPCHAT_RELAY_TABLE_H
#define UDPCHAT_RELAY_TABLE_H
#include "udpchat/buf.h"
#include "udpchat/relay.h"

/* The relay is four layers of private modules; each includes only the headers of the ones
 * below it, so a call upward does not compile:
 *
 *   relay.c                      the core: timers, dispatch, operator, ops table
 *   relay_hello.c relay_legacy.c what arrives: protocol datagrams, plain-text lines
 *   relay_room.c                 the room rules: forwarding, leaves, receipts
 *   relay_plain.c relay_table.c  output to plain-text members; the member table
 *
 * The table (relay_table.c) adds, finds and removes members and keeps the books of fanouts;
 * it decides nothing about the room. A fanout that settles becomes a `receipt` record, which
 * the room sends later (room_send_receipts): the table never calls up to send it. */

typedef struct member member;

struct member {
    member *hnext;           /* address hash chain */
    member *next, *prev;     /* every member, in join order */
    relay *r;
    net_addr addr;
    uint32_t session;        /* 0 for a plain-text member */
    uint64_t rx, tx;         /* tokens: expected from it, sent to it (protocol members) */
    link *lk;                /* NULL for a plain-text member */
    char *nick;
    char *key;               /* nick_skeleton(nick): compared, never recomputed, per lookup */
    uint64_t last_rx, leave_at;
    uint64_t tat_us;         /* rate limit (GCRA theoretical arrival time) */
    uint64_t hb_tat_us;      /* a plain-text member's heartbeats, their own limit */
    uint64_t out_tat_us;     /* datagrams to a plain-text member */
    uint32_t dropped;        /* datagrams dropped by the rate limit since last logged */
    charset_id cs;
    uint8_t legacy, leaving, dirty, behind;
};

/* A message fanned out to members, waiting for their links to settle; then the sender
 * (if still the same member) gets a RECEIPT: acked of total. */
typedef struct fanout {
    net_addr sender;
    uint32_t session, ref, total, acked, pending;
} fanout;

/* A fanout that has settled: the RECEIPT its sender is owed (sent by room_send_receipts). */
typedef struct receipt {
    net_addr sender;
    uint32_t session, ref, total, acked;
} receipt;


struct relay {
    relay_config cfg;
    uint32_t me;
    core_emit_fn emit;
    void *ctx;
    member **table;
    size_t tsize, count, nlegacy, nbehind;
    member *head, *tail;
    member **dirty;
    size_t ndirty, capdirty;
    receipt *receipts;       /* settled fanouts whose RECEIPT is still to go */
    size_t nreceipts, capreceipts;
    evq events;
    relay_stats st;
    link_budget parked;
    net_addr self[RELAY_SELF_MAX];
    size_t nself;
    uint16_t port;
    uint64_t next_scan, shutdown_at, stranger_window, token_ctr;
    uint32_t stranger_replies;
    buf legacy_news;         /* join/leave lines for plain-text members, sent once a second */
    uint64_t next_news;
    struct { net_addr a; uint64_t at; } refused_recent[64]; /* plain-text refusals */
    struct { net_addr a; char nick[WIRE_NICK_BYTES + 1]; charset_id cs; uint64_t at; } gone[64];
    size_t ngone;            /* plain-text members that timed out: an address that comes back
                                gets its nick back (ring of the last 64) */
    int shutting, destroying;
    int in_card;             /* handling a calling card: a CHALLENGE goes back as one */
};

/* relay_table.c: the table. member_add/member_remove are the only places that change it. */
member *member_find(relay *r, const net_addr *a);
member *member_by_nick(relay *r, const char *nick); /* by look-alike key; leaving ones excluded */
void member_rename(member *m, const char *nick);    /* nick and its key */
member *member_add(relay *r, const net_addr *a, const char *nick, uint32_t session, uint64_t now);
/* Unhooks and frees a member; what was still queued on its link settles as undelivered. */
void member_remove(relay *r, member *m);
void member_mark_dirty(member *m);
/* Frees every member and the table itself (relay_destroy); no receipt is owed after it. */
void relay_table_free(relay *r);
/* One member's share of a fanout is over (acked or not); the last share turns the fanout
 * into a receipt record (none while destroying). */
void fanout_settle(relay *r, fanout *f, int acked);
void relay_send_control(relay *r, const net_addr *to, uint8_t type, uint32_t dest, uint64_t token,
                        const void *body, size_t n);
/* 1 if one more answer to a stranger fits this second's budget (counted). */
int relay_stranger_budget(relay *r, uint64_t now);
/* An event for the operator's log, with the source address (reason: LEAVE_* or 0). */
void relay_log(relay *r, chat_event_type t, const char *nick, const net_addr *a, const char *what, int reason);
/* GCRA: 1 and the arrival counted if within rate/s with bursts of burst (rate 0: no limit). */
int relay_rate_ok(uint64_t *tat_us, uint32_t rate, uint32_t burst, uint64_t now);

#endif
