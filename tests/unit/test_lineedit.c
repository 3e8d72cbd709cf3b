/* test_lineedit.c -- the console's line editor: keys, cursor over wide and multi-byte text, rendering */
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "udpchat/lineedit.h"
#include "udpchat/utf8.h"

/* Feeds a byte string of keys; returns the last result; lines entered go to *line (last). */
static le_result feed(lineedit *le, const char *keys, char **line)
{
    le_result last = LE_NOTHING;
    size_t off = 0, len = strlen(keys);
    if (line) *line = NULL;
    while (off < len) {
        le_event ev;
        size_t n = lineedit_parse_key(keys + off, len - off, 1, &ev);
        CHECK(n > 0);
        if (!n) break;
        off += n;
        char *l;
        last = lineedit_key(le, &ev, &l);
        if (l && line) {
            free(*line);
            *line = l;
        } else {
            free(l);
        }
    }
    return last;
}

#define CHECK_TEXT(le, s) CHECK(strcmp((le)->text.data, (s)) == 0)

static void test_parse_keys(void)
{
    le_event ev;
    CHECK_EQ_INT(lineedit_parse_key("\x1b[D", 3, 0, &ev), 3);
    CHECK_EQ_INT(ev.key, LE_KEY_LEFT);
    CHECK_EQ_INT(lineedit_parse_key("\x1bOC", 3, 0, &ev), 3);
    CHECK_EQ_INT(ev.key, LE_KEY_RIGHT);
    CHECK_EQ_INT(lineedit_parse_key("\x1b[3~x", 5, 0, &ev), 4);
    CHECK_EQ_INT(ev.key, LE_KEY_DELETE);
    CHECK_EQ_INT(lineedit_parse_key("\x1b[1~", 4, 0, &ev), 4);
    CHECK_EQ_INT(ev.key, LE_KEY_HOME);
    CHECK_EQ_INT(lineedit_parse_key("\x1b[4~", 4, 0, &ev), 4);
    CHECK_EQ_INT(ev.key, LE_KEY_END);
    CHECK_EQ_INT(lineedit_parse_key("\x1b[1;5C", 6, 0, &ev), 6); /* Ctrl-Right: still Right */
    CHECK_EQ_INT(ev.key, LE_KEY_RIGHT);
    CHECK_EQ_INT(lineedit_parse_key("\x1b[200~", 6, 0, &ev), 6); /* bracketed paste */
    CHECK_EQ_INT(ev.key, LE_KEY_PASTE_START);
    /* incomplete sequences wait unless final */
    CHECK_EQ_INT(lineedit_parse_key("\x1b", 1, 0, &ev), 0);
    CHECK_EQ_INT(lineedit_parse_key("\x1b[", 2, 0, &ev), 0);
    CHECK_EQ_INT(lineedit_parse_key("\x1b[1;", 4, 0, &ev), 0);
    CHECK_EQ_INT(lineedit_parse_key("\x1b", 1, 1, &ev), 1); /* a lone ESC: the Esc key */
    CHECK_EQ_INT(ev.key, LE_KEY_ESCAPE);
    CHECK_EQ_INT(lineedit_parse_key("\xe4\xbd", 2, 0, &ev), 0); /* half of 你 */
    CHECK_EQ_INT(lineedit_parse_key("\xe4\xbd\xa0", 3, 0, &ev), 3);
    CHECK_EQ_INT(ev.key, LE_KEY_TEXT);
    CHECK(strcmp(ev.text, "\xe4\xbd\xa0") == 0);
    CHECK_EQ_INT(lineedit_parse_key("\xf0\x9f\x98\x80", 4, 0, &ev), 4);
    CHECK(strcmp(ev.text, "\xf0\x9f\x98\x80") == 0);
    /* controls */
    static const struct { const char *in; le_key k; } ctl[] = {
        {"\x03", LE_KEY_INTERRUPT}, {"\x04", LE_KEY_EOF}, {"\x01", LE_KEY_HOME}, {"\x05", LE_KEY_END},
        {"\x15", LE_KEY_KILL_START}, {"\x17", LE_KEY_KILL_WORD}, {"\x7f", LE_KEY_BACKSPACE},
        {"\x08", LE_KEY_BACKSPACE}, {"\r", LE_KEY_ENTER}, {"\n", LE_KEY_ENTER}, {"\x07", LE_KEY_CANCEL},
        {"\x12", LE_KEY_SEARCH},
        {"\x1a", LE_KEY_NONE}, {"\x0b", LE_KEY_KILL_END}, {"\x10", LE_KEY_UP}, {"\x0e", LE_KEY_DOWN},
        {"\t", LE_KEY_COMPLETE}, {"\x0c", LE_KEY_REDRAW},
    };
    for (size_t i = 0; i < sizeof ctl / sizeof ctl[0]; i++) {
        CHECK_EQ_INT(lineedit_parse_key(ctl[i].in, 1, 0, &ev), 1);
        CHECK_EQ_INT(ev.key, ctl[i].k);
    }
    /* never typed: C1 (U+009B), bidi override (U+202E), line separator (U+2028), Alt-x */
    CHECK_EQ_INT(lineedit_parse_key("\xc2\x9b", 2, 0, &ev), 2);
    CHECK_EQ_INT(ev.key, LE_KEY_NONE);
    CHECK_EQ_INT(lineedit_parse_key("\xe2\x80\xae", 3, 0, &ev), 3);
    CHECK_EQ_INT(ev.key, LE_KEY_NONE);
    CHECK_EQ_INT(lineedit_parse_key("\xe2\x80\xa8", 3, 0, &ev), 3);
    CHECK_EQ_INT(ev.key, LE_KEY_NONE);
    CHECK_EQ_INT(lineedit_parse_key("\x1b" "b", 2, 0, &ev), 2);
    CHECK_EQ_INT(ev.key, LE_KEY_NONE);
}

