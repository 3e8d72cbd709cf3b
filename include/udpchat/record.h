/* record.h -- the front end's history: what the model shows goes to the chat log, and back */
#ifndef UDPCHAT_RECORD_H
#define UDPCHAT_RECORD_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/history.h"
#include "udpchat/model.h"

/* A recorder writes the model's messages (not its system lines) to the history database in
 * batches (record_commit), and reads them back for the views. It never stops the chat: a
 * database that cannot be opened or written gives one warning (record_warning), then the
 * chat goes on; writing is retried after RECORD_RETRY_MS, and what could not be saved is
 * counted. One thread (the front end's) uses it. */

#define RECORD_RETRY_MS 5000

typedef struct recorder recorder;
struct frontend;

/* Opens the history of `place` ("lan", "join HOST:PORT", "peer HOST:PORT") in `path`
 * (NULL: history.db in the user's data folder). Never NULL: a recorder that could not
 * open the database records nothing and has a warning. */
recorder *record_open(const char *place, const char *path);
void record_close(recorder *r); /* commits; accepts NULL */
/* A warning to show once (heap, the caller frees it), or NULL. */
char *record_warning(recorder *r);

/* Notes a message the model added or changed (its delivery state). */
void record_note(recorder *r, const model *m, const model_msg *g);
/* Notes a peer's file offer (after the model has it). */
void record_offer(recorder *r, const model *m, const chat_event *ev);
/* The log row of offer `number` (recorded in this run), or 0 (accepts NULL). */
int64_t record_offer_id(const recorder *r, unsigned number);
/* 1 if something noted is not yet on disk (accepts NULL: 0). */
int record_pending(const recorder *r);
/* Puts what was noted on disk; now is the clock in ms. 0, or -1 (see record_warning). */
int record_commit(recorder *r, uint64_t now);

/* The commands of the history: /history [N] and /search TEXT, and the last messages of a
 * conversation when it opens (conv "" or a nick). Return 1 if the line was one of theirs. */
int record_command(struct frontend *fe, const char *name, size_t n, const char *args);
void record_show_recent(struct frontend *fe, const char *conv, size_t n);

/* For a view that pages through a conversation (the window): the log's row of the model's
 * message seq (0: not recorded, or older than the model's last MODEL_KEEP), and a page of
 * conversation conv ("" or a nick) of this place: up to n messages with ids < before, or,
 * when after is not 0, the n after it, oldest first, each to fn. A page's texts are cut at
 * RECORD_PAGE_TEXT characters and its names at HISTORY_NAME_MAX by SQLite (a row is read
 * whole only by /history, /search and `udpchat history`). How many, or -1 when the log is
 * not open or could not be read (nothing is said: the view shows what it has). */
#define RECORD_PAGE_TEXT 16385 /* one more than a view keeps (16 KiB): it can tell a cut */
int64_t record_id_of(const recorder *r, uint64_t seq);
long record_page(recorder *r, const char *conv, int64_t before, int64_t after, size_t n, history_fn fn, void *ctx);

#endif
