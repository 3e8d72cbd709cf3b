/* test_utf8.c -- UTF-8 validation, repair, sanitising and display width */
#include "testhelp.h"
#include "udpchat/utf8.h"

static void expect_decode(const char *s, size_t len, int ret, uint32_t cp, size_t bad)
{
    uint32_t got = 0x1234;
    size_t got_bad = 99;
    int r = utf8_decode_one(s, len, &got, &got_bad);
    CHECK_EQ_INT(r, ret);
    if (r != 0) CHECK_EQ_INT(got, cp);
    if (r < 0) CHECK_EQ_INT(got_bad, bad);
}

static void test_decode_valid(void)
{
    expect_decode("", 0, 0, 0, 0);
    expect_decode("A", 1, 1, 'A', 0);
    expect_decode("\xC2\x80", 2, 2, 0x80, 0);
    expect_decode("\xE4\xBD\xA0", 3, 3, 0x4F60, 0);
    expect_decode("\xED\x9F\xBF", 3, 3, 0xD7FF, 0);
    expect_decode("\xEE\x80\x80", 3, 3, 0xE000, 0);
    expect_decode("\xF0\xA0\x80\x80", 4, 4, 0x20000, 0);
    expect_decode("\xF4\x8F\xBF\xBF", 4, 4, 0x10FFFF, 0);
}

static void test_decode_bad(void)
{
    expect_decode("\x80", 1, -1, 0xFFFD, 1);             /* lone continuation */
    expect_decode("\xC0\xAF", 2, -1, 0xFFFD, 1);         /* overlong '/' */
    expect_decode("\xC1\xBF", 2, -1, 0xFFFD, 1);         /* overlong */
    expect_decode("\xE0\x80\xAF", 3, -1, 0xFFFD, 1);     /* overlong 3-byte */
    expect_decode("\xF0\x8F\xBF\xBF", 4, -1, 0xFFFD, 1); /* overlong 4-byte */
    expect_decode("\xED\xA0\x80", 3, -1, 0xFFFD, 1);     /* surrogate U+D800 */
    expect_decode("\xED\xBF\xBF", 3, -1, 0xFFFD, 1);     /* surrogate U+DFFF */
    expect_decode("\xF4\x90\x80\x80", 4, -1, 0xFFFD, 1); /* U+110000 */
    expect_decode("\xF5\x80\x80\x80", 4, -1, 0xFFFD, 1);
    expect_decode("\xFF", 1, -1, 0xFFFD, 1);
    expect_decode("\xE2\x82" "A", 3, -1, 0xFFFD, 2);     /* maximal subpart, 'A' kept */
    expect_decode("\xF0\x9F\x98" "A", 4, -1, 0xFFFD, 3);
    expect_decode("\xE2\x82", 2, -2, 0xFFFD, 2);         /* truncated */
    expect_decode("\xF0\x9F", 2, -2, 0xFFFD, 2);
    expect_decode("\xC3", 1, -2, 0xFFFD, 1);
}

static void test_valid_and_repair(void)
{
    CHECK(utf8_valid("", 0));
    CHECK(utf8_valid("hi \xE4\xBD\xA0\xE5\xA5\xBD", 9));
    CHECK(!utf8_valid("\xE4\xBD", 2));
    CHECK(!utf8_valid("\xED\xA0\x80", 3));
    CHECK(!utf8_valid("a\xC0\x80", 3));
    buf b = {0};
    utf8_repair("a\xE2\x82" "b\xFF" "c\xED\xA0\x80" "d\xF0\x9F", 12, &b);
    const char want[] = "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                        "d\xEF\xBF\xBD";
    CHECK_MEM(b.data, b.len, want, sizeof want - 1);
    buf_free(&b);
}

static void test_encode_one(void)
{
    buf b = {0};
    utf8_encode_one(0x41, &b);
    utf8_encode_one(0xE9, &b);
    utf8_encode_one(0x20AC, &b);
    utf8_encode_one(0x1F600, &b);
    utf8_encode_one(0xD800, &b);
    utf8_encode_one(0x110000, &b);
    const char want[] = "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xEF\xBF\xBD\xEF\xBF\xBD";
    CHECK_MEM(b.data, b.len, want, sizeof want - 1);
    buf_free(&b);
}

