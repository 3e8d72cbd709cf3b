/* test_gui_logic.c -- the window's pure logic without a display: selection ranges and text, per-view scroll, Ctrl+Tab, row counts */
#include "testhelp.h"
#include "gui_logic.h"

static gui_sel sel(size_t l1, size_t o1, size_t l2, size_t o2)
{
    gui_sel s = {{l1, o1}, {l2, o2}};
    return s;
}

static const char *const texts[] = {"hello world", "第二行文字", "", "last line"};
static const char *text_at(const void *ctx, size_t i) { return ((const char *const *)ctx)[i]; }

static char *selected(gui_sel s)
{
    buf b = {0};
    gui_sel_text(&s, text_at, texts, 4, &b);
    buf_append_byte(&b, 0);
    return buf_detach(&b);
}

static void test_order_and_empty(void)
{
    gui_sel s = sel(3, 2, 1, 5);
    gui_pos a, b;
    gui_sel_order(&s, &a, &b);
    CHECK(a.line == 1 && a.off == 5 && b.line == 3 && b.off == 2);
    CHECK(gui_pos_cmp(a, b) < 0 && gui_pos_cmp(b, a) > 0 && gui_pos_cmp(a, a) == 0);
    s = sel(2, 4, 2, 4);
    CHECK(gui_sel_empty(&s));
    size_t x, y;
    CHECK(!gui_sel_row(&s, 2, 0, 10, &x, &y)); /* empty: no highlight */
}

static void test_rows(void)
{
    gui_sel s = sel(0, 6, 1, 6); /* backwards drags give the same */
    size_t a, b;
    CHECK(gui_sel_row(&s, 0, 0, 6, &a, &b) == 0);            /* row "hello " before the start */
    CHECK(gui_sel_row(&s, 0, 6, 5, &a, &b) && a == 0 && b == 5); /* row "world": all of it */
    CHECK(gui_sel_row(&s, 1, 0, 9, &a, &b) && a == 0 && b == 6); /* the next line up to offset 6 */
    CHECK(gui_sel_row(&s, 1, 9, 6, &a, &b) == 0);
    CHECK(gui_sel_row(&s, 2, 0, 0, &a, &b) == 0);
    s = sel(1, 6, 0, 6);
    CHECK(gui_sel_row(&s, 0, 6, 5, &a, &b) && a == 0 && b == 5);
    s = sel(0, 2, 0, 8); /* inside one row */
    CHECK(gui_sel_row(&s, 0, 0, 11, &a, &b) && a == 2 && b == 8);
}

static void test_text(void)
{
    char *t = selected(sel(0, 6, 0, 11));
    CHECK(strcmp(t, "world") == 0);
    free(t);
    t = selected(sel(1, 6, 0, 6)); /* across lines, backwards: joined by '\n' */
    CHECK(strcmp(t, "world\n第二") == 0);
    free(t);
    t = selected(sel(0, 0, 3, 4)); /* through an empty line */
    CHECK(strcmp(t, "hello world\n第二行文字\n\nlast") == 0);
    free(t);
    t = selected(sel(3, 5, 9, 99)); /* past the end: cut to what is there */
    CHECK(strcmp(t, "line") == 0);
    free(t);
    t = selected(sel(1, 3, 1, 3));
    CHECK(strcmp(t, "") == 0);
    free(t);
}

static void test_views(void)
{
    gui_views v = {0};
    size_t lines = 9;
    CHECK_EQ_INT(gui_views_get(&v, 5, &lines), 0);
    CHECK_EQ_INT(lines, 0);
    gui_views_put(&v, 5, 12, 100);
    gui_views_put(&v, 7, 3, 30);
    gui_views_put(&v, 5, 20, 110); /* saved again: the new values, moved to the newest */
    CHECK_EQ_INT(gui_views_get(&v, 5, &lines), 20);
    CHECK_EQ_INT(lines, 110);
    CHECK_EQ_INT(gui_views_get(&v, 7, &lines), 3);
    CHECK_EQ_INT(lines, 30);
    CHECK_EQ_INT(v.n, 2);
    for (long i = 100; i < 100 + GUI_VIEWS - 1; i++) gui_views_put(&v, i, (int)i, 1);
    CHECK_EQ_INT(v.n, GUI_VIEWS);
    CHECK_EQ_INT(gui_views_get(&v, 7, &lines), 0); /* the least recently saved went */
    CHECK_EQ_INT(gui_views_get(&v, 5, &lines), 20);
    CHECK_EQ_INT(gui_views_get(&v, 100 + GUI_VIEWS - 2, &lines), 100 + GUI_VIEWS - 2);
}

