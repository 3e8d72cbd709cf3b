/* relay_internal.h -- the relay's member table, shared by relay.c and relay_room.c */
#ifndef UDPCHAT_RELAY_INTERNAL_H
#define UDPCHAT_RELAY_INTERNAL_H
#include "udpchat/buf.h"
#include "udpchat/relay.h"

typedef struct member member;

struct member {
    member *hnext;           /* address hash chain */
    member *next, *prev;     /* every member, in join order */
    relay *r;
    net_addr addr;
    uint32_t session;        /* 0 for a plain-text member */
    link *lk;                /* NULL for a plain-text member */
    char *nick;
    uint64_t last_rx, leave_at;
    uint64_t tat_us;         /* rate limit (GCRA theoretical arrival time) */
    uint32_t dropped;        /* datagrams dropped by the rate limit since last logged */
    charset_id cs;
    uint8_t legacy, leaving, dirty;
};

struct relay {
    relay_config cfg;
    uint32_t me;
    relay_emit_fn emit;
    void *ctx;
    member **table;
    size_t tsize, count;
    member *head, *tail;
    member **dirty;
    size_t ndirty, capdirty;
    evq events;
    relay_stats st;
    uint64_t next_scan, shutdown_at, stranger_window;
    uint32_t stranger_replies;
    int shutting;
};

/* relay.c */
void member_mark_dirty(member *m);
void member_remove(relay *r, member *m);
/* Starts a member's departure: announced now, removed once its link is idle. */
void member_leave(relay *r, member *m, int reason, const char *text, uint64_t now);
member *member_by_nick(relay *r, const char *nick);
void relay_send_control(relay *r, const net_addr *to, uint8_t type, uint32_t dest, const void *body,
                        size_t n);

/* relay_room.c */
void room_on_message(relay *r, member *m, const uint8_t *data, size_t len, uint64_t now);
void room_announce_join(relay *r, member *m, uint64_t now);
void room_announce_leave(relay *r, member *m, int reason, const char *text, uint64_t now);
void room_send_welcome(relay *r, member *m, uint64_t now);
void room_legacy_text(relay *r, member *m, const net_addr *from, const char *data, size_t len,
                      uint64_t now);
void room_roster_text(relay *r, buf *out);

#endif
