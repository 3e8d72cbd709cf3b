/* lineedit.c -- the line editor behind the interactive console: keys in, one row of bytes out */
#include "udpchat/lineedit.h"
#include "udpchat/mem.h"

#include <stdlib.h>
#include <string.h>

#include "udpchat/utf8.h"
#include "lineedit_search.h"

/* ---- keys ---- */

static size_t key(le_event *ev, le_key k, size_t used)
{
    ev->key = k;
    return used;
}

/* The key a CSI sequence's final byte (and first number) stands for. */
static le_key csi_key(char final, int num)
{
    switch (final) {
    case 'A': return LE_KEY_UP;
    case 'B': return LE_KEY_DOWN;
    case 'C': return LE_KEY_RIGHT;
    case 'D': return LE_KEY_LEFT;
    case 'H': return LE_KEY_HOME;
    case 'F': return LE_KEY_END;
    case 'I': return num == 0 ? LE_KEY_FOCUS_IN : LE_KEY_NONE;  /* focus reports (CSI ?1004h) */
    case 'O': return num == 0 ? LE_KEY_FOCUS_OUT : LE_KEY_NONE;
    case '~':
        if (num == 1 || num == 7) return LE_KEY_HOME;
        if (num == 4 || num == 8) return LE_KEY_END;
        if (num == 3) return LE_KEY_DELETE;
        if (num == 200) return LE_KEY_PASTE_START;
        if (num == 201) return LE_KEY_PASTE_END;
        return LE_KEY_NONE;
    default: return LE_KEY_NONE;
    }
}

static size_t parse_escape(const char *in, size_t len, int final, le_event *ev)
{
    if (len < 2) return final ? key(ev, LE_KEY_ESCAPE, 1) : 0;
    if (in[1] == 'O') { /* SS3: ESC O A .. application cursor keys */
        if (len < 3) return final ? key(ev, LE_KEY_NONE, len) : 0;
        return key(ev, in[2] == '~' ? LE_KEY_NONE : csi_key(in[2], -1), 3); /* -1: ESC O I is no focus report */
    }
    if (in[1] != '[') /* Alt-x or ESC ESC: ignore ESC and one ASCII byte */
        return key(ev, LE_KEY_NONE, (unsigned char)in[1] < 0x80 && in[1] != 0x1b ? 2 : 1);
    size_t i = 2;
    int num = 0, first = 1;
    for (; i < len && in[i] >= 0x30 && in[i] <= 0x3f; i++) { /* parameters */
        if (in[i] == ';') first = 0;
        else if (first && in[i] >= '0' && in[i] <= '9' && num < 1000) num = num * 10 + (in[i] - '0');
    }
    while (i < len && in[i] >= 0x20 && in[i] <= 0x2f) i++; /* intermediates */
    if (i == len) return final ? key(ev, LE_KEY_NONE, len) : 0;
    if (in[i] < 0x40 || in[i] > 0x7e) return key(ev, LE_KEY_NONE, i); /* malformed: drop it */
    return key(ev, csi_key(in[i], num), i + 1);
}

static le_key control_key(unsigned char c)
{
    switch (c) {
    case 0x01: return LE_KEY_HOME;
    case 0x02: return LE_KEY_LEFT;
    case 0x03: return LE_KEY_INTERRUPT;
    case 0x04: return LE_KEY_EOF;
    case 0x05: return LE_KEY_END;
    case 0x06: return LE_KEY_RIGHT;
    case 0x07: return LE_KEY_CANCEL;
    case 0x08: case 0x7f: return LE_KEY_BACKSPACE;
    case 0x0a: case 0x0d: return LE_KEY_ENTER;
    case 0x0b: return LE_KEY_KILL_END;
    case 0x0c: return LE_KEY_REDRAW;
    case 0x0e: return LE_KEY_DOWN;
    case 0x10: return LE_KEY_UP;
    case 0x12: return LE_KEY_SEARCH;
    case 0x15: return LE_KEY_KILL_START;
    case 0x17: return LE_KEY_KILL_WORD;
    default: return LE_KEY_NONE;
    }
}