static void expect_sanitized(const char *in, size_t len, int keep, const char *want)
{
    buf b = {0};
    utf8_sanitize(in, len, keep, &b);
    CHECK_MEM(b.data, b.len, want, strlen(want));
    for (size_t i = 0; i < b.len; i++) {
        unsigned char c = (unsigned char)b.data[i];
        CHECK((c >= 0x20 || (keep && c == '\n')) && c != 0x7F);
        if (c == 0xC2 && i + 1 < b.len) CHECK((unsigned char)b.data[i + 1] >= 0xA0); /* no C1 */
    }
    CHECK(utf8_valid(b.data, b.len));
    buf_free(&b);
}

static void test_sanitize(void)
{
    expect_sanitized("\x1b[31mred\x1b[0m", 12, 0, "^[[31mred^[[0m");
    expect_sanitized("\x1b]0;x\x07", 6, 0, "^[]0;x^G");
    expect_sanitized("a\xC2\x9B" "2J", 5, 0, "a<U+009B>2J");          /* C1 CSI */
    expect_sanitized("\xC2\x9D" "0;t\xC2\x9C", 7, 0, "<U+009D>0;t<U+009C>"); /* OSC, ST */
    expect_sanitized("del\x7F", 4, 0, "del<U+007F>");
    expect_sanitized("a\tb\r\nc", 6, 0, "a b^M^Jc");
    expect_sanitized("a\tb\r\nc", 6, 1, "a b^M\nc");
    expect_sanitized("\x00\x08", 2, 0, "^@^H");
    expect_sanitized("\x9B" "2J", 3, 0, "\xEF\xBF\xBD" "2J"); /* raw 0x9B is not UTF-8 */
    expect_sanitized("x\xE2\x80\xAEy", 5, 0, "x<U+202E>y");    /* RLO */
    expect_sanitized("\xE4\xBD\xA0\xE5\xA5\xBD", 6, 0, "\xE4\xBD\xA0\xE5\xA5\xBD");
}

static void test_width(void)
{
    CHECK_EQ_INT(utf8_cp_width('a'), 1);
    CHECK_EQ_INT(utf8_cp_width(0xE9), 1);
    CHECK_EQ_INT(utf8_cp_width(0x0301), 0);  /* combining acute */
    CHECK_EQ_INT(utf8_cp_width(0x200B), 0);  /* zero width space */
    CHECK_EQ_INT(utf8_cp_width(0x200D), 0);  /* ZWJ */
    CHECK_EQ_INT(utf8_cp_width(0x1160), 0);  /* Hangul medial vowel */
    CHECK_EQ_INT(utf8_cp_width(0x4F60), 2);  /* CJK */
    CHECK_EQ_INT(utf8_cp_width(0x3000), 2);  /* ideographic space */
    CHECK_EQ_INT(utf8_cp_width(0xAC00), 2);  /* Hangul syllable */
    CHECK_EQ_INT(utf8_cp_width(0xFF21), 2);  /* fullwidth A */
    CHECK_EQ_INT(utf8_cp_width(0xFF61), 1);  /* halfwidth katakana */
    CHECK_EQ_INT(utf8_cp_width(0x1F600), 2); /* emoji */
    CHECK_EQ_INT(utf8_cp_width(0x20000), 2); /* CJK extension B */
    CHECK_EQ_INT(utf8_cp_width(0x2FFFD), 2);
    CHECK_EQ_INT(utf8_cp_width(0x00AD), 1);  /* soft hyphen */
    CHECK_EQ_INT(utf8_cp_width(0x1B), 0);
    CHECK_EQ_INT(utf8_cp_width(0x10FFFF), 1);
    CHECK_EQ_INT(utf8_width("a\xE4\xBD\xA0" "e\xCC\x81", 7), 4);
    CHECK_EQ_INT(utf8_width("\xFF", 1), 1);
}

int main(void)
{
    RUN(test_decode_valid);
    RUN(test_decode_bad);
    RUN(test_valid_and_repair);
    RUN(test_encode_one);
    RUN(test_sanitize);
    RUN(test_width);
    return th_finish();
}