static void test_insert_and_move(void)
{
    lineedit le;
    lineedit_init(&le, "> ");
    CHECK_EQ_INT(feed(&le, "helo", NULL), LE_CHANGED);
    feed(&le, "\x1b[D", NULL);
    feed(&le, "l", NULL);
    CHECK_TEXT(&le, "hello");
    CHECK_EQ_INT(le.cursor, 4);
    feed(&le, "\x01", NULL); /* Ctrl-A */
    CHECK_EQ_INT(le.cursor, 0);
    CHECK_EQ_INT(feed(&le, "\x1b[D", NULL), LE_NOTHING); /* left at the start: nothing */
    feed(&le, "\x05", NULL); /* Ctrl-E */
    CHECK_EQ_INT(le.cursor, 5);
    feed(&le, "\x1b[H>\x1b[F<", NULL); /* Home, End */
    CHECK_TEXT(&le, ">hello<");
    feed(&le, "\x1b[D\x1b[D\x7f", NULL); /* backspace deletes the 'l' before "o<" */
    CHECK_TEXT(&le, ">helo<");
    feed(&le, "\x1b[3~", NULL); /* delete deletes the 'o' under the cursor */
    CHECK_TEXT(&le, ">hel<");
    CHECK_EQ_INT(le.cursor, 4);
    lineedit_free(&le);
}

static void test_cjk_cursor(void)
{
    lineedit le;
    lineedit_init(&le, "");
    feed(&le, "a你好b", NULL);
    CHECK_EQ_INT(le.cursor, 8);
    CHECK_EQ_INT(lineedit_cursor_col(&le), 6);
    feed(&le, "\x1b[D", NULL); /* before b */
    CHECK_EQ_INT(le.cursor, 7);
    CHECK_EQ_INT(lineedit_cursor_col(&le), 5);
    feed(&le, "\x1b[D", NULL); /* before 好: one character, two columns */
    CHECK_EQ_INT(le.cursor, 4);
    CHECK_EQ_INT(lineedit_cursor_col(&le), 3);
    feed(&le, "们", NULL);
    CHECK_TEXT(&le, "a你们好b");
    CHECK_EQ_INT(lineedit_cursor_col(&le), 5);
    feed(&le, "\x7f\x7f", NULL); /* removes 们 and 你 whole */
    CHECK_TEXT(&le, "a好b");
    CHECK_EQ_INT(le.cursor, 1);
    feed(&le, "\x1b[C", NULL);
    CHECK_EQ_INT(le.cursor, 4);
    feed(&le, "\x1b[3~", NULL);
    CHECK_TEXT(&le, "a好");
    /* combining marks move with their base character */
    feed(&le, "\x15" "e\xcc\x81x", NULL); /* e + U+0301, x */
    feed(&le, "\x1b[D\x1b[D", NULL);
    CHECK_EQ_INT(le.cursor, 0);
    feed(&le, "\x1b[C", NULL);
    CHECK_EQ_INT(le.cursor, 3);
    feed(&le, "\x7f", NULL);
    CHECK_TEXT(&le, "x");
    /* emoji: 4 bytes, 2 columns */
    feed(&le, "\x15\xf0\x9f\x98\x80z\x1b[D\x1b[D", NULL);
    CHECK_EQ_INT(le.cursor, 0);
    feed(&le, "\x1b[C", NULL);
    CHECK_EQ_INT(le.cursor, 4);
    CHECK_EQ_INT(lineedit_cursor_col(&le), 2);
    lineedit_free(&le);
}