static void test_cycle(void)
{
    CHECK_EQ_INT(gui_cycle(0, 3, 1), 1);
    CHECK_EQ_INT(gui_cycle(2, 3, 1), 0);
    CHECK_EQ_INT(gui_cycle(0, 3, -1), 2);
    CHECK_EQ_INT(gui_cycle(-1, 3, 1), 0);
    CHECK_EQ_INT(gui_cycle(-1, 3, -1), 2);
    CHECK_EQ_INT(gui_cycle(5, 3, 1), 0);
    CHECK_EQ_INT(gui_cycle(0, 0, 1), -1);
    CHECK_EQ_INT(gui_cycle(0, 1, 1), 0);
}

/* A stand-in for wrapping: width bytes a row; counts its calls. */
static int wraps;
static int fake_wrap(void *ctx, const char *text, size_t len, int width)
{
    (void)ctx, (void)text;
    wraps++;
    return (int)(len / (size_t)width) + 1;
}

static int count(gui_rows_cache *c, gui_rows_memo *m, const char *text)
{
    return gui_rows_count(c, m, text, fake_wrap, NULL);
}

static void test_row_counts(void)
{
    static gui_rows_cache c; /* 64 KiB: not on the stack */
    gui_rows_memo a = {0}, b = {0}, other = {0};
    const char *t = "0123456789abcdefghij"; /* 20 bytes */
    wraps = 0;
    gui_rows_cache_at(&c, 10, 17);
    CHECK_EQ_INT(count(&c, &a, t), 3);
    CHECK_EQ_INT(count(&c, &a, t), 3); /* the memo: not wrapped again */
    CHECK_EQ_INT(wraps, 1);
    CHECK_EQ_INT(count(&c, &b, t), 3); /* a new line, the same text: the cache's */
    CHECK_EQ_INT(wraps, 1);
    CHECK_EQ_INT(count(&c, &other, "0123456789abcdefghiX"), 3); /* same length, other text */
    CHECK_EQ_INT(wraps, 2);
    gui_rows_cache_at(&c, 10, 17); /* the same width and size: nothing forgotten */
    CHECK_EQ_INT(count(&c, &a, t), 3);
    CHECK_EQ_INT(wraps, 2);
    gui_rows_cache_at(&c, 5, 17); /* resized: every count again, memos too */
    CHECK_EQ_INT(count(&c, &a, t), 5);
    CHECK_EQ_INT(count(&c, &b, t), 5);
    CHECK_EQ_INT(wraps, 3);
    gui_rows_cache_at(&c, 5, 34); /* zoomed or rescaled (fake_wrap ignores px) */
    CHECK_EQ_INT(count(&c, &b, t), 5);
    CHECK_EQ_INT(wraps, 4);
    gui_rows_memo fresh = {0};
    CHECK_EQ_INT(count(&c, &fresh, ""), 1); /* at least one row */
}

/* More texts than slots: each still counted right (bounded: some are wrapped again). */
static void test_row_counts_bounded(void)
{
    static gui_rows_cache c;
    static gui_rows_memo m[3 * GUI_ROWS_SLOTS];
    char t[32];
    gui_rows_cache_at(&c, 4, 17);
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < 3 * GUI_ROWS_SLOTS; i++) {
            int len = snprintf(t, sizeof t, "%d", i);
            gui_rows_memo fresh = {0};
            CHECK_EQ_INT(count(&c, pass ? &fresh : &m[i], t), len / 4 + 1);
        }
    wraps = 0;
    snprintf(t, sizeof t, "%d", 7);
    CHECK_EQ_INT(count(&c, &m[7], t), 1); /* its memo still holds */
    CHECK_EQ_INT(wraps, 0);
}

int main(void)
{
    RUN(test_order_and_empty);
    RUN(test_rows);
    RUN(test_text);
    RUN(test_views);
    RUN(test_cycle);
    RUN(test_row_counts);
    RUN(test_row_counts_bounded);
    return th_finish();
}
