/* history_internal.h -- what history_find.c needs of history.c (not installed) */
#ifndef UDPCHAT_HISTORY_INTERNAL_H
#define UDPCHAT_HISTORY_INTERNAL_H
#include <sqlite3.h>
#include "udpchat/history.h"

sqlite3 *history_db(history *h);
/* Records "what: SQLite's message" as the last error; returns -1. */
int history_fail(history *h, const char *what);

#endif
