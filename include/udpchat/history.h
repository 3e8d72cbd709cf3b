/* history.h -- the chat log: every message shown, kept in SQLite, searched with FTS5 */
#ifndef UDPCHAT_HISTORY_H
#define UDPCHAT_HISTORY_H
#include <stddef.h>
#include <stdint.h>

/* One database file, used from one thread. Messages are added in batches: history_add
 * inside an open transaction, history_commit ends it, and only then is the batch on disk
 * (WAL journal: a committed batch survives kill -9 of the program). Every failure (locked,
 * read-only, corrupt, full disk) is an error code and a text (history_error), never an
 * abort or a wait longer than HISTORY_BUSY_MS. */

#define HISTORY_BUSY_MS 200 /* how long a write waits for another process's lock */
#define HISTORY_INDEX_BATCH 512 /* messages added to the search index together */

typedef struct history history;

/* A message. Strings are borrowed (NULL reads as ""). */
typedef struct history_rec {
    int64_t id;        /* its row; set by history_find, ignored by history_add */
    int64_t time;      /* seconds since the epoch */
    const char *place; /* where: "lan", "join HOST:PORT", "peer HOST:PORT" */
    const char *conv;  /* "" (the room, everyone) or the nick of a private thread */
    const char *sender, *recipient, *address;
    const char *kind;  /* public, private, action, notice, file */
    const char *state; /* ours: sending, relayed, delivered, partial, undelivered, late */
    const char *text;
    int own;
} history_rec;

/* Opens (creating it, readable by the user only) or returns NULL with why[0..n). */
history *history_open(const char *path, char *why, size_t n);
void history_close(history *h); /* commits what is pending; accepts NULL */
/* The last error's text (valid until the next call). */
const char *history_error(const history *h);

/* Adds a message to the open batch (opening one if needed): its id, or 0 on an error. */
int64_t history_add(history *h, const history_rec *r);
/* Changes the delivery state of a message (in the open batch): 0, or -1. */
int history_set_state(history *h, int64_t id, const char *state);
/* Ends the batch: 0 once it is on disk; -1 if it could not be (the batch is rolled back). */
int history_commit(history *h);

/* What to read: any field 0/NULL means "any". search matches a substring of the text
 * (case-insensitive for ASCII; Chinese included); with matches the sender, the recipient
 * or the conversation; before and after bound the ids (a page of a conversation: the
 * messages before the oldest shown, or after the newest). The newest `limit` matches
 * (0: 50) are returned oldest first; with `after`, the oldest `limit` (the next page down). */
typedef struct history_query {
    const char *place, *conv, *with, *search;
    int64_t since;
    size_t limit;
    int64_t before, after; /* only ids < before, > after (0: no bound) */
    size_t text_max;       /* 0: whole rows; else at most text_max characters of each text and
                            * HISTORY_NAME_MAX of the other fields (a view's read: a log is
                            * input, and a row of megabytes is not read whole) */
} history_query;
#define HISTORY_NAME_MAX 256
/* Called for each match; a nonzero return stops. */
typedef int (*history_fn)(void *ctx, const history_rec *r);
/* Returns how many were passed to fn, or -1 on an error. */
long history_find(history *h, const history_query *q, history_fn fn, void *ctx);

#endif
