/* gui_log.c -- the window's conversations' past: runs of chat log rows, paged in and let go as they scroll */
#include <stdlib.h>
#include <string.h>

#include "gui_convs.h"
#include "udpchat/mem.h"

/* A run holds at most CONVS_LOG_KEEP + CONVS_PAGE lines for a moment, CONVS_LOG_KEEP after
 * each call; a page is moved in with one memmove, whatever its size. Ids only grow along a
 * run. Nothing here reads the log: the app does (gui_pages.c) and hands the rows over. */

convs_log *convs_log_of(gui_convs *c, size_t conv)
{
    if (conv >= c->nlogs) {
        c->logs = xreallocarray(c->logs, conv + 1, sizeof *c->logs);
        memset(c->logs + c->nlogs, 0, (conv + 1 - c->nlogs) * sizeof *c->logs);
        c->nlogs = conv + 1;
    }
    return &c->logs[conv];
}

int64_t convs_log_edge(const gui_convs *c, const convs_rows *rows)
{
    int64_t edge = 0; /* the model is in seq order, so its first message with a row has the smallest */
    for (size_t i = 0; i < model_msg_count(c->m) && !edge; i++) {
        const model_msg *g = model_msg_at(c->m, i);
        if (c->single || g->conv == c->open) edge = rows->of_msg(rows->ctx, g->seq);
    }
    for (size_t i = 0; i < c->nfiles; i++) {
        const convs_file *f = &c->files[i];
        int64_t id = f->is_offer && (c->single || f->conv == c->open) ? rows->of_offer(rows->ctx, f->key) : 0;
        if (id && (!edge || id < edge)) edge = id;
    }
    return edge;
}

static void drop(convs_log *l, size_t from, size_t n)
{
    for (size_t i = from; i < from + n; i++) free(l->line[i].text);
    memmove(l->line + from, l->line + from + n, (l->n - from - n) * sizeof *l->line);
    l->n -= n;
}

static void make_room(convs_log *l, size_t n)
{
    if (l->n + n <= l->cap) return;
    l->cap = l->n + n < 2 * l->cap ? 2 * l->cap : l->n + n;
    l->line = xreallocarray(l->line, l->cap, sizeof *l->line);
}

void convs_log_older(convs_log *l, convs_hist *rows, size_t n, size_t asked)
{
    if (n) { /* none: l->line may still be NULL */
        make_room(l, n);
        memmove(l->line + n, l->line, l->n * sizeof *l->line);
        memcpy(l->line, rows, n * sizeof *rows);
        l->n += n;
    }
    l->opened = 1;
    l->first = n < asked;
    if (l->n > CONVS_LOG_KEEP) drop(l, CONVS_LOG_KEEP, l->n - CONVS_LOG_KEEP), l->detached = 1;
}

static void append(convs_log *l, convs_hist *rows, size_t n)
{
    if (!n) return;
    make_room(l, n);
    memcpy(l->line + l->n, rows, n * sizeof *rows);
    l->n += n;
    if (l->n > CONVS_LOG_KEEP) drop(l, 0, l->n - CONVS_LOG_KEEP), l->first = 0;
}

void convs_log_newer(convs_log *l, convs_hist *rows, size_t n, size_t asked)
{
    append(l, rows, n);
    if (n < asked) l->detached = 0; /* the rest is the model's: its lines are shown below again */
}

void convs_log_follow(convs_log *l, convs_hist *rows, size_t n, int64_t edge)
{
    append(l, rows, n);
    if (edge) l->last = edge - 1;
    else if (l->n && l->line[l->n - 1].id > l->last) l->last = l->line[l->n - 1].id;
    l->edge = edge;
}

void convs_log_clear(convs_log *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->line[i].text);
    free(l->line);
    memset(l, 0, sizeof *l);
}
