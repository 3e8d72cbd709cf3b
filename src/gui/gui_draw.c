/* gui_draw.c -- the window's layout and drawing: roster, wrapped conversation, input box, status */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "gui_internal.h"
#include "udpchat/linebreak.h"

#define MAX_ROWS 512   /* rows of one wrapped text drawn at most (a longer one is cut) */
#define INPUT_ROWS 5   /* the input box grows to this many rows, then scrolls */

typedef struct row { size_t off, len; } row;

static const SDL_Color ink[] = {
    {0x20, 0x20, 0x20, 255}, /* GUI_TEXT */
    {0x1A, 0x4F, 0x9C, 255}, /* GUI_OWN */
    {0xA0, 0x20, 0x9A, 255}, /* GUI_PRIVATE */
    {0x20, 0x70, 0x6A, 255}, /* GUI_ACTION */
    {0x9A, 0x6A, 0x00, 255}, /* GUI_NOTICE */
    {0x80, 0x80, 0x80, 255}, /* GUI_SYSTEM */
    {0xC0, 0x20, 0x20, 255}, /* GUI_ERROR */
};

static void fill(SDL_Renderer *r, SDL_Rect box, Uint8 red, Uint8 green, Uint8 blue)
{
    SDL_SetRenderDrawColor(r, red, green, blue, 255);
    SDL_RenderFillRect(r, &box);
}

/* Wraps s into rows of at most width pixels: paragraphs at '\n', then linebreak_find. */
static size_t wrap(gui_fonts *f, const char *s, size_t len, int width, row *rows, size_t max)
{
    size_t n = 0, pos = 0;
    while (n < max) {
        const char *nl = memchr(s + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - s) : len;
        do {
            size_t next, fit = gui_text_fit(f, s + pos, end - pos, width);
            size_t take = linebreak_find(s + pos, end - pos, fit, &next);
            rows[n].off = pos, rows[n].len = take;
            n++, pos += next;
        } while (pos < end && n < max);
        if (!nl || n >= max) break;
        pos = end + 1;
    }
    return n;
}

static int pad(const gui *g) { return g->fonts.px / 2; }

/* Rows of the input box as shown (the composition inside at the caret), in rows[]. */
static size_t input_rows(gui *g, buf *shown, size_t *caret, row *rows, size_t max)
{
    const gui_edit *e = &g->edit;
    buf_clear(shown);
    if (e->text.len) buf_append(shown, e->text.data, e->caret);
    buf_append_str(shown, e->compose);
    if (e->text.len) buf_append(shown, e->text.data + e->caret, e->text.len - e->caret);
    *caret = e->caret + strlen(e->compose);
    size_t n = wrap(&g->fonts, shown->data ? shown->data : "", shown->len, g->input_box.w - 2 * pad(g), rows, max);
    return n ? n : (rows[0].off = rows[0].len = 0, 1);
}

static int roster_width(const gui *g)
{
    int w = g->w / 4 < 8 * g->fonts.px ? 8 * g->fonts.px : g->w / 4;
    return w > g->w / 2 ? g->w / 2 : w;
}

static void layout(gui *g, size_t input_n)
{
    int lh = g->fonts.line_h, p = pad(g), status_h = lh + p;
    int in_rows = input_n > INPUT_ROWS ? INPUT_ROWS : (int)input_n;
    int roster_w = roster_width(g);
    int input_h = in_rows * lh + p;
    g->roster_box = (SDL_Rect){0, 0, roster_w, g->h - status_h};
    g->input_box = (SDL_Rect){roster_w + p, g->h - status_h - input_h - p, g->w - roster_w - 2 * p, input_h};
    g->conv_box = (SDL_Rect){roster_w + p, p, g->w - roster_w - 2 * p, g->input_box.y - 2 * p};
}

static void draw_caret_and_compose(gui *g, const char *s, row rw, size_t caret, int x, int y)
{
    size_t clen = strlen(g->edit.compose), c0 = caret - clen;
    int lh = g->fonts.line_h;
    if (clen && c0 < rw.off + rw.len && caret > rw.off) { /* the composition: underlined */
        size_t a = c0 > rw.off ? c0 : rw.off, b = caret < rw.off + rw.len ? caret : rw.off + rw.len;
        int xa = x + gui_text_width(&g->fonts, s + rw.off, a - rw.off);
        int xb = x + gui_text_width(&g->fonts, s + rw.off, b - rw.off);
        fill(g->ren, (SDL_Rect){xa, y + lh - 2, xb - xa, 2}, 0x30, 0x70, 0xD0);
    }
    if (caret < rw.off || caret > rw.off + rw.len) return;
    int cx = x + gui_text_width(&g->fonts, s + rw.off, caret - rw.off);
    SDL_Rect at = {cx, y, 2, lh};
    if (g->focus == GUI_FOCUS_INPUT) fill(g->ren, at, 0x20, 0x20, 0x20);
    SDL_SetTextInputRect(&at); /* the input method's candidates open here */
}