/* Code points that must not be typed into the line: they would move or reorder text. */
static int unprintable(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

size_t lineedit_parse_key(const char *in, size_t len, int final, le_event *ev)
{
    memset(ev, 0, sizeof *ev);
    if (len == 0) return 0;
    unsigned char c = (unsigned char)in[0];
    if (c == 0x1b) return parse_escape(in, len, final, ev);
    if (c == '\t') return key(ev, LE_KEY_COMPLETE, 1);
    if (c < 0x20 || c == 0x7f) {
        if (c == '\r' || c == '\n') ev->text[0] = (char)c;
        return key(ev, control_key(c), 1);
    }
    uint32_t cp;
    size_t bad = 1;
    int n = utf8_decode_one(in, len, &cp, &bad);
    if (n == -2) return final ? key(ev, LE_KEY_NONE, len) : 0;
    if (n < 0) return key(ev, LE_KEY_NONE, bad);
    if (unprintable(cp)) return key(ev, LE_KEY_NONE, (size_t)n);
    memcpy(ev->text, in, (size_t)n);
    return key(ev, LE_KEY_TEXT, (size_t)n);
}

/* ---- the buffer ---- */

void lineedit_init(lineedit *le, const char *prompt)
{
    memset(le, 0, sizeof *le);
    le->prompt = str_dup(prompt);
    buf_append(&le->text, "", 0); /* data allocated and NUL-terminated from the start */
}

static void comp_clear(le_completion *c)
{
    for (size_t i = 0; i < c->n; i++) free(c->cand[i].text);
    c->n = 0;
    c->cycling = 0;
}

void lineedit_free(lineedit *le)
{
    comp_clear(&le->comp);
    free(le->comp.cand);
    buf_free(&le->text);
    buf_free(&le->saved);
    buf_free(&le->paste);
    lineedit_search_free(le);
    for (size_t i = 0; i < le->nhist; i++) free(le->hist[i]);
    free(le->hist);
    free(le->prompt);
    memset(le, 0, sizeof *le);
}

void lineedit_set_completer(lineedit *le, lineedit_complete_fn fn, void *ctx)
{
    comp_clear(&le->comp);
    le->complete = fn;
    le->complete_ctx = ctx;
}

void lineedit_set_prompt(lineedit *le, const char *prompt)
{
    free(le->prompt);
    le->prompt = str_dup(prompt);
}

/* The code point at byte offset pos (pos < len) and its length. */
static uint32_t cp_at(const buf *b, size_t pos, size_t *n)
{
    uint32_t cp;
    size_t bad = 1;
    int r = utf8_decode_one(b->data + pos, b->len - pos, &cp, &bad);
    *n = r > 0 ? (size_t)r : bad;
    return cp;
}

/* Start of the character before pos, together with the zero-width marks that follow it. */
static size_t prev_boundary(const buf *b, size_t pos)
{
    while (pos > 0) {
        do pos--;
        while (pos > 0 && ((unsigned char)b->data[pos] & 0xc0) == 0x80);
        size_t n;
        if (pos == 0 || utf8_cp_width(cp_at(b, pos, &n)) != 0) break;
    }
    return pos;
}

/* End of the character at pos, together with the zero-width marks that follow it. */
static size_t next_boundary(const buf *b, size_t pos)
{
    size_t n;
    if (pos >= b->len) return b->len;
    cp_at(b, pos, &n);
    pos += n;
    while (pos < b->len && utf8_cp_width(cp_at(b, pos, &n)) == 0) pos += n;
    return pos;
}

static void delete_range(lineedit *le, size_t from, size_t to)
{
    memmove(le->text.data + from, le->text.data + to, le->text.len - to + 1);
    le->text.len -= to - from;
    if (le->cursor > to) le->cursor -= to - from;
    else if (le->cursor > from) le->cursor = from;
}

static void insert(lineedit *le, const char *s)
{
    size_t n = strlen(s);
    buf_reserve(&le->text, n);
    memmove(le->text.data + le->cursor + n, le->text.data + le->cursor, le->text.len - le->cursor + 1);
    memcpy(le->text.data + le->cursor, s, n);
    le->text.len += n;
    le->cursor += n;
}

static void set_text(lineedit *le, const char *s, size_t n)
{
    buf_clear(&le->text);
    buf_append(&le->text, s, n);
    le->cursor = le->text.len;
}

static size_t word_start(const buf *b, size_t pos)
{
    while (pos > 0 && b->data[pos - 1] == ' ') pos--;
    while (pos > 0 && b->data[pos - 1] != ' ') pos--;
    return pos; /* bytes before a space are never inside a multi-byte character */
}

static void remember(lineedit *le, const char *line)
{
    if (le->nhist && strcmp(le->hist[le->nhist - 1], line) == 0) return;
    if (le->nhist == LINEEDIT_HISTORY) {
        free(le->hist[0]);
        memmove(le->hist, le->hist + 1, (le->nhist - 1) * sizeof *le->hist);
        le->nhist--;
    }
    if (!le->hist) {
        le->hist = xmalloc(LINEEDIT_HISTORY * sizeof *le->hist);
    }
    le->hist[le->nhist++] = str_dup(line);
}

void lineedit_history_add(lineedit *le, const char *line) { remember(le, line); }

static le_result history(lineedit *le, int older)
{
    if (older) {
        if (!le->browsing) {
            if (!le->nhist) return LE_NOTHING;
            buf_clear(&le->saved);
            buf_append(&le->saved, le->text.data, le->text.len);
            le->browsing = 1;
            le->hist_pos = le->nhist;
        }
        if (le->hist_pos == 0) return LE_NOTHING;
        le->hist_pos--;
    } else {
        if (!le->browsing) return LE_NOTHING;
        if (++le->hist_pos == le->nhist) {
            le->browsing = 0;
            set_text(le, le->saved.data ? le->saved.data : "", le->saved.len);
            return LE_CHANGED;
        }
    }
    set_text(le, le->hist[le->hist_pos], strlen(le->hist[le->hist_pos]));
    return LE_CHANGED;
}

static le_result enter(lineedit *le, char **line)
{
    if (!le->text.len) return LE_NOTHING;
    *line = str_dup(le->text.data);
    remember(le, *line);
    le->browsing = 0;
    buf_clear(&le->text);
    le->cursor = 0;
    le->scroll = 0;
    return LE_LINE;
}

/* ---- Tab completion ---- */

static int ascii_lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* Bytes that a[0..n) and b[0..n) share from the start, ASCII letters in any case. */
static size_t common_bytes(const char *a, const char *b, size_t n)
{
    size_t i = 0;
    while (i < n && ascii_lower((unsigned char)a[i]) == ascii_lower((unsigned char)b[i])) i++;
    return i;
}

void lineedit_offer(le_completion *c, const char *name, const char *suffix)
{
    size_t len = strlen(name);
    if (len < c->word_len || common_bytes(name, c->word, c->word_len) < c->word_len) return;
    buf text = {0};
    buf_append(&text, name, len);
    if (suffix) buf_append_str(&text, suffix);
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->cand[i].text, text.data) == 0) {
            buf_free(&text);
            return;
        }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->cand = xrealloc(c->cand, c->cap * sizeof *c->cand);
    }
    c->cand[c->n].text = buf_detach(&text);
    c->cand[c->n++].name_len = len;
}