static void test_kill(void)
{
    lineedit le;
    lineedit_init(&le, "");
    feed(&le, "one two  three", NULL);
    feed(&le, "\x17", NULL); /* Ctrl-W */
    CHECK_TEXT(&le, "one two  ");
    feed(&le, "\x17", NULL);
    CHECK_TEXT(&le, "one ");
    feed(&le, "二三 四\x1b[D\x1b[D\x17", NULL); /* cursor after 二三 */
    CHECK_TEXT(&le, "one  四");
    CHECK_EQ_INT(le.cursor, 4);
    feed(&le, "\x0b", NULL); /* Ctrl-K */
    CHECK_TEXT(&le, "one ");
    feed(&le, "xyz\x1b[D\x15", NULL); /* Ctrl-U keeps what is after the cursor */
    CHECK_TEXT(&le, "z");
    CHECK_EQ_INT(le.cursor, 0);
    lineedit_free(&le);
}

static void test_enter_quit_history(void)
{
    lineedit le;
    lineedit_init(&le, "> ");
    char *line;
    CHECK_EQ_INT(feed(&le, "\r", &line), LE_NOTHING); /* empty: nothing to send */
    CHECK(line == NULL);
    CHECK_EQ_INT(feed(&le, "first\r", &line), LE_LINE);
    CHECK(line && strcmp(line, "first") == 0);
    free(line);
    CHECK_EQ_INT(le.text.len, 0);
    CHECK_EQ_INT(le.cursor, 0);
    feed(&le, "第二\r", &line);
    CHECK(line && strcmp(line, "第二") == 0);
    free(line);
    feed(&le, "draft", NULL);
    feed(&le, "\x1b[A", NULL);
    CHECK_TEXT(&le, "第二");
    CHECK_EQ_INT(le.cursor, strlen("第二"));
    feed(&le, "\x1b[A", NULL);
    CHECK_TEXT(&le, "first");
    CHECK_EQ_INT(feed(&le, "\x1b[A", NULL), LE_NOTHING); /* oldest */
    CHECK_TEXT(&le, "first");
    feed(&le, "\x1b[B", NULL);
    CHECK_TEXT(&le, "第二");
    feed(&le, "\x1b[B", NULL);
    CHECK_TEXT(&le, "draft"); /* back to what was being typed */
    CHECK_EQ_INT(feed(&le, "\x1b[B", NULL), LE_NOTHING);
    feed(&le, "\x1b[A!\r", &line); /* a recalled line can be edited and sent */
    CHECK(line && strcmp(line, "第二!") == 0);
    free(line);
    CHECK_EQ_INT(le.nhist, 3);
    feed(&le, "x", NULL);
    CHECK_EQ_INT(feed(&le, "\x04", NULL), LE_NOTHING); /* Ctrl-D on a non-empty line: delete */
    CHECK_TEXT(&le, "x");
    CHECK_EQ_INT(feed(&le, "\x1b[D\x04", NULL), LE_CHANGED);
    CHECK_EQ_INT(le.text.len, 0);
    CHECK_EQ_INT(feed(&le, "\x04", NULL), LE_QUIT); /* Ctrl-D on an empty line */
    feed(&le, "half", NULL);
    CHECK_EQ_INT(feed(&le, "\x03", NULL), LE_QUIT); /* Ctrl-C always */
    for (int i = 0; i < LINEEDIT_HISTORY + 10; i++) {
        char b[32];
        snprintf(b, sizeof b, "\x15l%d\r", i);
        feed(&le, b, &line);
        free(line);
    }
    CHECK_EQ_INT(le.nhist, LINEEDIT_HISTORY);
    char newest[32];
    snprintf(newest, sizeof newest, "l%d", LINEEDIT_HISTORY + 9);
    CHECK(strcmp(le.hist[LINEEDIT_HISTORY - 1], newest) == 0);
    CHECK(strcmp(le.hist[0], "l10") == 0);
    lineedit_free(&le);
}

static void check_render(lineedit *le, int width, const char *want, int want_col)
{
    buf out = {0};
    int col = lineedit_render(le, width, &out);
    CHECK_EQ_INT(col, want_col);
    CHECK(strcmp(out.data, want) == 0);
    if (strcmp(out.data, want) != 0) fprintf(stderr, "  got  %s\n  want %s\n", out.data + 1, want + 1);
    buf_free(&out);
}

