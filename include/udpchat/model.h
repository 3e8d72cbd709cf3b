/* model.h -- the chat as every view sees it: conversations, roster, messages (no I/O) */
#ifndef UDPCHAT_MODEL_H
#define UDPCHAT_MODEL_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/event.h"
#include "udpchat/lan_file.h"

/* The model is built from the cores' events (model_apply) and read by the views (the
 * console lines, --json, later the window and the history): a view asks the model, the
 * model never calls a view. One thread (the front end's) owns it.
 *
 * Conversations: "" is the room (join, server) or everyone (lan, peer's only one); every
 * other is a private thread with one nick. Messages keep their conversation, kind, sender,
 * whether they are our own, their delivery state and whether they mention our nick; the
 * model keeps the last MODEL_KEEP messages (older ones are the history's business). */

#define MODEL_KEEP 1000

typedef enum msg_kind {
    MSG_KIND_PUBLIC,   /* to the room / everyone */
    MSG_KIND_PRIVATE,  /* to one nick only (either way) */
    MSG_KIND_ACTION,   /* "/me waves" */
    MSG_KIND_NOTICE,   /* from the server (its operator) */
    MSG_KIND_SYSTEM    /* joins, leaves, errors, status: not chat */
} msg_kind;

typedef enum msg_state {
    MSG_STATE_NONE,        /* not ours: nothing to report */
    MSG_STATE_SENDING,     /* ours, queued */
    MSG_STATE_RELAYED,     /* ours: the relay has it (room); a receipt follows */
    MSG_STATE_DELIVERED,   /* ours: every recipient acknowledged it */
    MSG_STATE_PARTIAL,     /* ours: acked of total members got it (room) */
    MSG_STATE_UNDELIVERED, /* ours: given up */
    MSG_STATE_LATE         /* ours: given up, then acknowledged after all */
} msg_state;

typedef struct model_msg {
    uint64_t seq;          /* 1, 2, ... in arrival order */
    uint32_t id;           /* ours: the core's message id */
    size_t conv;           /* index of its conversation */
    msg_kind kind;
    int own, mention;      /* mention: someone else's message that names our nick */
    char *from, *to, *address, *text; /* owned by the model; NULL when absent */
    int64_t time;          /* seconds since the epoch, when it was added */
    msg_state state;
    uint32_t acked, total; /* room receipts */
    int event, reason;     /* the chat_event_type that added it (EV_JOIN, EV_ERROR, ...) and
                            * its reason (EV_LEAVE): how a view words a system line */
} model_msg;

typedef struct model_conv {
    char *name;            /* "" or the nick of a private thread */
    size_t unread;         /* others' messages since model_mark_read */
    int mentioned;         /* one of them mentions our nick */
} model_conv;

typedef struct model_member {
    char *nick, *address;
    char *status;          /* LAN mode: its away status (EV_AWAY), NULL when present */
} model_member;

typedef struct model model;

model *model_create(const char *my_nick);
void model_destroy(model *m); /* accepts NULL */

/* Applies one event (the cores' events, and the runner's EV_SENT with the text we typed,
 * its recipient and flags). Returns the message it added or changed (valid until the next
 * model_apply), or NULL. */
const model_msg *model_apply(model *m, const chat_event *ev);

const char *model_nick(const model *m);
size_t model_conv_count(const model *m);
const model_conv *model_conv_at(const model *m, size_t i);
/* Index of the conversation with `name` ("" for the room), created if needed. */
size_t model_conv_find(model *m, const char *name);
void model_mark_read(model *m, size_t conv);
size_t model_unread_total(const model *m);
/* Messages kept, oldest first. */
size_t model_msg_count(const model *m);
const model_msg *model_msg_at(const model *m, size_t i);
/* The roster: who is here (room members, LAN peers, the peer). */
size_t model_member_count(const model *m);
const model_member *model_member_at(const model *m, size_t i);
/* Names for completion and /to checks: members whose nick starts with prefix (case-
 * insensitive on ASCII letters); returns how many, writing at most max of them. */
size_t model_members_matching(const model *m, const char *prefix, const char **out, size_t max);
/* 1 if text names nick as a word (not inside a longer word). */
int model_mentions(const char *text, const char *nick);

/* ---- file offers and transfers (model_files.c): the last MODEL_KEEP_FILES of each ---- */
#define MODEL_KEEP_FILES 100
typedef enum offer_state { OFFER_OPEN, OFFER_ACCEPTED, OFFER_DECLINED } offer_state;
typedef struct model_offer {     /* files a peer offered us (EV_FILE_OFFER) */
    unsigned number;             /* 1, 2, ...: what /accept N and /decline N name */
    char *from, *address, *text; /* owned */
    lan_offer offer;             /* owned */
    offer_state state;
} model_offer;
typedef struct model_transfer {  /* a running or finished transfer (EV_TRANSFER) */
    uint32_t id;
    int sending, reason;         /* TRANSFER_* of its last event */
    char *peer, *name;           /* owned; name: the file being moved now (or the last one received) */
    uint64_t bytes, size, rate;  /* of the current file */
} model_transfer;
size_t model_offer_count(const model *m);
const model_offer *model_offer_at(const model *m, size_t i);
const model_offer *model_offer_find(const model *m, unsigned number); /* NULL if unknown */
void model_offer_set_state(model *m, unsigned number, offer_state st);
size_t model_transfer_count(const model *m);
const model_transfer *model_transfer_at(const model *m, size_t i);
const model_transfer *model_transfer_find(const model *m, uint32_t id);

#endif
