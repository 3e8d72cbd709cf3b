/* test_nick.c -- nick rules: invisible and look-alike nicks refused or equal, the key, sanitize */
#include <stdint.h>

#include "testhelp.h"
#include "udpchat/buf.h"
#include "udpchat/nick.h"
#include "udpchat/utf8.h"
#include "udpchat/wire.h"

static int refused(const char *nick, const char *why_part)
{
    const char *why = "unset";
    int ok = nick_valid(nick, &why);
    return !ok && why && (!why_part || strstr(why, why_part));
}

static size_t chars_of(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The nick made of cp alone, NUL-terminated in out (5 bytes). */
static void one_cp(uint32_t cp, char out[5])
{
    buf b = {0};
    utf8_encode_one(cp, &b);
    memcpy(out, b.data, b.len + 1);
    buf_free(&b);
}

static void test_invisible_refused_and_equal(void)
{
    static const char *const same[] = {
        "alice\xE2\x80\x8B", "alice\xE2\x80\x8F", "alice\xE2\x81\xA0",
        "alice\xC2\xAD",     "alice\xCD\x8F",     "\xEF\xBB\xBF" "alice",
        "al\xE2\x80\x8Dice", "alice\xEF\xB8\x8F", "alice\xF3\xA0\x80\x81",
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        CHECK(refused(same[i], "a nick cannot contain"));
        CHECK(nick_equal(same[i], "alice"));
        CHECK(nick_equal("alice", same[i]));
    }
    CHECK(refused("alice\xE2\x80\x8B", "invisible"));
    CHECK(refused("\xE2\x80\xAE" "ecila", "text-direction"));
    CHECK(refused("ali\xE2\x81\xA6" "ce", "text-direction"));
}

/* Every default-ignorable range of the brief is refused as invisible or bidi. */
static void test_ignorable_ranges(void)
{
    static const uint32_t r[][2] = {
        {0x00AD, 0x00AD}, {0x034F, 0x034F}, {0x061C, 0x061C}, {0x115F, 0x1160},
        {0x17B4, 0x17B5}, {0x180B, 0x180F}, {0x200B, 0x200F}, {0x202A, 0x202E},
        {0x2060, 0x206F}, {0x3164, 0x3164}, {0xFE00, 0xFE0F}, {0xFEFF, 0xFEFF},
        {0xFFA0, 0xFFA0}, {0xFFF0, 0xFFF8}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A},
        {0xE0000, 0xE0FFF},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
        for (uint32_t cp = r[i][0]; cp <= r[i][1]; cp++) {
            char c[5], nick[16];
            const char *why = NULL;
            one_cp(cp, c);
            snprintf(nick, sizeof nick, "bo%sb", c);
            nick_valid(nick, &why);
            if (!why || !(strstr(why, "invisible") || strstr(why, "direction"))) bad++;
            if (!nick_equal(nick, "bob")) bad++;
        }
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(!refused("bo\xE2\x80\x8A" "b", "invisible")); /* U+200A is a space, not invisible */
}

static void test_other_refusals(void)
{
    CHECK(refused("", "empty"));
    CHECK(refused("bad\xFFnick", "valid text"));
    CHECK(refused("bad\xED\xA0\x80", "valid text")); /* a surrogate */
    CHECK(refused("/root", "'/'"));
    CHECK(refused("bad nick", "spaces"));
    static const char *const spaces[] = {"a\xC2\xA0" "b", "a\xE1\x9A\x80" "b", "a\xE2\x80\x80" "b",
                                         "a\xE2\x80\x8A" "b", "a\xE2\x80\xAF" "b",
                                         "a\xE2\x81\x9F" "b", "a\xE3\x80\x80" "b"};
    for (size_t i = 0; i < sizeof spaces / sizeof spaces[0]; i++) CHECK(refused(spaces[i], "spaces"));
    CHECK(refused("a\tb", "control"));
    CHECK(refused("a\x7F" "b", "control"));
    CHECK(refused("a\xC2\x85" "b", "control"));
    CHECK(refused("a\xC2\x9F" "b", "control"));
    CHECK(refused("a\xE2\x80\xA8" "b", "separator"));
    CHECK(refused("a\xE2\x80\xA9" "b", "separator"));
    CHECK(refused("a\xEF\xB7\x90" "b", "noncharacter"));     /* U+FDD0 */
    CHECK(refused("a\xEF\xBF\xBF" "b", "noncharacter"));     /* U+FFFF */
    CHECK(refused("a\xF0\x9F\xBF\xBE" "b", "noncharacter")); /* U+1FFFE */
    CHECK(refused("a\xEE\x80\x80" "b", "private"));          /* U+E000 */
    CHECK(refused("a\xEF\xA3\xBF" "b", "private"));          /* U+F8FF */
    CHECK(refused("a\xF3\xB0\x80\x80" "b", "private"));      /* U+F0000 */
    CHECK(refused("a\xF4\x8F\xBF\xBD" "b", "private"));      /* U+10FFFD */
    CHECK(refused("123456789012345678901234567890123", "32"));
    const char *why;
    CHECK(nick_valid("12345678901234567890123456789012", &why));
    CHECK(nick_valid("爱丽丝", &why) && nick_valid("张三", &why) && nick_valid("Zoë", &why));
    CHECK(nick_valid("a\xCD\xB8" "b", &why));        /* U+0378, unassigned: allowed */
    CHECK(nick_valid("a\xEF\xBF\xBD" "b", &why));    /* U+FFFD */
    CHECK(nick_valid("\xF0\x9F\x98\x80" "x", &why)); /* an emoji */
    CHECK(nick_valid("ａｌｉｃｅ", &why) && nick_valid("аlice", &why));
}

static void test_look_alikes_equal(void)
{
    static const char *const pairs[][2] = {
        {"Alice", "alice"},   {"ALICE", "alice"},     {"ａｌｉｃｅ", "alice"},
        {"аlice", "alice"},   {"АLICE", "alice"},     {"ΑLΙCE", "alice"},
        {"раураl", "paypal"}, {"рауа1", "payal"},     {"AIice", "alice"},
        {"bi11", "bill"},     {"|ily", "lily"},       {"al1ce", "alice"},
        {"rnary", "mary"},    {"vvendy", "wendy"},    {"ԝendy", "wendy"},
        {"ѕеху", "sexy"},     {"јоһn", "john"},       {"ԁаԛ", "daq"},
        {"ВОВ", "bob"},       {"КАТЕ", "kate"},       {"ΤΑΧΙ", "taxi"},
        {"ΣΟΦΙΑ", "σοφια"},   {"ΑΛΙΚΗ", "αλικη"},    {"ЖЕНЯ", "женя"},
        {"ÀÉÎÕÜ", "àéîõü"},   {"Ÿves", "ÿves"},       {"Łukasz", "łukasz"},
        {"ｶﾀｶﾅ", "カタカナ"}, {"Ｉ", "l"},           {"0scar", "oscar"},
        {"ſam", "sam"},       {"ǀ", "l"},             {"µ", "rn"},
        {"ﾊﾝｸﾞﾙ", "ハンク\xE3\x82\x99ル"}, /* the voicing mark is not composed */
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        int eq = nick_equal(pairs[i][0], pairs[i][1]);
        if (!eq) fprintf(stderr, "  not equal: %s %s\n", pairs[i][0], pairs[i][1]);
        CHECK(eq);
    }
}

static void test_distinct(void)
{
    static const char *const pairs[][2] = {
        {"张三", "张四"}, {"alice", "alicf"}, {"bob", "rob"},  {"alice", "alice2"},
        {"ann", "anna"},  {"a-b", "a_b"},     {"小明", "小朋"}, {"Zoë", "Zoe"},
        {"Σοφία", "σοφια"}, /* accents are not removed */
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        CHECK(!nick_equal(pairs[i][0], pairs[i][1]));
    buf k = {0};
    nick_skeleton("张三", &k);
    CHECK_MEM(k.data, k.len, "张三", strlen("张三"));
    buf_clear(&k);
    nick_skeleton("", &k);
    CHECK(k.data && k.len == 0 && k.data[0] == '\0');
    buf_clear(&k);
    nick_skeleton("a\xFF" "b\xE2\x82", &k); /* bad bytes become U+FFFD */
    CHECK_MEM(k.data, k.len, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD", 8);
    buf_free(&k);
}

/* Every scalar value alone and between letters: the key is valid UTF-8, at most 4x the
 * input, a fixed point, empty only for default-ignorables; sanitize gives a valid nick. */
static void test_every_scalar_value(void)
{
    long bad_utf8 = 0, too_long = 0, not_fixed = 0, empty_valid = 0, bad_sanitize = 0;
    buf k = {0}, k2 = {0}, s = {0};
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        char c[5], nick[16];
        const char *why;
        one_cp(cp, c);
        snprintf(nick, sizeof nick, "x%sy", c);
        buf_clear(&k);
        buf_clear(&k2);
        buf_clear(&s);
        nick_skeleton(nick, &k);
        nick_skeleton(k.data, &k2);
        bad_utf8 += !utf8_valid(k.data, k.len) || strlen(k.data) != k.len;
        too_long += k.len > 4 * strlen(nick);
        not_fixed += k.len != k2.len || memcmp(k.data, k2.data, k.len) != 0;
        empty_valid += k.len == 2 && nick_valid(c, &why);
        size_t n = nick_sanitize(nick, &s);
        bad_sanitize += !nick_valid(s.data, &why) || n != chars_of(s.data) || n > WIRE_MAX_NICK - 8;
    }
    buf_free(&k);
    buf_free(&k2);
    buf_free(&s);
    CHECK_EQ_INT(bad_utf8, 0);
    CHECK_EQ_INT(too_long, 0);
    CHECK_EQ_INT(not_fixed, 0);
    CHECK_EQ_INT(empty_valid, 0);
    CHECK_EQ_INT(bad_sanitize, 0);
}

/* Random bytes (a fixed-seed generator): same guarantees for malformed input. */
static void test_random_bytes(void)
{
    uint32_t seed = 12345;
    long bad = 0;
    buf k = {0}, s = {0};
    for (int round = 0; round < 20000; round++) {
        char in[64];
        size_t len = 0, want = (size_t)(round % 63);
        while (len < want) {
            seed = seed * 1103515245u + 12345u;
            char ch = (char)(seed >> 16);
            if (ch) in[len++] = ch;
        }
        in[len] = '\0';
        const char *why;
        buf_clear(&k);
        buf_clear(&s);
        nick_skeleton(in, &k);
        nick_sanitize(in, &s);
        bad += !utf8_valid(k.data, k.len) || k.len > 4 * len || !nick_valid(s.data, &why);
    }
    buf_free(&k);
    buf_free(&s);
    CHECK_EQ_INT(bad, 0);
}

static void check_sanitize(const char *in, const char *want)
{
    buf b = {0};
    size_t n = nick_sanitize(in, &b);
    CHECK_MEM(b.data, b.len, want, strlen(want));
    CHECK_EQ_INT(n, chars_of(want));
    buf_free(&b);
}

static void test_sanitize(void)
{
    check_sanitize("bob", "bob");
    check_sanitize("two words", "two_words");
    check_sanitize("tab\there\r", "tab_here_");
    check_sanitize("/root", "root");
    check_sanitize("//x", "x");
    check_sanitize("\xE2\x80\x8B/x", "x");
    check_sanitize("a/b", "a/b");
    check_sanitize("al\xE2\x80\x8Bi\xC2\xAD" "ce\xEF\xBB\xBF", "alice");
    check_sanitize("\xE2\x80\xAE" "evil", "evil");
    check_sanitize("a\xE3\x80\x80" "b\xC2\xA0" "c\xE2\x80\xA8" "d", "a_b_c_d");
    check_sanitize("a\xEE\x80\x80" "b\xEF\xB7\x90" "c\x7F", "a_b_c_");
    check_sanitize("bad\xFF" "byte", "bad_byte");
    check_sanitize("小明", "小明");
    check_sanitize("", "guest");
    check_sanitize("/", "guest");
    check_sanitize("\xE2\x80\x8B\xE2\x80\x8C", "guest");
    check_sanitize("a very long plain text nickname that goes on", "a_very_long_plain_text_n");
    check_sanitize("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十",
                   "一二三四五六七八九十一二三四五六七八九十一二三四");
    buf b = {0};
    buf_append_str(&b, "prefix:");
    CHECK_EQ_INT(nick_sanitize(" x", &b), 2);
    CHECK_MEM(b.data, b.len, "prefix:_x", 9);
    buf_free(&b);
}

int main(void)
{
    RUN(test_invisible_refused_and_equal);
    RUN(test_ignorable_ranges);
    RUN(test_other_refusals);
    RUN(test_look_alikes_equal);
    RUN(test_distinct);
    RUN(test_every_scalar_value);
    RUN(test_random_bytes);
    RUN(test_sanitize);
    return th_finish();
}
