/* history_find.c -- reading the chat log: the newest matches of a query (or the next page), oldest first */
#include "udpchat/history.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "udpchat/buf.h"
#include "udpchat/utf8.h"

/* The SQL is built from fixed pieces only; every value the user gave is bound. A search
 * of three characters or more uses the trigram index (MATCH on a quoted phrase) plus a scan
 * of the few newest messages the index does not have yet (history.c adds them in
 * batches); shorter ones scan the text (instr), since a trigram index cannot hold them. */

#define DEFAULT_LIMIT 50
#define SEARCH_MAX 256 /* bytes of a search string (longer ones are cut between characters) */

#include "history_internal.h"

static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* "text" as an FTS5 phrase: quotes doubled. */
static void phrase(const char *s, buf *out)
{
    buf_append_byte(out, '"');
    for (; *s; s++) {
        if (*s == '"') buf_append_byte(out, '"');
        buf_append_byte(out, (uint8_t)*s);
    }
    buf_append_byte(out, '"');
}

static void where(const history_query *q, int fts, buf *sql)
{
    if (q->text_max) /* cut in SQLite: the row never comes whole */
        buf_printf(sql, "SELECT id, time, substr(place, 1, %d), substr(conv, 1, %d), substr(sender, 1, %d),"
                        " substr(recipient, 1, %d), substr(address, 1, %d), substr(kind, 1, %d), substr(state, 1, %d),"
                        " substr(text, 1, :text_max), own FROM messages WHERE 1",
                   HISTORY_NAME_MAX, HISTORY_NAME_MAX, HISTORY_NAME_MAX, HISTORY_NAME_MAX, HISTORY_NAME_MAX,
                   HISTORY_NAME_MAX, HISTORY_NAME_MAX);
    else
        buf_append_str(sql, "SELECT id, time, place, conv, sender, recipient, address, kind, state, text, own"
                            " FROM messages WHERE 1");
    if (q->place) buf_append_str(sql, " AND place = :place");
    if (q->conv) buf_append_str(sql, " AND conv = :conv");
    if (q->with) buf_append_str(sql, " AND (sender = :with OR recipient = :with OR conv = :with)");
    if (q->since) buf_append_str(sql, " AND time >= :since");
    if (q->before) buf_append_str(sql, " AND id < :before");
    if (q->after) buf_append_str(sql, " AND id > :after");
    if (q->search && fts)
        buf_append_str(sql, " AND id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH :search"
                            " UNION ALL SELECT id FROM messages WHERE id > (SELECT last FROM fts_done)"
                            " AND instr(lower(text), lower(:plain)) > 0)");
    else if (q->search) buf_append_str(sql, " AND instr(lower(text), lower(:search)) > 0");
}

static void bind(sqlite3_stmt *st, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (i) sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

static void bind_int(sqlite3_stmt *st, const char *name, int64_t v)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (i) sqlite3_bind_int64(st, i, v);
}

static void bind_all(sqlite3_stmt *st, const history_query *q, const char *search, const char *plain, size_t limit)
{
    if (q->place) bind(st, ":place", q->place);
    if (q->conv) bind(st, ":conv", q->conv);
    if (q->with) bind(st, ":with", q->with);
    if (search) bind(st, ":search", search);
    if (plain) bind(st, ":plain", plain);
    bind_int(st, ":since", q->since);
    bind_int(st, ":before", q->before);
    bind_int(st, ":after", q->after);
    bind_int(st, ":text_max", (int64_t)q->text_max);
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":limit"), (sqlite3_int64)limit);
}

static const char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? (const char *)s : "";
}

static long each_row(sqlite3_stmt *st, history_fn fn, void *ctx, int *rc)
{
    long n = 0;
    while ((*rc = sqlite3_step(st)) == SQLITE_ROW) {
        history_rec r = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), col(st, 2), col(st, 3),
                         col(st, 4), col(st, 5), col(st, 6), col(st, 7), col(st, 8), col(st, 9),
                         sqlite3_column_int(st, 10)};
        n++;
        if (fn(ctx, &r)) {
            *rc = SQLITE_DONE;
            break;
        }
    }
    return n;
}

long history_find(history *h, const history_query *q, history_fn fn, void *ctx)
{
    buf sql = {0}, search = {0}, fts = {0};
    if (q->search) { /* valid UTF-8, bounded */
        utf8_sanitize(q->search, strlen(q->search), 0, &search);
        size_t cut = search.len > SEARCH_MAX ? SEARCH_MAX : search.len;
        while (cut > 0 && cut < search.len && ((uint8_t)search.data[cut] & 0xC0) == 0x80) cut--;
        search.len = cut;
        buf_append(&search, "", 0); /* NUL-terminated, allocated even when empty */
    }
    int use_fts = q->search && chars(search.data) >= 3;
    if (use_fts) phrase(search.data, &fts);
    buf_append_str(&sql, "SELECT * FROM (");
    where(q, use_fts, &sql);
    buf_append_str(&sql, q->after ? " ORDER BY id LIMIT :limit) ORDER BY id" : " ORDER BY id DESC LIMIT :limit) ORDER BY id");
    sqlite3_stmt *st = NULL;
    long n = -1;
    int rc = sqlite3_prepare_v2(history_db(h), sql.data, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        bind_all(st, q, use_fts ? fts.data : q->search ? search.data : NULL, use_fts ? search.data : NULL,
                 q->limit ? q->limit : DEFAULT_LIMIT);
        n = each_row(st, fn, ctx, &rc);
    }
    if (rc != SQLITE_DONE) n = history_fail(h, "reading");
    sqlite3_finalize(st);
    buf_free(&sql);
    buf_free(&search);
    buf_free(&fts);
    return n;
}
