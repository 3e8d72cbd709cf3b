/* lineedit_search.c -- Ctrl-R in the line editor: readline's reverse-i-search over the history */
#include "lineedit_search.h"

#include <string.h>

#include "udpchat/utf8.h"

/* While a search is active, le->text holds the line shown (the match, or the line from
 * before the search while nothing matched) and le->cursor sits on the match. search.pos
 * is the index of that match in hist, or nhist when no line has matched yet. */

static const char *text_of(const buf *b) { return b->len ? b->data : ""; }

static void show(lineedit *le, size_t i, size_t at)
{
    buf_clear(&le->text);
    buf_append_str(&le->text, le->hist[i]);
    le->cursor = at;
    le->scroll = 0;
    le->search.pos = i;
}

/* Shows the newest line older than hist[from] that contains the text; says "failed" if none. */
static void search_before(lineedit *le, size_t from)
{
    struct le_search *s = &le->search;
    s->failed = 0;
    if (!s->text.len) return;
    for (size_t i = from; i-- > 0;) {
        const char *p = strstr(le->hist[i], s->text.data);
        if (p) {
            show(le, i, (size_t)(p - le->hist[i]));
            return;
        }
    }
    s->failed = 1;
}

static void begin(lineedit *le)
{
    struct le_search *s = &le->search;
    buf_clear(&s->line);
    buf_append(&s->line, le->text.data, le->text.len);
    s->cursor = le->cursor;
    buf_clear(&s->text);
    s->pos = le->nhist;
    s->failed = 0;
    s->active = 1;
}

/* Ends the search. Accepted, the line shown stays, and Up/Down browse on from it (Down
 * past the newest gives back the line from before the search); else that line returns. */
static void end(lineedit *le, int accept)
{
    struct le_search *s = &le->search;
    s->active = 0;
    if (s->text.len) {
        buf_clear(&s->last);
        buf_append(&s->last, s->text.data, s->text.len);
    }
    if (accept && s->pos < le->nhist) {
        buf_clear(&le->saved);
        buf_append(&le->saved, text_of(&s->line), s->line.len);
        le->browsing = 1;
        le->hist_pos = s->pos;
        return;
    }
    if (accept) return;
    buf_clear(&le->text);
    buf_append(&le->text, text_of(&s->line), s->line.len);
    le->cursor = s->cursor;
}

/* Ctrl-R: start, search the previous text again, or go to the next older match. */
static void again(lineedit *le)
{
    struct le_search *s = &le->search;
    if (!s->active) {
        begin(le);
        return;
    }
    if (!s->text.len && s->last.len) {
        buf_append(&s->text, s->last.data, s->last.len);
        search_before(le, le->nhist);
        return;
    }
    search_before(le, s->pos);
}

/* Backspace: the text loses its last character; the search starts again from the newest. */
static void shorten(lineedit *le)
{
    buf *t = &le->search.text;
    if (!t->len) return;
    do t->len--;
    while (t->len > 0 && ((unsigned char)t->data[t->len] & 0xc0) == 0x80);
    t->data[t->len] = '\0';
    search_before(le, le->nhist);
}

int lineedit_search_key(lineedit *le, const le_event *ev, le_result *r)
{
    struct le_search *s = &le->search;
    *r = LE_CHANGED;
    if (ev->key == LE_KEY_SEARCH) {
        again(le);
        return 1;
    }
    if (!s->active) return 0;
    switch (ev->key) {
    case LE_KEY_TEXT:
        buf_append_str(&s->text, ev->text);
        search_before(le, s->pos < le->nhist ? s->pos + 1 : le->nhist);
        return 1;
    case LE_KEY_BACKSPACE: shorten(le); return 1;
    case LE_KEY_CANCEL: case LE_KEY_ESCAPE: end(le, 0); return 1;
    case LE_KEY_NONE: case LE_KEY_REDRAW: case LE_KEY_FOCUS_IN: case LE_KEY_FOCUS_OUT: case LE_KEY_INTERRUPT:
        return 0; /* the search goes on (or the user quits) */
    default:
        end(le, 1); /* Enter, arrows, editing keys: on the line shown */
        return 0;
    }
}

const char *lineedit_search_label(lineedit *le, int width)
{
    struct le_search *s = &le->search;
    size_t max = (size_t)(width < 1 ? 80 : width) * 3 / 4, skip = 0, n;
    const char *head = s->failed ? "(failed reverse-i-search)'" : "(reverse-i-search)'";
    for (;;) {
        buf_clear(&s->label);
        buf_append_str(&s->label, head);
        if (skip) buf_append_str(&s->label, "\xe2\x80\xa6"); /* ... */
        buf_append(&s->label, text_of(&s->text) + skip, s->text.len - skip);
        buf_append_str(&s->label, "': ");
        if (skip >= s->text.len || utf8_width(s->label.data, s->label.len) <= max) break;
        uint32_t cp;
        size_t bad = 1;
        int k = utf8_decode_one(s->text.data + skip, s->text.len - skip, &cp, &bad);
        n = k > 0 ? (size_t)k : bad;
        skip += n;
    }
    return s->label.data;
}

void lineedit_search_free(lineedit *le)
{
    buf_free(&le->search.text);
    buf_free(&le->search.last);
    buf_free(&le->search.label);
    buf_free(&le->search.line);
}