/* Replaces text[start..cursor) with s[0..n) and puts the cursor after it. A space that
 * ends s and is already in the text after the cursor is not doubled: the cursor passes it. */
static void replace_word(lineedit *le, size_t start, const char *s, size_t n)
{
    delete_range(le, start, le->cursor);
    int space = n && s[n - 1] == ' ' && le->text.data[le->cursor] == ' ';
    buf tmp = {0};
    buf_append(&tmp, s, n - (size_t)space);
    buf_append(&tmp, "", 0);
    insert(le, tmp.data);
    buf_free(&tmp);
    le->cursor += (size_t)space;
}

/* Bytes of the longest prefix all candidates' names share, cut back to a character boundary. */
static size_t common_prefix(const le_completion *c)
{
    const char *first = c->cand[0].text;
    size_t p = c->cand[0].name_len;
    for (size_t i = 1; i < c->n; i++) {
        size_t m = c->cand[i].name_len < p ? c->cand[i].name_len : p;
        p = common_bytes(first, c->cand[i].text, m);
    }
    while (p > 0 && p < c->cand[0].name_len && ((unsigned char)first[p] & 0xc0) == 0x80) p--;
    return p;
}

/* The next Tab of a cycle: the word becomes the next candidate and its suffix. */
static le_result cycle(lineedit *le)
{
    le_completion *c = &le->comp;
    c->shown = c->shown + 1 >= c->n ? 0 : c->shown + 1;
    const char *t = c->cand[c->shown].text;
    replace_word(le, c->start, t, strlen(t));
    return LE_CHANGED;
}