static void test_render(void)
{
    lineedit le;
    lineedit_init(&le, "[bob] > ");
    check_render(&le, 80, "\r[bob] > \x1b[K\r\x1b[8C", 8);
    feed(&le, "hi 你好", NULL);
    check_render(&le, 80, "\r[bob] > hi 你好\x1b[K\r\x1b[15C", 15);
    feed(&le, "\x1b[D", NULL);
    check_render(&le, 80, "\r[bob] > hi 你好\x1b[K\r\x1b[13C", 13);
    lineedit_set_prompt(&le, "> ");
    feed(&le, "\x05\x15", NULL);
    CHECK_EQ_INT(le.text.len, 0);
    /* width 10: 2 for the prompt, 7 for text, the last column unused */
    feed(&le, "abcdefghij", NULL);
    check_render(&le, 10, "\r> efghij\x1b[K\r\x1b[8C", 8); /* the cursor takes column 8 */
    CHECK_EQ_INT(le.scroll, 4);
    feed(&le, "\x01", NULL);
    check_render(&le, 10, "\r> abcdefg\x1b[K\r\x1b[2C", 2);
    feed(&le, "\x05\x7f\x7f\x7f\x7f\x7f", NULL); /* after deleting, the window fills up again */
    check_render(&le, 10, "\r> abcde\x1b[K\r\x1b[7C", 7);
    CHECK_EQ_INT(le.scroll, 0);
    /* wide characters never straddle the left edge */
    feed(&le, "\x15你好世界和平", NULL); /* 12 columns */
    check_render(&le, 10, "\r> 界和平\x1b[K\r\x1b[8C", 8);
    feed(&le, "\x1b[D\x1b[D\x1b[D\x1b[D", NULL); /* cursor before 世 (col 4) */
    check_render(&le, 10, "\r> 世界和\x1b[K\r\x1b[2C", 2);
    feed(&le, "\x1b[D", NULL);
    check_render(&le, 10, "\r> 好世界\x1b[K\r\x1b[2C", 2);
    CHECK_EQ_INT(le.scroll, 2);
    /* a prompt wider than half the row is shortened */
    lineedit_set_prompt(&le, "[a-very-long-nick-indeed] > ");
    feed(&le, "\x05\x15x", NULL);
    check_render(&le, 20, "\r> x\x1b[K\r\x1b[3C", 3);
    buf plain = {0};
    lineedit_render_plain(&le, "sent 你好", &plain);
    CHECK(strcmp(plain.data, "[a-very-long-nick-indeed] > sent 你好") == 0);
    buf_free(&plain);
    lineedit_free(&le);
}

/* Byte offset in le->text where column col starts (col on a character boundary). */
static size_t byte_at_col(const lineedit *le, size_t col)
{
    size_t pos = 0;
    while (pos < le->text.len && utf8_width(le->text.data, pos) < col) {
        pos++;
        while (pos < le->text.len && ((unsigned char)le->text.data[pos] & 0xc0) == 0x80) pos++;
    }
    uint32_t cp;
    size_t bad;
    int n; /* a combining mark whose base is cut off is not drawn */
    while ((n = utf8_decode_one(le->text.data + pos, le->text.len - pos, &cp, &bad)) > 0 && utf8_cp_width(cp) == 0)
        pos += (size_t)n;
    return pos;
}

/* Every cursor position in a mixed line, at every width: the row fits, the cursor column is
 * where it should be, and what is drawn left of the cursor is exactly the text from the
 * scroll position to the cursor. */
static void test_render_cursor_everywhere(void)
{
    lineedit le;
    lineedit_init(&le, "> ");
    feed(&le, "ab你c好\xf0\x9f\x98\x80" "d\xcc\x81" "e世界fg", NULL);
    for (int width = 6; width <= 30; width++) {
        feed(&le, "\x05", NULL);
        for (int step = 0; step < 14; step++) {
            buf out = {0};
            int col = lineedit_render(&le, width, &out);
            const char *drawn = out.data + 3, *end = strstr(drawn, "\x1b[K");
            CHECK(strncmp(out.data, "\r> ", 3) == 0 && end != NULL);
            if (!end) { buf_free(&out); break; }
            CHECK((int)utf8_width(drawn, (size_t)(end - drawn)) <= width - 3);
            CHECK(col >= 2 && col <= width - 2);
            CHECK_EQ_INT((size_t)col, 2 + lineedit_cursor_col(&le) - le.scroll);
            size_t from = byte_at_col(&le, le.scroll), n = le.cursor - from;
            CHECK(le.cursor >= from && (size_t)(end - drawn) >= n && memcmp(drawn, le.text.data + from, n) == 0);
            buf_free(&out);
            feed(&le, "\x1b[D", NULL);
        }
    }
    lineedit_free(&le);
}

/* ---- Tab completion ---- */

/* What the app's completer does: commands for a '/' word at the start, nicks otherwise
 * (": " after a nick that starts the line, " " elsewhere). It offers everything it knows;
 * the editor filters. */
static const char *const nicks[] = {"alice", "Benjamin", "benny", "bob", "王张三", "王张伟", "小明", NULL};
static const char *const commands[] = {"/help", "/me", "/msg", "/nick", "/quit", NULL};
static int calls, last_at_start;

