/* gui_logic.c -- the window's pure logic: selection ranges and text, per-view scroll, cycling */
#include "gui_logic.h"

#include <string.h>

int gui_pos_cmp(gui_pos a, gui_pos b)
{
    if (a.line != b.line) return a.line < b.line ? -1 : 1;
    return a.off < b.off ? -1 : a.off > b.off;
}

int gui_sel_empty(const gui_sel *s) { return gui_pos_cmp(s->anchor, s->head) == 0; }

void gui_sel_order(const gui_sel *s, gui_pos *from, gui_pos *to)
{
    int fwd = gui_pos_cmp(s->anchor, s->head) <= 0;
    *from = fwd ? s->anchor : s->head;
    *to = fwd ? s->head : s->anchor;
}

int gui_sel_row(const gui_sel *s, size_t line, size_t off, size_t len, size_t *a, size_t *b)
{
    gui_pos from, to;
    gui_sel_order(s, &from, &to);
    if (gui_sel_empty(s) || line < from.line || line > to.line) return 0;
    size_t lo = line == from.line ? from.off : 0, hi = line == to.line ? to.off : (size_t)-1;
    if (lo < off) lo = off;
    if (hi > off + len) hi = off + len;
    if (lo >= hi) return 0;
    *a = lo - off, *b = hi - off;
    return 1;
}

void gui_sel_text(const gui_sel *s, const char *(*text_at)(const void *ctx, size_t i), const void *ctx,
                  size_t n, buf *out)
{
    gui_pos from, to;
    gui_sel_order(s, &from, &to);
    if (gui_sel_empty(s)) return;
    for (size_t i = from.line; i <= to.line && i < n; i++) {
        const char *t = text_at(ctx, i);
        size_t len = strlen(t), lo = i == from.line ? from.off : 0, hi = i == to.line ? to.off : len;
        if (hi > len) hi = len;
        if (lo > hi) lo = hi;
        if (i > from.line) buf_append_byte(out, '\n');
        buf_append(out, t + lo, hi - lo);
    }
}

int gui_views_get(const gui_views *t, long view, size_t *lines)
{
    *lines = 0;
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].view == view) return *lines = t->v[i].lines, t->v[i].scroll;
    return 0;
}

/* The newest is last: a view saved again moves to the end, the first is the oldest. */
void gui_views_put(gui_views *t, long view, int scroll, size_t lines)
{
    size_t i = 0;
    while (i < t->n && t->v[i].view != view) i++;
    if (i == t->n && t->n == GUI_VIEWS) i = 0; /* full: the oldest goes */
    if (i < t->n) {
        memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof t->v[0]);
        t->n--;
    }
    t->v[t->n].view = view, t->v[t->n].scroll = scroll, t->v[t->n].lines = lines;
    t->n++;
}

int gui_cycle(int cur, int n, int dir)
{
    if (n <= 0) return -1;
    if (cur < 0 || cur >= n) return dir > 0 ? 0 : n - 1;
    return ((cur + dir) % n + n) % n;
}
