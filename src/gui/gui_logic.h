/* gui_logic.h -- the window's pure logic (no SDL, no display): selection ranges, per-view scroll, cycling, row counts */
#ifndef UDPCHAT_GUI_LOGIC_H
#define UDPCHAT_GUI_LOGIC_H
#include <stddef.h>
#include <stdint.h>

#include "udpchat/buf.h"

/* A place in the conversation: a line and a byte offset in its text. */
typedef struct gui_pos {
    size_t line, off;
} gui_pos;

/* A selection: from the anchor (where the drag began) to the head (where the mouse is);
 * either may come first. Empty when they are equal. */
typedef struct gui_sel {
    gui_pos anchor, head;
} gui_sel;

int gui_pos_cmp(gui_pos a, gui_pos b); /* <0, 0, >0 */
int gui_sel_empty(const gui_sel *s);
/* The selection in order: *from before *to. */
void gui_sel_order(const gui_sel *s, gui_pos *from, gui_pos *to);
/* The selected part of the row line[off, off + len): bytes [*a, *b) counted from off;
 * 0 when none of the row is selected. */
int gui_sel_row(const gui_sel *s, size_t line, size_t off, size_t len, size_t *a, size_t *b);
/* Appends the selected text to out: line i's text is text_at(ctx, i) (NUL-terminated;
 * i < n), lines joined by '\n'. Offsets past a text's end are cut to it. */
void gui_sel_text(const gui_sel *s, const char *(*text_at)(const void *ctx, size_t i), const void *ctx,
                  size_t n, buf *out);

/* Each view's scroll (rows back from the bottom) and how many lines it had then, remembered
 * for the last GUI_VIEWS views seen (the least recently saved is forgotten first). Views are
 * the app's numbers. */
#define GUI_VIEWS 64
typedef struct gui_views {
    struct {
        long view;
        int scroll;
        size_t lines;
    } v[GUI_VIEWS];
    size_t n;
} gui_views;
/* The saved scroll, *lines its line count then; 0 and 0 for a view never saved. */
int gui_views_get(const gui_views *t, long view, size_t *lines);
void gui_views_put(gui_views *t, long view, int scroll, size_t lines);

/* Ctrl+Tab (dir +1) and Ctrl+Shift+Tab (-1): the entry after cur among n, wrapping; cur -1
 * (none) goes to the first or the last; -1 when n is 0. */
int gui_cycle(int cur, int n, int dir);

/* How many rows each text wraps into, at one width and text size (changing either forgets
 * every count: the generation moves on). Remembered twice: in the line (a memo, valid while
 * its generation is the cache's: a line's text is never changed in place, a new line starts
 * at generation 0) and by the text itself (a 64-bit hash and its length, direct-mapped in
 * GUI_ROWS_SLOTS slots: 64 KiB), so the lines the app hands over again (every update) keep
 * their counts. A text whose slot another took is wrapped again: memory stays bounded. */
#define GUI_ROWS_SLOTS 4096 /* a power of 2, twice the ~2,000 lines a view holds */
typedef struct gui_rows_memo {
    int rows;
    unsigned gen;
} gui_rows_memo;
typedef struct gui_rows_cache {
    int width, px;
    unsigned gen; /* 0 until the first gui_rows_cache_at */
    struct {
        uint64_t hash;
        uint32_t len;
        int rows; /* 0: empty */
    } slot[GUI_ROWS_SLOTS];
} gui_rows_cache;
/* The counts that follow are for width pixels at text size px: a change forgets them all. */
void gui_rows_cache_at(gui_rows_cache *c, int width, int px);
/* Rows of text (NUL-terminated; at least 1): the memo's, the cache's, else
 * wrap(ctx, text, strlen(text), width)'s (then remembered in both). */
typedef int (*gui_wrap_fn)(void *ctx, const char *text, size_t len, int width);
int gui_rows_count(gui_rows_cache *c, gui_rows_memo *m, const char *text, gui_wrap_fn wrap, void *ctx);

#endif