static void names(void *ctx, const char *word, size_t len, int at_line_start, le_completion *c)
{
    (void)ctx;
    calls++;
    last_at_start = at_line_start;
    int command = at_line_start && len && word[0] == '/';
    for (const char *const *n = command ? commands : nicks; *n; n++)
        lineedit_offer(c, *n, command || !at_line_start ? " " : ": ");
}

static void start(lineedit *le, const char *text)
{
    lineedit_init(le, "> ");
    lineedit_set_completer(le, names, NULL);
    feed(le, text, NULL);
}

static void test_complete_single(void)
{
    lineedit le;
    start(&le, "al");
    CHECK_EQ_INT(feed(&le, "\t", NULL), LE_CHANGED);
    CHECK_TEXT(&le, "alice: "); /* a nick starting the line: irssi's ": " */
    CHECK_EQ_INT(le.cursor, 7);
    CHECK(last_at_start == 1);
    CHECK_EQ_INT(feed(&le, "\t", NULL), LE_NOTHING); /* no word before the cursor */
    feed(&le, "hi AL\t", NULL); /* any case; later in the line: a space */
    CHECK_TEXT(&le, "alice: hi alice ");
    CHECK(last_at_start == 0);
    feed(&le, "\x15/HE\t", NULL);
    CHECK_TEXT(&le, "/help ");
    feed(&le, "\x15/ni\t", NULL);
    CHECK_TEXT(&le, "/nick ");
    feed(&le, "bo\t", NULL); /* a nick, not a command, after a command */
    CHECK_TEXT(&le, "/nick bob ");
    /* in the middle of the line: the space already after the cursor serves as the suffix */
    feed(&le, "\x15hi al world\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\t", NULL);
    CHECK_TEXT(&le, "hi alice world");
    CHECK_EQ_INT(le.cursor, 9);
    lineedit_free(&le);
}

static void test_complete_cycle(void)
{
    lineedit le;
    start(&le, "be");
    CHECK_EQ_INT(feed(&le, "\t", NULL), LE_CHANGED);
    CHECK_TEXT(&le, "Ben"); /* common prefix, spelled as the first name offered */
    CHECK_EQ_INT(le.cursor, 3);
    int before = calls;
    feed(&le, "\t", NULL);
    CHECK_TEXT(&le, "Benjamin: ");
    feed(&le, "\t", NULL);
    CHECK_TEXT(&le, "benny: ");
    CHECK_EQ_INT(le.cursor, 7);
    feed(&le, "\t", NULL);
    CHECK_TEXT(&le, "Benjamin: "); /* round again */
    CHECK_EQ_INT(calls, before); /* cycling does not ask again */
    feed(&le, "\x0c\t", NULL); /* Ctrl-L does not end the cycle */
    CHECK_TEXT(&le, "benny: ");
    feed(&le, "hi\t", NULL); /* typing ends it; "hi" matches nothing */
    CHECK_TEXT(&le, "benny: hi");
    /* when the common prefix adds nothing, the first Tab shows the first name */
    feed(&le, "\x15" "b\t", NULL);
    CHECK_TEXT(&le, "Benjamin: ");
    feed(&le, "\t\t\t", NULL);
    CHECK_TEXT(&le, "Benjamin: ");
    feed(&le, "\x7f\x7f\t", NULL); /* Backspace ended the cycle: "Benjamin" alone matches */
    CHECK_TEXT(&le, "Benjamin: ");
    lineedit_free(&le);
}

static void test_complete_chinese(void)
{
    lineedit le;
    start(&le, "小");
    feed(&le, "\t", NULL);
    CHECK_TEXT(&le, "小明: ");
    CHECK_EQ_INT(lineedit_cursor_col(&le), 6);
    check_render(&le, 80, "\r> 小明: \x1b[K\r\x1b[8C", 8);
    /* 王张三 and 王张伟 share 王张 and the first byte of 三/伟: the prefix stops at 张 */
    feed(&le, "\x15你好 王\t", NULL);
    CHECK_TEXT(&le, "你好 王张");
    CHECK(utf8_valid(le.text.data, le.text.len));
    CHECK_EQ_INT(lineedit_cursor_col(&le), 9);
    check_render(&le, 80, "\r> 你好 王张\x1b[K\r\x1b[11C", 11);
    feed(&le, "\t", NULL);
    CHECK_TEXT(&le, "你好 王张三 ");
    CHECK_EQ_INT(lineedit_cursor_col(&le), 12);
    feed(&le, "\t", NULL);
    CHECK_TEXT(&le, "你好 王张伟 ");
    check_render(&le, 80, "\r> 你好 王张伟 \x1b[K\r\x1b[14C", 14);
    /* completing in the middle keeps what follows, the cursor after the name */
    feed(&le, "\x15" "好 小 再见\x1b[D\x1b[D\x1b[D\t", NULL);
    CHECK_TEXT(&le, "好 小明 再见");
    CHECK_EQ_INT(lineedit_cursor_col(&le), 8);
    check_render(&le, 80, "\r> 好 小明 再见\x1b[K\r\x1b[10C", 10);
    lineedit_free(&le);
}

