/* cmd_history.c -- `udpchat history`: print or export the chat log */
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "udpchat/app.h"
#include "udpchat/cli.h"
#include "udpchat/history.h"
#include "udpchat/paths.h"

typedef struct history_opts {
    const char *with, *search, *since, *file, *charset;
    long limit;
    int json;
} history_opts;

/* "YYYY-MM-DD[ HH:MM[:SS]]" (local time) to seconds since the epoch; -1 if it is not one. */
static int64_t parse_date(const char *s)
{
    struct tm tm = {0};
    int y, mo, d, h = 0, mi = 0, sec = 0;
    char extra;
    int n = sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &sec, &extra);
    if (n != 3 && n != 5 && n != 6) n = sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &sec, &extra);
    if ((n != 3 && n != 5 && n != 6) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
    tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec, tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    return t == (time_t)-1 ? -1 : (int64_t)t;
}

static int parse(int argc, char **argv, history_opts *o)
{
    const cli_opt opts[] = {
        {"with", CLI_STRING, &o->with, 0, 0, "NICK", "only messages from, to or with NICK"},
        {"search", CLI_STRING, &o->search, 0, 0, "TEXT", "only messages containing TEXT (Chinese too)"},
        {"since", CLI_STRING, &o->since, 0, 0, "DATE", "only messages since DATE (YYYY-MM-DD[ HH:MM], local time)"},
        {"limit", CLI_INT, &o->limit, 1, 100000000, "N", "only the last N messages (default: all)"},
        {"json", CLI_FLAG, &o->json, 0, 0, NULL, "one JSON object per line (an export)"},
        {"file", CLI_STRING, &o->file, 0, 0, "PATH", "the chat log to read (default: history.db in the data folder)"},
        {"charset", CLI_STRING, &o->charset, 0, 0, "CS", "output charset (default: the locale's)"},
        {NULL, 0, NULL, 0, 0, NULL, NULL},
    };
    const char *pos[1];
    int npos;
    int rc = cli_parse(argc, argv, opts, pos, 0, &npos,
                       "[OPTIONS]\n\nPrints the chat log that udpchat keeps of every conversation (lan, join,\n"
                       "peer), oldest first, or exports it with --json.");
    if (rc != 0) return rc > 0 ? EXIT_OK : EXIT_USAGE;
    return -1;
}

static int print_row(void *ctx, const history_rec *r)
{
    frontend_history(ctx, r, 1);
    return 0;
}

static history *open_log(const history_opts *o)
{
    char why[300];
    char *dir = o->file ? NULL : paths_dir(PATHS_DATA, why, sizeof why);
    char *file = o->file ? NULL : dir ? paths_join(dir, "history.db") : NULL;
    const char *path = o->file ? o->file : file;
    history *h = path ? history_open(path, why, sizeof why) : NULL;
    if (!h) fprintf(stderr, "udpchat history: %s\n", why);
    free(dir);
    free(file);
    return h;
}

static int run(const history_opts *o, charset_id cs)
{
    int64_t since = o->since ? parse_date(o->since) : 0;
    if (since < 0) {
        fprintf(stderr, "udpchat history: --since wants a date as 2026-12-01 or \"2026-12-01 09:30\", not '%s'\n", o->since);
        return EXIT_USAGE;
    }
    history *h = open_log(o);
    if (!h) return EXIT_RUNTIME;
    frontend fe;
    frontend_init(&fe, FE_LAN, o->json, cs, "");
    history_query q = {.with = o->with, .search = o->search, .since = since, .limit = o->limit ? (size_t)o->limit : SIZE_MAX};
    long n = history_find(h, &q, print_row, &fe);
    if (n < 0) fprintf(stderr, "udpchat history: %s\n", history_error(h));
    frontend_free(&fe);
    history_close(h);
    return n < 0 ? EXIT_RUNTIME : EXIT_OK;
}

int cmd_history(int argc, char **argv)
{
    history_opts o = {0};
    int rc = parse(argc, argv, &o);
    if (rc >= 0) return rc;
    charset_id cs;
    if (app_charset_option("history", "--charset", o.charset, charset_locale(), &cs) < 0) return EXIT_USAGE;
    return run(&o, cs);
}