static void draw_input(gui *g, const buf *shown, const row *rows, size_t n, size_t caret)
{
    SDL_Rect b = g->input_box;
    int focused = g->focus == GUI_FOCUS_INPUT;
    fill(g->ren, b, focused ? 0x30 : 0xB0, focused ? 0x70 : 0xB0, focused ? 0xD0 : 0xB0);
    fill(g->ren, (SDL_Rect){b.x + 1, b.y + 1, b.w - 2, b.h - 2}, 0xFF, 0xFF, 0xFF);
    size_t crow = 0;
    for (size_t i = 0; i < n; i++)
        if (caret >= rows[i].off && caret <= rows[i].off + rows[i].len) crow = i;
    size_t first = crow >= INPUT_ROWS ? crow - INPUT_ROWS + 1 : 0;
    const char *s = shown->data ? shown->data : "";
    for (size_t i = first; i < n && i < first + INPUT_ROWS; i++) {
        int x = b.x + pad(g), y = b.y + pad(g) / 2 + (int)(i - first) * g->fonts.line_h;
        gui_text_draw(g->ren, &g->fonts, s + rows[i].off, rows[i].len, x, y, ink[GUI_TEXT]);
        if (i == crow) draw_caret_and_compose(g, s, rows[i], caret, x, y);
    }
}

static int mark_col(gui *g) { return gui_text_width(&g->fonts, "[ok, late]", 10) + pad(g); }

/* Rows scrolled past the top (skip left over) or empty rows above the first line: the
 * scroll is cut back to the oldest line at the top, and drawn again. */
static void clamp_scroll(gui *g, int skip, int empty_rows)
{
    int back = skip + (g->scroll > skip ? empty_rows : 0);
    if (back <= 0 || g->scroll == 0) return;
    g->scroll = g->scroll > back ? g->scroll - back : 0;
    g->dirty = 1;
}

static int has_extra_row(const gui_line *ln) { return ln->offer > 0 || ln->progress >= 0; }

/* One row of a line's text, over the selection's highlight; remembered for the mouse. */
static void draw_text_row(gui *g, size_t i, row rw, int x, int y)
{
    const gui_line *ln = &g->lines[i];
    size_t a, b;
    if (gui_sel_row(&g->sel, i, rw.off, rw.len, &a, &b)) {
        int xa = x + gui_text_width(&g->fonts, ln->text + rw.off, a);
        int xb = x + gui_text_width(&g->fonts, ln->text + rw.off, b);
        fill(g->ren, (SDL_Rect){xa, y, xb - xa, g->fonts.line_h}, 0xB4, 0xD5, 0xFE);
    }
    gui_text_draw(g->ren, &g->fonts, ln->text + rw.off, rw.len, x, y, ink[ln->style]);
    if (g->nvis < GUI_VIS) g->vis[g->nvis++] = (gui_vis_row){i, rw.off, rw.len, x, y};
}

static void draw_button(gui *g, SDL_Rect r, const char *label, int offer, int accept)
{
    int mine = g->focus == GUI_FOCUS_BUTTONS && (int)g->nbtn == g->btn_cursor;
    if (mine) fill(g->ren, (SDL_Rect){r.x - 2, r.y - 2, r.w + 4, r.h + 4}, 0x20, 0x20, 0x20);
    fill(g->ren, r, accept ? 0x2E : 0x8A, accept ? 0x8B : 0x8A, accept ? 0x57 : 0x8A);
    int tw = gui_text_width(&g->fonts, label, strlen(label));
    gui_text_draw(g->ren, &g->fonts, label, strlen(label), r.x + (r.w - tw) / 2, r.y - 1, (SDL_Color){255, 255, 255, 255});
    if (g->nbtn < GUI_BUTTONS) g->btn[g->nbtn++] = (gui_button){r, offer, accept};
}