/* Asks the completer for the word text[start..cursor). */
static void gather(lineedit *le, size_t start)
{
    le_completion *c = &le->comp;
    comp_clear(c);
    c->word = le->text.data + start;
    c->word_len = le->cursor - start;
    c->start = start;
    le->complete(le->complete_ctx, c->word, c->word_len, start == 0, c);
    c->word = NULL;
}

static le_result complete(lineedit *le)
{
    le_completion *c = &le->comp;
    if (!le->complete) {
        insert(le, " ");
        return LE_CHANGED;
    }
    if (c->cycling) return cycle(le);
    size_t start = le->cursor;
    while (start > 0 && le->text.data[start - 1] != ' ') start--;
    if (start == le->cursor) return LE_NOTHING;
    gather(le, start);
    if (c->n == 0) return LE_NOTHING;
    if (c->n == 1) {
        replace_word(le, start, c->cand[0].text, strlen(c->cand[0].text));
        comp_clear(c);
        return LE_CHANGED;
    }
    c->cycling = 1;
    c->shown = c->n - 1; /* so that cycle() shows the first */
    size_t p = common_prefix(c);
    if (p <= le->cursor - start) return cycle(le);
    replace_word(le, start, c->cand[0].text, p);
    return LE_CHANGED;
}

/* The end of a bracketed paste: one line is inserted, several are entered as one. */
static le_result paste_end(lineedit *le, char **line)
{
    le->pasting = 0;
    while (le->paste.len && le->paste.data[le->paste.len - 1] == '\n') le->paste.len--;
    buf_append(&le->paste, "", 0);
    if (!memchr(le->paste.data, '\n', le->paste.len)) {
        insert(le, le->paste.data);
        buf_clear(&le->paste);
        return LE_CHANGED;
    }
    buf all = {0};
    buf_append(&all, le->text.data, le->cursor);
    buf_append(&all, le->paste.data, le->paste.len);
    buf_append_str(&all, le->text.data + le->cursor);
    buf_clear(&le->paste);
    set_text(le, "", 0);
    le->browsing = 0;
    *line = buf_detach(&all);
    return LE_LINE;
}

/* A key while a paste is on: text, Tab and line ends are kept; nothing else counts. */
static le_result paste_key(lineedit *le, const le_event *ev, char **line)
{
    const char *add = NULL;
    int cr = 0;
    if (ev->key == LE_KEY_PASTE_END) return paste_end(le, line);
    if (ev->key == LE_KEY_TEXT) add = ev->text;
    else if (ev->key == LE_KEY_COMPLETE) add = " ";
    else if (ev->key == LE_KEY_ENTER) add = ev->text[0] == '\n' && le->paste_cr ? "" : "\n", cr = ev->text[0] == '\r';
    le->paste_cr = cr;
    if (add && le->paste.len + strlen(add) <= LINEEDIT_PASTE_MAX) buf_append_str(&le->paste, add);
    return LE_NOTHING;
}

