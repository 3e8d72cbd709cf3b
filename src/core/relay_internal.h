/* relay_internal.h -- the relay's member table, shared by relay*.c (not installed) */
#ifndef UDPCHAT_RELAY_INTERNAL_H
#define UDPCHAT_RELAY_INTERNAL_H
#include "udpchat/buf.h"
#include "udpchat/relay.h"

/* Who calls whom: relay.c (table, timers, operator) and relay_hello.c (datagrams before
 * and around membership) call the room rules in relay_room.c and the plain-text rules in
 * relay_legacy.c. The room rules queue messages on members' links, mark members dirty or
 * behind and settle fanouts, through the table's functions below; they never add or remove
 * a member. relay_legacy.c admits plain-text members (member_add) and lets them go
 * (member_leave, which does not recurse: see relay.c). */

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

/* relay.c */
member *member_find(relay *r, const net_addr *a);
member *member_by_nick(relay *r, const char *nick);
/* Renames a member (nick and its key). */
void member_rename(member *m, const char *nick);
member *member_add(relay *r, const net_addr *a, const char *nick, uint32_t session, uint64_t now);
void member_mark_dirty(member *m);
void member_remove(relay *r, member *m, uint64_t now);
/* Handles what the member's link has for us: messages, and fanouts settled. */
void relay_drain(relay *r, member *m, uint64_t now);
/* Starts a member's departure: marked leaving first, then announced; removed once its
 * link is idle. A second call does nothing, so one member leaves once. */
void member_leave(relay *r, member *m, int reason, const char *text, uint64_t now);
/* Leaves every member that fell behind during a broadcast (after it, not inside it). */
void relay_settle(relay *r, uint64_t now);
void relay_send_control(relay *r, const net_addr *to, uint8_t type, uint32_t dest, uint64_t token,
                        const void *body, size_t n);
/* 1 if one more answer to a stranger fits this second's budget (counted). */
int relay_stranger_budget(relay *r, uint64_t now);
void relay_log(relay *r, chat_event_type t, const char *nick, const net_addr *a, const char *what);
int relay_rate_ok(relay *r, member *m, uint64_t *tat, uint32_t rate, uint32_t burst, uint64_t now);
void relay_fanout_done(relay *r, fanout *f, int acked, uint64_t now);

/* relay_hello.c */
void relay_on_protocol(relay *r, const net_addr *from, const void *data, size_t len, uint64_t now);

/* relay_room.c */
void room_on_message(relay *r, member *m, const uint8_t *data, size_t len, uint64_t now);
void room_announce_join(relay *r, member *m, uint64_t now);
void room_announce_leave(relay *r, member *m, int reason, const char *text, uint64_t now);
void room_send_welcome(relay *r, member *m, uint64_t now);
void room_chat(relay *r, member *m, int flags, const char *to, const char *text, uint32_t ref, uint64_t now);
void room_roster_text(relay *r, buf *out);
void room_send_receipt(relay *r, member *m, uint32_t ref, uint32_t acked, uint32_t total, uint64_t now);

/* relay_legacy.c */
void legacy_on_text(relay *r, member *m, const net_addr *from, const char *data, size_t len,
                    uint64_t now);
/* A line for plain-text members, encoded once per charset (CHARSET_* indexes enc). */
typedef struct legacy_line {
    const char *utf8;
    buf enc[4];
} legacy_line;
void legacy_line_free(legacy_line *l);
/* Sends a line to a plain-text member, within its output rate. */
void legacy_send_line(relay *r, member *m, legacy_line *l, uint64_t now);
void legacy_send(relay *r, member *m, const char *utf8, uint64_t now);
/* Queues a join/leave line for plain-text members (sent together, once a second). */
void legacy_news(relay *r, const char *line);
void legacy_flush_news(relay *r, uint64_t now);
/* A plain-text member timed out: remember its address and nick for its return. */
void legacy_remember(relay *r, const member *m, uint64_t now);

#endif