static void test_complete_none(void)
{
    lineedit le;
    start(&le, "zz");
    int before = calls;
    CHECK_EQ_INT(feed(&le, "\t", NULL), LE_NOTHING);
    CHECK_TEXT(&le, "zz");
    CHECK_EQ_INT(le.cursor, 2);
    CHECK_EQ_INT(calls, before + 1);
    feed(&le, " ", NULL);
    CHECK_EQ_INT(feed(&le, "\t", NULL), LE_NOTHING); /* after a space: no word, no call */
    CHECK_EQ_INT(calls, before + 1);
    feed(&le, "\x15/x\t", NULL);
    CHECK_TEXT(&le, "/x");
    lineedit_set_completer(&le, NULL, NULL); /* no completer: Tab types a space */
    CHECK_EQ_INT(feed(&le, "\t", NULL), LE_CHANGED);
    CHECK_TEXT(&le, "/x ");
    lineedit_free(&le);
}

/* Ctrl-L leaves the line alone and asks for a repaint: the kept lines that fit, then the row. */
/* Focus reports (ESC [ I / ESC [ O after CSI ?1004h) are keys of their own, never text. */
static void test_focus_keys(void)
{
    le_event ev;
    CHECK_EQ_INT(lineedit_parse_key("\x1b[Ix", 4, 0, &ev), 3);
    CHECK_EQ_INT(ev.key, LE_KEY_FOCUS_IN);
    CHECK_EQ_INT(lineedit_parse_key("\x1b[O", 3, 0, &ev), 3);
    CHECK_EQ_INT(ev.key, LE_KEY_FOCUS_OUT);
    CHECK_EQ_INT(lineedit_parse_key("\x1b[O", 2, 0, &ev), 0); /* cut: waits for the rest */
    CHECK_EQ_INT(lineedit_parse_key("\x1bOI", 3, 0, &ev), 3); /* SS3 I: not a focus report */
    CHECK_EQ_INT(ev.key, LE_KEY_NONE);
    CHECK_EQ_INT(lineedit_parse_key("\x1b[2I", 4, 0, &ev), 4); /* CSI 2 I: a tab stop move, not focus */
    CHECK_EQ_INT(ev.key, LE_KEY_NONE);
    lineedit le;
    lineedit_init(&le, "> ");
    char *line;
    feed(&le, "ab\x1b[O\x1b[Icd\x1b[O", NULL);
    CHECK_TEXT(&le, "abcd");
    CHECK_EQ_INT(le.cursor, 4);
    CHECK_EQ_INT(feed(&le, "\x1b[I", NULL), LE_NOTHING);
    CHECK_EQ_INT(feed(&le, "\r", &line), LE_LINE);
    CHECK(line && strcmp(line, "abcd") == 0);
    free(line);
    lineedit_free(&le);
}

static void check_row(lineedit *le, int width, const char *label, const char *text, size_t cursor_bytes)
{
    buf out = {0}, want = {0};
    int col = lineedit_render(le, width, &out);
    buf_printf(&want, "\r%s%s\x1b[K\r", label, text);
    CHECK(strncmp(out.data, want.data, want.len) == 0);
    if (strncmp(out.data, want.data, want.len) != 0) fprintf(stderr, "  got  %s\n  want %s\n", out.data + 1, want.data + 1);
    CHECK_EQ_INT(col, utf8_width(label, strlen(label)) + utf8_width(text, cursor_bytes));
    buf_free(&out);
    buf_free(&want);
}

static lineedit searched_editor(void)
{
    lineedit le;
    lineedit_init(&le, "> ");
    const char *h[] = {"hello world", "你好世界 again", "hello again", "other"};
    for (size_t i = 0; i < 4; i++) lineedit_history_add(&le, h[i]);
    lineedit_history_add(&le, "other"); /* the newest again: not kept twice */
    CHECK_EQ_INT(le.nhist, 4);
    return le;
}

