/* test_linebreak.c -- wrap points: CJK, spaces, closing punctuation, broken UTF-8 */
#include "testhelp.h"
#include "udpchat/linebreak.h"

/* Wraps s into lines of at most `width` bytes, joined by '|' into out. */
static void wrap(const char *s, size_t width, char *out, size_t cap)
{
    size_t len = strlen(s), pos = 0, o = 0;
    while (pos < len && o + 2 < cap) {
        size_t next, n = linebreak_find(s + pos, len - pos, width, &next);
        if (o) out[o++] = '|';
        for (size_t i = 0; i < n && o + 1 < cap; i++) out[o++] = s[pos + i];
        pos += next;
    }
    out[o] = '\0';
}

static void test_latin_at_spaces(void)
{
    char out[256];
    wrap("hello big world", 11, out, sizeof out);
    CHECK(strcmp(out, "hello big|world") == 0);
    wrap("hello    world", 7, out, sizeof out);
    CHECK(strcmp(out, "hello|world") == 0); /* the spaces go with the break */
    wrap("abcdefghij", 4, out, sizeof out);
    CHECK(strcmp(out, "abcd|efgh|ij") == 0); /* a long word is cut */
}

static void test_cjk_between_characters(void)
{
    char out[256];
    wrap("你好世界", 6, out, sizeof out); /* 3 bytes each: two fit */
    CHECK(strcmp(out, "你好|世界") == 0);
    wrap("你好世界", 7, out, sizeof out); /* never inside a character */
    CHECK(strcmp(out, "你好|世界") == 0);
    wrap("ab你好", 5, out, sizeof out);    /* Latin then CJK: a break point */
    CHECK(strcmp(out, "ab你|好") == 0);
    wrap("你好", 0, out, sizeof out);      /* nothing fits: one character a line */
    CHECK(strcmp(out, "你|好") == 0);
}

static void test_no_line_starts_closing(void)
{
    char out[256];
    wrap("你好，世界。", 6, out, sizeof out); /* "你好" fits, but "，" may not start a line */
    CHECK(strcmp(out, "你|好，|世|界。") == 0);
    wrap("甲乙丙」丁", 9, out, sizeof out);
    CHECK(strcmp(out, "甲乙|丙」丁") == 0);
    wrap("好（好", 6, out, sizeof out); /* no line ends with opening punctuation */
    CHECK(strcmp(out, "好|（好") == 0);
    wrap("abc ,def", 4, out, sizeof out);
    CHECK(strcmp(out, "abc|,def") != 0);
}

static void test_hostile_bytes(void)
{
    const char bad[] = "\xff\xfe\xe4\xbd"; /* bad bytes, a truncated sequence */
    size_t len = sizeof bad - 1, pos = 0, lines = 0;
    while (pos < len && lines < 10) {
        size_t next, n = linebreak_find(bad + pos, len - pos, 1, &next);
        CHECK(n >= 1 && next >= 1);
        pos += next, lines++;
    }
    CHECK(pos == len);
    CHECK(linebreak_is_cjk(0x4F60) && !linebreak_is_cjk('a') && linebreak_is_closing(0x3002));
}

int main(void)
{
    RUN(test_latin_at_spaces);
    RUN(test_cjk_between_characters);
    RUN(test_no_line_starts_closing);
    RUN(test_hostile_bytes);
    return th_finish();
}
