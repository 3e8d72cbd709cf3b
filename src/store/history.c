/* history.c -- the chat log in SQLite: WAL journal, batched writes, FTS5 trigram search */
#include "udpchat/history.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef _WIN32
#include <io.h>
#else
#include <unistd.h>
#endif

#include "history_internal.h"
#include "udpchat/buf.h"
#include "udpchat/mem.h"
#include "udpchat/utf8.h"

/* The file is created 0600 before SQLite opens it (its -wal and -shm files take the same
 * mode). Statements are prepared once. `in_batch` is 1 between the first history_add of
 * a batch and history_commit; an error inside a batch rolls it back. */

#define SCHEMA_VERSION 1

struct history {
    sqlite3 *db;
    sqlite3_stmt *add, *state;
    int in_batch;
    int64_t unindexed;    /* messages the search index does not have yet */
    char err[256];
};

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS messages("
    " id INTEGER PRIMARY KEY, time INTEGER NOT NULL, place TEXT NOT NULL, conv TEXT NOT NULL,"
    " sender TEXT NOT NULL, recipient TEXT NOT NULL, address TEXT NOT NULL, kind TEXT NOT NULL,"
    " own INTEGER NOT NULL, state TEXT NOT NULL, text TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS messages_place ON messages(place, conv, id);"
    "CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5("
    " text, content='messages', content_rowid='id', tokenize='trigram');"
    "CREATE TABLE IF NOT EXISTS fts_done(last INTEGER NOT NULL);"
    "INSERT INTO fts_done SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM fts_done);";

/* The search index takes the messages after fts_done.last, HISTORY_INDEX_BATCH at a time
 * (an FTS5 segment per small transaction would cost more than the message itself);
 * history_find scans those few by hand. */
static const char index_sql[] =
    "INSERT INTO messages_fts(rowid, text) SELECT id, text FROM messages WHERE id > (SELECT last FROM fts_done);"
    "UPDATE fts_done SET last = (SELECT coalesce(max(id), 0) FROM messages);";

static int fail(history *h, const char *what)
{
    snprintf(h->err, sizeof h->err, "%s: %s", what, h->db ? sqlite3_errmsg(h->db) : "out of memory");
    return -1;
}

static const char *or_empty(const char *s) { return s ? s : ""; }

/* Creates the file readable by the user only, if it does not exist. */
static void create_private(const char *path)
{
#ifndef _WIN32
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    if (fd >= 0) close(fd);
#else
    (void)path; /* %APPDATA% is the user's own */
#endif
}

static int check_version(history *h)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK) return fail(h, "reading");
    int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    if (v > SCHEMA_VERSION) {
        snprintf(h->err, sizeof h->err, "made by a newer udpchat (schema %d; this one knows %d)", v, SCHEMA_VERSION);
        return -1;
    }
    return sqlite3_exec(h->db, "PRAGMA user_version=1", NULL, NULL, NULL) == SQLITE_OK ? 0 : fail(h, "writing");
}

static int prepare(history *h)
{
    const char *add = "INSERT INTO messages(time, place, conv, sender, recipient, address, kind, own, state, text)"
                      " VALUES (?,?,?,?,?,?,?,?,?,?)";
    if (sqlite3_exec(h->db, schema, NULL, NULL, NULL) != SQLITE_OK) return fail(h, "setting up");
    if (check_version(h) < 0) return -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h->db, "SELECT count(*) FROM messages WHERE id > (SELECT last FROM fts_done)", -1, &st,
                           NULL) != SQLITE_OK)
        return fail(h, "reading");
    h->unindexed = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (sqlite3_prepare_v3(h->db, add, -1, SQLITE_PREPARE_PERSISTENT, &h->add, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(h->db, "UPDATE messages SET state=? WHERE id=?", -1, SQLITE_PREPARE_PERSISTENT,
                           &h->state, NULL) != SQLITE_OK)
        return fail(h, "preparing");
    return 0;
}

history *history_open(const char *path, char *why, size_t n)
{
    history *h = xcalloc(1, sizeof *h);
    create_private(path);
    int rc = sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
    if (rc != SQLITE_OK) fail(h, "opening");
    else sqlite3_busy_timeout(h->db, HISTORY_BUSY_MS);
    if (rc != SQLITE_OK || prepare(h) < 0) {
        snprintf(why, n, "%s: %s", path, h->err);
        history_close(h);
        return NULL;
    }
    return h;
}

static int begin(history *h);

void history_close(history *h)
{
    if (!h) return;
    if (h->unindexed && begin(h) == 0 && sqlite3_exec(h->db, index_sql, NULL, NULL, NULL) == SQLITE_OK)
        h->unindexed = 0;
    if (h->in_batch) history_commit(h);
    sqlite3_finalize(h->add);
    sqlite3_finalize(h->state);
    sqlite3_close_v2(h->db);
    free(h);
}

const char *history_error(const history *h) { return h->err; }
sqlite3 *history_db(history *h) { return h->db; }
int history_fail(history *h, const char *what) { return fail(h, what); }

static int begin(history *h)
{
    if (h->in_batch) return 0;
    if (sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) return fail(h, "starting a write");
    h->in_batch = 1;
    return 0;
}

static void rollback(history *h)
{
    if (h->in_batch) sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
    h->in_batch = 0;
}

/* Binds text as valid UTF-8 (a repaired copy if it is not). */
static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    s = or_empty(s);
    size_t n = strlen(s);
    if (utf8_valid(s, n)) {
        sqlite3_bind_text(st, i, s, (int)n, SQLITE_TRANSIENT);
        return;
    }
    buf b = {0};
    utf8_sanitize(s, n, 1, &b);
    sqlite3_bind_text(st, i, b.data ? b.data : "", (int)b.len, SQLITE_TRANSIENT);
    buf_free(&b);
}

int64_t history_add(history *h, const history_rec *r)
{
    if (begin(h) < 0) return 0;
    sqlite3_stmt *st = h->add;
    const char *fields[] = {r->place, r->conv, r->sender, r->recipient, r->address, r->kind};
    sqlite3_bind_int64(st, 1, r->time);
    for (int i = 0; i < 6; i++) bind_text(st, i + 2, fields[i]);
    sqlite3_bind_int(st, 8, r->own != 0);
    bind_text(st, 9, r->state);
    bind_text(st, 10, r->text);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        fail(h, "adding a message");
        rollback(h);
        return 0;
    }
    h->unindexed++;
    return sqlite3_last_insert_rowid(h->db);
}

int history_set_state(history *h, int64_t id, const char *state)
{
    if (begin(h) < 0) return -1;
    bind_text(h->state, 1, state);
    sqlite3_bind_int64(h->state, 2, id);
    int rc = sqlite3_step(h->state);
    sqlite3_reset(h->state);
    if (rc == SQLITE_DONE) return 0;
    fail(h, "updating a message");
    rollback(h);
    return -1;
}

int history_commit(history *h)
{
    if (!h->in_batch) return 0;
    int indexing = h->unindexed >= HISTORY_INDEX_BATCH;
    if (indexing && sqlite3_exec(h->db, index_sql, NULL, NULL, NULL) != SQLITE_OK) {
        fail(h, "indexing");
        rollback(h);
        return -1;
    }
    if (indexing) h->unindexed = 0;
    if (sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) {
        h->in_batch = 0;
        return 0;
    }
    fail(h, "saving");
    rollback(h);
    return -1;
}