/* Ctrl-R as readline's reverse-i-search: refine, older matches, failure, Backspace, Enter. */
static void test_search(void)
{
    lineedit le = searched_editor();
    char *line;
    CHECK_EQ_INT(feed(&le, "\x12", NULL), LE_CHANGED);
    check_row(&le, 80, "(reverse-i-search)'': ", "", 0);
    feed(&le, "hel", NULL);
    CHECK_TEXT(&le, "hello again");
    check_row(&le, 80, "(reverse-i-search)'hel': ", "hello again", 0);
    feed(&le, "\x12", NULL); /* the next older match */
    CHECK_TEXT(&le, "hello world");
    CHECK_EQ_INT(feed(&le, "\x12", NULL), LE_CHANGED); /* none older: failed, the line stays */
    CHECK_TEXT(&le, "hello world");
    check_row(&le, 80, "(failed reverse-i-search)'hel': ", "hello world", 0);
    feed(&le, "\x7f", NULL); /* "he": from the newest again */
    CHECK_TEXT(&le, "other");
    CHECK_EQ_INT(le.cursor, 2);
    feed(&le, "llo a", NULL);
    CHECK_TEXT(&le, "hello again");
    CHECK_EQ_INT(le.cursor, 0);
    CHECK_EQ_INT(feed(&le, "\r", &line), LE_LINE); /* Enter accepts and enters */
    CHECK(line && strcmp(line, "hello again") == 0);
    free(line);
    CHECK_EQ_INT(le.search.active, 0);
    check_row(&le, 80, "> ", "", 0);
    /* Ctrl-R Ctrl-R: the previous search again */
    feed(&le, "\x12\x12", NULL);
    CHECK_TEXT(&le, "hello again");
    check_row(&le, 80, "(reverse-i-search)'hello a': ", "hello again", 0);
    feed(&le, "\x07", NULL);
    lineedit_free(&le);
}

/* Chinese is searched as typed; the cursor sits on the match, two columns a character. */
static void test_search_chinese(void)
{
    lineedit le = searched_editor();
    feed(&le, "\x12世界", NULL);
    CHECK_TEXT(&le, "你好世界 again");
    CHECK_EQ_INT(le.cursor, 6);
    check_row(&le, 80, "(reverse-i-search)'世界': ", "你好世界 again", 6);
    feed(&le, "\x7f", NULL); /* Backspace takes the whole of 界 */
    CHECK_EQ_INT(le.search.text.len, 3);
    check_row(&le, 80, "(reverse-i-search)'世': ", "你好世界 again", 6);
    feed(&le, "\x1b[D", NULL); /* Left accepts for editing, then moves */
    CHECK_EQ_INT(le.search.active, 0);
    CHECK_EQ_INT(le.cursor, 3);
    check_row(&le, 80, "> ", "你好世界 again", 3);
    lineedit_free(&le);
}

/* Esc and Ctrl-G give the line back as it was; arrows accept; Down goes on from the match. */
static void test_search_cancel(void)
{
    lineedit le = searched_editor();
    feed(&le, "draft\x1b[D\x12oth", NULL);
    CHECK_TEXT(&le, "other");
    le_event ev = {LE_KEY_ESCAPE, ""}; /* what a lone ESC parses to once no sequence followed */
    char *line;
    CHECK_EQ_INT(lineedit_key(&le, &ev, &line), LE_CHANGED);
    CHECK_TEXT(&le, "draft");
    CHECK_EQ_INT(le.cursor, 4);
    CHECK_EQ_INT(le.search.active, 0);
    feed(&le, "\x12world\x07", NULL); /* Ctrl-G */
    CHECK_TEXT(&le, "draft");
    feed(&le, "\x12zq", NULL); /* no match: the line stays */
    CHECK_TEXT(&le, "draft");
    CHECK_EQ_INT(le.search.failed, 1);
    feed(&le, "\x07\x12hello a\x1b[B", NULL); /* Down: accepted, then the next newer line */
    CHECK_TEXT(&le, "other");
    feed(&le, "\x1b[B", NULL); /* past the newest: the line from before the search */
    CHECK_TEXT(&le, "draft");
    feed(&le, "\x12wor\x1b[C", NULL); /* Right: accepted, the cursor one on */
    CHECK_TEXT(&le, "hello world");
    CHECK_EQ_INT(le.cursor, 7);
    lineedit_free(&le);
}

/* A long search text is cut at its start so the label keeps 3/4 of the row at most. */
static void test_search_long(void)
{
    lineedit le;
    lineedit_init(&le, "> ");
    lineedit_history_add(&le, "一二三四五六七八九十一二三四五六七八九十 end");
    feed(&le, "\x12一二三四五六七八九十一二三四五六七八九十", NULL);
    CHECK_EQ_INT(le.cursor, 0);
    buf out = {0};
    int col = lineedit_render(&le, 40, &out);
    CHECK(strncmp(out.data, "\r(reverse-i-search)'\xe2\x80\xa6", 22) == 0); /* "..." first */
    CHECK(col <= 30 && col > 20);
    CHECK(strstr(out.data, "\xe5\x8d\x81': \xe4\xb8\x80") != NULL); /* ...十': 一 (the line) */
    buf_free(&out);
    lineedit_free(&le);
}