/* The row below an offer (its buttons) or a transfer (its bar). */
static void draw_extra_row(gui *g, const gui_line *ln, int x, int y)
{
    int lh = g->fonts.line_h, p = pad(g);
    if (ln->offer > 0) {
        int wa = gui_text_width(&g->fonts, "Accept", 6) + 2 * p, wd = gui_text_width(&g->fonts, "Decline", 7) + 2 * p;
        draw_button(g, (SDL_Rect){x + 2, y + 1, wa, lh - 2}, "Accept", ln->offer, 1);
        draw_button(g, (SDL_Rect){x + 2 + wa + p, y + 1, wd, lh - 2}, "Decline", ln->offer, 0);
        return;
    }
    int w = g->conv_box.w / 2;
    fill(g->ren, (SDL_Rect){x, y + lh / 4, w, lh / 2}, 0xDD, 0xDD, 0xDD);
    fill(g->ren, (SDL_Rect){x, y + lh / 4, w * ln->progress / 1000, lh / 2}, 0x2A, 0x9D, 0x8F);
}

static int wrap_count(void *fonts, const char *s, size_t len, int width)
{
    row rows[MAX_ROWS];
    return (int)wrap(fonts, s, len, width, rows, MAX_ROWS);
}

/* Rows ln takes at g->rows' width (its text's counted once, then remembered). */
static int line_rows(gui *g, gui_line *ln)
{
    return gui_rows_count(&g->rows, &ln->rows, ln->text, wrap_count, &g->fonts) + has_extra_row(ln);
}

/* The width the conversation's text wraps at (left of the marks' column). */
static int conv_width(gui *g)
{
    int lh = g->fonts.line_h, w = g->conv_box.w - mark_col(g);
    return w > lh ? w : lh;
}

/* One line, its last row at the bottom (*y goes up); rows scrolled past are skipped. Only
 * lines on screen come here: they are wrapped, the others counted (line_rows). */
static void draw_line(gui *g, size_t i, int width, int mw, int *y, int *skip)
{
    SDL_Rect b = g->conv_box;
    const gui_line *ln = &g->lines[i];
    int lh = g->fonts.line_h;
    row rows[MAX_ROWS];
    size_t n = wrap(&g->fonts, ln->text, strlen(ln->text), width, rows, MAX_ROWS);
    if (has_extra_row(ln) && *y - lh >= b.y) {
        if (*skip > 0) (*skip)--;
        else *y -= lh, draw_extra_row(g, ln, b.x, *y);
    }
    for (size_t k = n; k-- > 0 && *y - lh >= b.y;) {
        if (*skip > 0) { (*skip)--; continue; }
        *y -= lh;
        draw_text_row(g, i, rows[k], b.x, *y);
        if (k == n - 1 && ln->mark)
            gui_text_draw(g->ren, &g->fonts, ln->mark, strlen(ln->mark), b.x + b.w - mw + pad(g), *y,
                          ln->style == GUI_ERROR ? ink[GUI_ERROR] : ink[GUI_SYSTEM]);
    }
}

/* Draws the lines from the bottom up, g->scroll rows back; marks in a column at the right. */
static void draw_conv(gui *g)
{
    SDL_Rect b = g->conv_box;
    int lh = g->fonts.line_h, mw = mark_col(g), width = conv_width(g);
    int y = b.y + b.h, skip = g->scroll;
    g->nvis = g->nbtn = 0;
    gui_rows_cache_at(&g->rows, width, g->fonts.px); /* resized, zoomed, rescaled: counted again */
    SDL_RenderSetClipRect(g->ren, &b);
    for (size_t i = g->nlines; i-- > 0 && y - lh >= b.y;) {
        int n = line_rows(g, &g->lines[i]);
        if (skip >= n) skip -= n; /* below the view: not wrapped */
        else draw_line(g, i, width, mw, &y, &skip);
    }
    SDL_RenderSetClipRect(g->ren, NULL);
    if (g->btn_cursor >= (int)g->nbtn) g->btn_cursor = g->nbtn ? (int)g->nbtn - 1 : 0;
    if (g->focus == GUI_FOCUS_BUTTONS && !g->nbtn) g->focus = GUI_FOCUS_INPUT, g->dirty = 1;
    clamp_scroll(g, skip, (y - b.y) / lh);
}

static int roster_top(const gui *g) { return pad(g) + g->fonts.line_h + pad(g) / 2; }

/* An unread count, white on red, ending at x; returns the width it takes. */
static int draw_badge(gui *g, size_t count, int x, int y)
{
    char t[24];
    snprintf(t, sizeof t, count > 999 ? "999+" : "%lu", (unsigned long)count);
    int p = pad(g), w = gui_text_width(&g->fonts, t, strlen(t)) + p;
    SDL_Rect r = {x - w, y + 1, w, g->fonts.line_h - 2};
    fill(g->ren, r, 0xD0, 0x30, 0x30);
    gui_text_draw(g->ren, &g->fonts, t, strlen(t), r.x + p / 2, y, (SDL_Color){255, 255, 255, 255});
    return w + p / 2;
}

