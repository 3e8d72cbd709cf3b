/* histfile.c -- input history that lasts: one file of typed lines per mode, compacted on load and exit */
#include "histfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console_backend.h"
#include "udpchat/charset.h"
#include "udpchat/mem.h"
#include "udpchat/utf8.h"

#define READ_MAX (HISTFILE_KEEP * (HISTFILE_MAX_LINE + 1) * 2) /* bytes kept from the file's end */

/* The lines read from a file, oldest first; bad counts those dropped. */
typedef struct lines {
    char **v;
    size_t n, cap, bad;
} lines;

int histfile_storable(const char *line, size_t len)
{
    if (len == 0 || len > HISTFILE_MAX_LINE) return 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t bad = 1;
        int n = utf8_decode_one(line + i, len - i, &cp, &bad);
        if (n <= 0) return 0;
        if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
            (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029)
            return 0;
        i += (size_t)n;
    }
    return 1;
}

static void lines_add(lines *l, const char *s, size_t n)
{
    if (n && s[n - 1] == '\r') n--; /* written by an editor on Windows */
    if (n == 0) return;
    if (!histfile_storable(s, n)) {
        l->bad++;
        return;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
    }
    l->v[l->n++] = xstrndup(s, n);
}

static void lines_free(lines *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Reads the file's end (READ_MAX bytes at most). Returns 0 (a missing file is empty), or
 * -1 with errno set. */
static int read_tail(const char *path, buf *data)
{
    FILE *f = charset_fopen(path, "rb");
    if (!f) return errno == ENOENT ? 0 : -1;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        buf_append(data, chunk, n);
        if (data->len > READ_MAX) buf_consume(data, data->len - READ_MAX / 2);
    }
    int err = ferror(f) ? (errno ? errno : EIO) : 0;
    fclose(f);
    if (err) errno = err;
    return err ? -1 : 0;
}

static int load(const char *path, lines *l)
{
    buf data = {0};
    int rc = read_tail(path, &data);
    for (size_t from = 0, i = 0; rc == 0 && i <= data.len; i++) /* a NUL makes its line bad */
        if (i == data.len || data.data[i] == '\n') {
            lines_add(l, data.data + from, i - from);
            from = i + 1;
        }
    buf_free(&data);
    return rc;
}

/* Rewrites the file with its newest HISTFILE_KEEP lines (through a file beside it). */
static int compact(const char *path, const lines *l)
{
    buf data = {0}, tmp = {0};
    for (size_t i = l->n > HISTFILE_KEEP ? l->n - HISTFILE_KEEP : 0; i < l->n; i++) {
        buf_append_str(&data, l->v[i]);
        buf_append_byte(&data, '\n');
    }
    buf_printf(&tmp, "%s.tmp", path);
    int rc = console_sys_save_private(tmp.data, data.data ? data.data : "", data.len, 0);
    if (rc == 0) rc = console_sys_replace(tmp.data, path);
    if (rc < 0) remove(tmp.data);
    buf_free(&data);
    buf_free(&tmp);
    return rc;
}

static void warn_unreadable(const char *path, buf *warning)
{
    buf_printf(warning, "input history: cannot read %s (%s): typed lines are not kept this time", path,
               strerror(errno));
}

int histfile_open(histfile *h, const char *name, lineedit *le, buf *warning)
{
    memset(h, 0, sizeof *h);
    buf path = {0};
    if (console_sys_state_dir(&path, warning) < 0) return -1;
    buf_printf(&path, "%chistory-%s", console_sys_path_sep(), name);
    lines l = {0};
    if (load(path.data, &l) < 0) {
        warn_unreadable(path.data, warning);
        buf_free(&path);
        return -1;
    }
    if (l.n || l.bad) compact(path.data, &l); /* also puts the mode back to 0600 */
    for (size_t i = l.n > HISTFILE_KEEP ? l.n - HISTFILE_KEEP : 0; i < l.n; i++) lineedit_history_add(le, l.v[i]);
    if (l.bad)
        buf_printf(warning, "input history: dropped %lu line%s that %s not text from %s", (unsigned long)l.bad,
                   l.bad == 1 ? "" : "s", l.bad == 1 ? "was" : "were", path.data);
    if (l.n) h->last = xstrdup(l.v[l.n - 1]);
    lines_free(&l);
    h->path = buf_detach(&path);
    return warning->len ? -1 : 0;
}

void histfile_add(histfile *h, const char *line)
{
    size_t len = strlen(line);
    if (!h->path || !histfile_storable(line, len) || (h->last && strcmp(h->last, line) == 0)) return;
    buf data = {0};
    buf_append(&data, line, len);
    buf_append_byte(&data, '\n');
    if (console_sys_save_private(h->path, data.data, data.len, 1) == 0) h->added++;
    buf_free(&data);
    free(h->last);
    h->last = xstrdup(line);
}

void histfile_close(histfile *h)
{
    if (h->path && h->added) { /* read again: another udpchat of this mode may have added lines */
        lines l = {0};
        if (load(h->path, &l) == 0 && (l.n > HISTFILE_KEEP || l.bad)) compact(h->path, &l);
        lines_free(&l);
    }
    free(h->path);
    free(h->last);
    memset(h, 0, sizeof *h);
}
