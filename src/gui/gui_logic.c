/* gui_logic.c -- the window's pure logic: selection ranges and text, per-view scroll, cycling, row counts */
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

void gui_rows_cache_at(gui_rows_cache *c, int width, int px)
{
    if (c->gen && c->width == width && c->px == px) return;
    memset(c->slot, 0, sizeof c->slot);
    c->width = width, c->px = px;
    if (++c->gen == 0) c->gen = 1; /* 0 is a new line's memo */
}

static uint64_t text_hash(const char *s, size_t len) /* FNV-1a */
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

int gui_rows_count(gui_rows_cache *c, gui_rows_memo *m, const char *text, gui_wrap_fn wrap, void *ctx)
{
    if (c->gen && m->gen == c->gen) return m->rows;
    size_t len = strlen(text);
    uint64_t h = text_hash(text, len);
    size_t at = (size_t)(h ^ (h >> 32)) & (GUI_ROWS_SLOTS - 1);
    int rows = c->slot[at].rows;
    if (!rows || c->slot[at].hash != h || c->slot[at].len != (uint32_t)len) {
        rows = wrap(ctx, text, len, c->width);
        if (rows < 1) rows = 1;
        c->slot[at].hash = h, c->slot[at].len = (uint32_t)len, c->slot[at].rows = rows;
    }
    m->rows = rows, m->gen = c->gen;
    return rows;
}