static void draw_roster(gui *g)
{
    SDL_Rect b = g->roster_box;
    int lh = g->fonts.line_h, p = pad(g), y = roster_top(g);
    fill(g->ren, b, 0xEE, 0xF0, 0xF3);
    if (g->heading) gui_text_draw(g->ren, &g->fonts, g->heading, strlen(g->heading), p, p, ink[GUI_SYSTEM]);
    SDL_RenderSetClipRect(g->ren, &b);
    for (size_t i = 0; i < g->nroster && y < b.y + b.h; i++, y += lh) {
        SDL_Rect r = {0, y, b.w, lh};
        if ((int)i == g->selected) fill(g->ren, r, 0xC8, 0xDC, 0xF8);
        if (g->focus == GUI_FOCUS_ROSTER && (int)i == g->cursor) {
            SDL_SetRenderDrawColor(g->ren, 0x30, 0x70, 0xD0, 255);
            SDL_RenderDrawRect(g->ren, &r);
        }
        const char *s = g->roster[i];
        int badge = g->unread && g->unread[i] ? draw_badge(g, g->unread[i], b.w - p, y) : 0;
        size_t fit = gui_text_fit(&g->fonts, s, strlen(s), b.w - 2 * p - badge);
        gui_text_draw(g->ren, &g->fonts, s, fit, p, y, ink[(int)i == g->selected ? GUI_OWN : GUI_TEXT]);
    }
    SDL_RenderSetClipRect(g->ren, NULL);
}

static void draw_status(gui *g)
{
    int h = g->fonts.line_h + pad(g);
    fill(g->ren, (SDL_Rect){0, g->h - h, g->w, h}, 0x2D, 0x34, 0x40);
    SDL_Color c = g->status_error ? (SDL_Color){0xFF, 0xB0, 0xB0, 255} : (SDL_Color){0xF0, 0xF0, 0xF0, 255};
    if (g->status) gui_text_draw(g->ren, &g->fonts, g->status, strlen(g->status), pad(g), g->h - h + pad(g) / 2, c);
}

void gui_draw(gui *g)
{
    static row rows[MAX_ROWS]; /* one thread draws */
    size_t caret;
    SDL_GetRendererOutputSize(g->ren, &g->w, &g->h);
    g->input_box.w = g->w - roster_width(g) - 2 * pad(g); /* what layout() will give it: for wrapping */
    size_t n = input_rows(g, &g->shown, &caret, rows, MAX_ROWS);
    layout(g, n);
    fill(g->ren, (SDL_Rect){0, 0, g->w, g->h}, 0xFA, 0xFA, 0xFA);
    draw_roster(g);
    draw_conv(g);
    draw_input(g, &g->shown, rows, n, caret);
    draw_status(g);
    SDL_RenderPresent(g->ren);
}

int gui_roster_hit(const gui *g, int x, int y)
{
    if (x < g->roster_box.x || x >= g->roster_box.x + g->roster_box.w || y < roster_top(g)) return -1;
    int i = (y - roster_top(g)) / g->fonts.line_h;
    return i < (int)g->nroster ? i : -1;
}

int gui_rows_of(gui *g, gui_line *ln)
{
    gui_rows_cache_at(&g->rows, conv_width(g), g->fonts.px);
    return line_rows(g, ln);
}

/* vis[] is bottom first: the row under y, else the nearest (above the top: the top row). */
int gui_conv_hit(gui *g, int x, int y, gui_pos *at)
{
    if (!g->nvis) return 0;
    const gui_vis_row *v = &g->vis[g->nvis - 1]; /* the top row */
    for (size_t i = 0; i < g->nvis; i++)
        if (y >= g->vis[i].y) { v = &g->vis[i]; break; }
    if (y >= v->y + g->fonts.line_h && v == &g->vis[0]) x = INT_MAX; /* below the last row: its end */
    const char *s = g->lines[v->line].text + v->off;
    size_t fit = x <= v->x ? 0 : x == INT_MAX ? v->len : gui_text_fit(&g->fonts, s, v->len, x - v->x);
    at->line = v->line, at->off = v->off + fit;
    return 1;
}

int gui_button_hit(const gui *g, int x, int y)
{
    for (size_t i = 0; i < g->nbtn; i++) {
        SDL_Rect r = g->btn[i].r;
        if (x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h) return (int)i;
    }
    return -1;
}

int gui_page_rows(const gui *g)
{
    int n = g->conv_box.h / g->fonts.line_h - 1;
    return n > 1 ? n : 1;
}