le_result lineedit_key(lineedit *le, const le_event *ev, char **line)
{
    size_t before = le->cursor, len = le->text.len;
    int searching = le->search.active; /* a search that ends changes the prompt */
    *line = NULL;
    if (le->pasting) return paste_key(le, ev, line);
    if (ev->key != LE_KEY_COMPLETE && ev->key != LE_KEY_NONE && ev->key != LE_KEY_REDRAW &&
        ev->key != LE_KEY_FOCUS_IN && ev->key != LE_KEY_FOCUS_OUT)
        comp_clear(&le->comp);
    le_result searched;
    if (lineedit_search_key(le, ev, &searched)) return searched;
    switch (ev->key) {
    case LE_KEY_TEXT: insert(le, ev->text); break;
    case LE_KEY_ENTER: return enter(le, line);
    case LE_KEY_LEFT: le->cursor = prev_boundary(&le->text, le->cursor); break;
    case LE_KEY_RIGHT: le->cursor = next_boundary(&le->text, le->cursor); break;
    case LE_KEY_HOME: le->cursor = 0; break;
    case LE_KEY_END: le->cursor = le->text.len; break;
    case LE_KEY_UP: return history(le, 1);
    case LE_KEY_DOWN: return history(le, 0);
    case LE_KEY_BACKSPACE: delete_range(le, prev_boundary(&le->text, le->cursor), le->cursor); break;
    case LE_KEY_DELETE: delete_range(le, le->cursor, next_boundary(&le->text, le->cursor)); break;
    case LE_KEY_KILL_START: delete_range(le, 0, le->cursor); break;
    case LE_KEY_KILL_END: delete_range(le, le->cursor, le->text.len); break;
    case LE_KEY_KILL_WORD: delete_range(le, word_start(&le->text, le->cursor), le->cursor); break;
    case LE_KEY_EOF:
        if (!le->text.len) return LE_QUIT;
        delete_range(le, le->cursor, next_boundary(&le->text, le->cursor));
        break;
    case LE_KEY_INTERRUPT: return LE_QUIT;
    case LE_KEY_REDRAW: return LE_REDRAW;
    case LE_KEY_COMPLETE: return complete(le);
    case LE_KEY_PASTE_START: le->pasting = 1, le->paste_cr = 0; buf_clear(&le->paste); return LE_NOTHING;
    case LE_KEY_PASTE_END: return LE_NOTHING; /* without a start: nothing to end */
    case LE_KEY_NONE: case LE_KEY_SEARCH: case LE_KEY_CANCEL: case LE_KEY_ESCAPE:
    case LE_KEY_FOCUS_IN: case LE_KEY_FOCUS_OUT: return LE_NOTHING;
    }
    return le->cursor != before || le->text.len != len || ev->key == LE_KEY_TEXT || searching ? LE_CHANGED
                                                                                            : LE_NOTHING;
}

/* ---- rendering ---- */

size_t lineedit_cursor_col(const lineedit *le) { return utf8_width(le->text.data, le->cursor); }

void lineedit_clear_row(buf *out) { buf_append_str(out, "\r\x1b[K"); }

void lineedit_render_plain(const lineedit *le, const char *text, buf *out)
{
    buf_append_str(out, le->prompt);
    buf_append_str(out, text);
}

/* Keeps the cursor inside a window of `avail` columns starting at le->scroll, uses the
 * whole window when the text allows, and never starts inside a wide character. */