static void test_redraw(void)
{
    lineedit le;
    lineedit_init(&le, "> ");
    feed(&le, "你好 x\x1b[D", NULL);
    CHECK_EQ_INT(feed(&le, "\x0c", NULL), LE_REDRAW);
    CHECK_TEXT(&le, "你好 x");
    CHECK_EQ_INT(le.cursor, 7);
    const char *lines[] = {"gone", "one 12345678901234567890 wraps", "\x1b[1mbob\x1b[0m 你好你好你好", "x\ny"};
    buf out = {0};
    /* 20 columns, 5 rows: 4 for lines; the 30-column line wraps to 2, bold bob is 1 row
     * (18 columns: SGR takes none), "x\ny" is 2 */
    CHECK_EQ_INT(lineedit_render_screen(&le, lines, 4, 20, 5, &out), 7);
    const char *want = "\x1b[H\x1b[2J\x1b[1mbob\x1b[0m 你好你好你好\r\nx\r\ny\r\n\r> 你好 x\x1b[K\r\x1b[7C";
    CHECK(strcmp(out.data, want) == 0);
    buf_clear(&out);
    lineedit_render_screen(&le, lines, 4, 20, 6, &out); /* one row more: the wrapped line fits */
    CHECK(strncmp(out.data, "\x1b[H\x1b[2Jone 1234", 15) == 0);
    buf_clear(&out);
    lineedit_render_screen(&le, lines, 0, 20, 5, &out); /* nothing printed yet: just the row */
    CHECK(strcmp(out.data, "\x1b[H\x1b[2J\r> 你好 x\x1b[K\r\x1b[7C") == 0);
    buf_free(&out);
    lineedit_free(&le);
}

/* Feeds bytes to the editor as the console does; returns the last line entered (heap) or
 * NULL, and how many lines were entered. */
static char *paste_feed(lineedit *le, const char *in, int *lines)
{
    char *last = NULL;
    size_t len = strlen(in), off = 0;
    *lines = 0;
    while (off < len) {
        le_event ev;
        size_t n = lineedit_parse_key(in + off, len - off, 1, &ev);
        char *line;
        if (lineedit_key(le, &ev, &line) == LE_LINE) free(last), last = line, (*lines)++;
        off += n;
    }
    return last;
}

/* A bracketed paste of several lines (CR LF, CR, LF) is ONE line with '\n's, entered at
 * once with the text around the cursor; a paste of one line is only inserted; controls and
 * escape sequences in a paste are dropped. */
static void test_bracketed_paste(void)
{
    lineedit le;
    le_event ev;
    int n;
    CHECK_EQ_INT(lineedit_parse_key("\x1b[201~", 6, 0, &ev), 6);
    CHECK_EQ_INT(ev.key, LE_KEY_PASTE_END);
    CHECK_EQ_INT(lineedit_parse_key("\x1b[202~", 6, 0, &ev), 6);
    CHECK_EQ_INT(ev.key, LE_KEY_NONE);
    lineedit_init(&le, "> ");
    char *line = paste_feed(&le, "say: \x1b[200~one\r\ntwo\rthree\nfour\x1b[31m\x07\tend\r\n\x1b[201~", &n);
    CHECK_EQ_INT(n, 1);
    CHECK(line && strcmp(line, "say: one\ntwo\nthree\nfour end") == 0);
    CHECK_EQ_INT(le.text.len, 0);
    free(line);
    line = paste_feed(&le, "ab\x1b[D\x1b[200~XY\x1b[201~", &n); /* one line: inserted at the cursor */
    CHECK(n == 0 && line == NULL);
    CHECK(strcmp(le.text.data, "aXYb") == 0);
    line = paste_feed(&le, "\r", &n);
    CHECK(n == 1 && strcmp(line, "aXYb") == 0);
    free(line);
    line = paste_feed(&le, "\x1b[201~x\r", &n); /* an end without a start changes nothing */
    CHECK(n == 1 && strcmp(line, "x") == 0);
    free(line);
    lineedit_free(&le);
}

int main(void)
{
    RUN(test_bracketed_paste);
    RUN(test_parse_keys);
    RUN(test_insert_and_move);
    RUN(test_cjk_cursor);
    RUN(test_kill);
    RUN(test_enter_quit_history);
    RUN(test_render);
    RUN(test_render_cursor_everywhere);
    RUN(test_complete_single);
    RUN(test_complete_cycle);
    RUN(test_complete_chinese);
    RUN(test_complete_none);
    RUN(test_redraw);
    RUN(test_focus_keys);
    RUN(test_search);
    RUN(test_search_chinese);
    RUN(test_search_cancel);
    RUN(test_search_long);
    return th_finish();
}