static void adjust_scroll(lineedit *le, size_t col, size_t total, size_t avail)
{
    if (col < le->scroll) le->scroll = col;
    if (col > le->scroll + avail - 1) le->scroll = col - (avail - 1);
    if (le->scroll > 0 && total - le->scroll < avail - 1)
        le->scroll = total > avail - 1 ? total - (avail - 1) : 0;
    size_t pos = 0, c = 0, n;
    while (pos < le->text.len && c < le->scroll) {
        c += (size_t)utf8_cp_width(cp_at(&le->text, pos, &n));
        pos += n;
    }
    le->scroll = c; /* moved right past a wide character cut by the edge */
}

/* The prompt to show: the real one, or "> " if it would take more than half the row. */
static const char *fitting_prompt(lineedit *le, int width, size_t *pw)
{
    const char *prompt = le->search.active ? lineedit_search_label(le, width) : le->prompt;
    *pw = utf8_width(prompt, strlen(prompt));
    if (*pw <= (size_t)width / 2 || (le->search.active && *pw <= (size_t)width * 3 / 4)) return prompt;
    *pw = width >= 8 ? 2 : 0;
    return *pw ? "> " : "";
}

int lineedit_render(lineedit *le, int width, buf *out)
{
    if (width < 1) width = 80;
    size_t pw;
    const char *prompt = fitting_prompt(le, width, &pw);
    size_t avail = (size_t)width - 1 > pw ? (size_t)width - 1 - pw : 1;
    size_t col = lineedit_cursor_col(le), total = utf8_width(le->text.data, le->text.len);
    adjust_scroll(le, col, total, avail);
    buf_append_str(out, "\r");
    buf_append_str(out, prompt);
    size_t pos = 0, c = 0, n;
    int shown = 0; /* a zero-width mark is drawn only after its drawn base */
    while (pos < le->text.len) {
        size_t w = (size_t)utf8_cp_width(cp_at(&le->text, pos, &n));
        int fits = c >= le->scroll && c + w <= le->scroll + avail;
        if (w ? fits : shown) buf_append(out, le->text.data + pos, n);
        if (w) shown = fits;
        c += w;
        pos += n;
        if (c > le->scroll + avail) break;
    }
    buf_append_str(out, "\x1b[K\r");
    int cursor = (int)(pw + col - le->scroll);
    if (cursor > 0) buf_printf(out, "\x1b[%dC", cursor);
    return cursor;
}

/* Terminal rows line[0..len) takes at `width` columns: each '\n' starts a row, a row
 * wider than width wraps, CSI sequences (our SGR colours) take no room. */
size_t lineedit_rows(const char *line, size_t len, int w)
{
    size_t width = w < 1 ? 80 : (size_t)w;
    size_t rows = 0, from = 0, cols = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && line[i] == 0x1b && i + 1 < len && line[i + 1] == '[') {
            cols += utf8_width(line + from, i - from);
            size_t j = i + 2;
            while (j < len && line[j] >= 0x20 && line[j] <= 0x3f) j++;
            if (j < len && line[j] >= 0x40 && line[j] <= 0x7e) j++;
            from = j;
            i = j - 1; /* the loop steps to j */
        } else if (i == len || line[i] == '\n') {
            cols += utf8_width(line + from, i - from);
            rows += cols ? (cols + width - 1) / width : 1;
            cols = 0;
            from = i + 1;
        }
    }
    return rows;
}

int lineedit_render_screen(lineedit *le, const char *const *lines, size_t n, int width, int height, buf *out)
{
    if (width < 1) width = 80;
    if (height < 2) height = 24;
    size_t room = (size_t)height - 1, first = n;
    while (first > 0) {
        size_t r = lineedit_rows(lines[first - 1], strlen(lines[first - 1]), width);
        if (r > room) break;
        room -= r;
        first--;
    }
    buf_append_str(out, "\x1b[H\x1b[2J");
    for (size_t i = first; i < n; i++) {
        for (const char *p = lines[i]; *p; p++) { /* raw mode: a line feed alone would not return */
            if (*p == '\n') buf_append_byte(out, '\r');
            buf_append_byte(out, (uint8_t)*p);
        }
        buf_append_str(out, "\r\n");
    }
    return lineedit_render(le, width, out);
}
