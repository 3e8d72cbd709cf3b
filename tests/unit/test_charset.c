/* test_charset.c -- charset names, detection, known vectors and every error-policy case */
#include "testhelp.h"
#include "udpchat/charset.h"
#include "udpchat/utf8.h"

#define FFFD "\xEF\xBF\xBD"

/* Decodes/encodes `in` in one call and compares output and consumed count. */
static void expect_dec(charset_id cs, const char *in, size_t len, int final, const char *want,
                       size_t consumed)
{
    buf b = {0};
    buf_reserve(&b, 0); /* data is never NULL, for memcmp */
    CHECK_EQ_INT(charset_decode(cs, in, len, final, &b), consumed);
    CHECK_MEM(b.data, b.len, want, strlen(want));
    if (b.len != strlen(want) || memcmp(b.data, want, b.len) != 0) {
        fprintf(stderr, "  decoding");
        for (size_t i = 0; i < len; i++) fprintf(stderr, " %02X", (unsigned char)in[i]);
        fprintf(stderr, " gave");
        for (size_t i = 0; i < b.len; i++) fprintf(stderr, " %02X", (unsigned char)b.data[i]);
        fputc('\n', stderr);
    }
    CHECK(utf8_valid(b.data, b.len));
    buf_free(&b);
}

static void expect_enc(charset_id cs, const char *in, size_t len, int final, const char *want,
                       size_t want_len, size_t consumed)
{
    buf b = {0};
    buf_reserve(&b, 0);
    CHECK_EQ_INT(charset_encode(cs, in, len, final, &b), consumed);
    CHECK_MEM(b.data, b.len, want, want_len);
    buf_free(&b);
}

#define DEC(cs, in, final, want, consumed) expect_dec(cs, in, sizeof in - 1, final, want, consumed)
#define ENC(cs, in, want) expect_enc(cs, in, sizeof in - 1, 1, want, sizeof want - 1, sizeof in - 1)

static void test_names(void)
{
    static const struct { const char *name; charset_id cs; } ok[] = {
        {"utf-8", CHARSET_UTF8}, {"UTF8", CHARSET_UTF8},   {"gbk", CHARSET_GBK},
        {"CP936", CHARSET_GBK},  {"GB2312", CHARSET_GBK},  {"936", CHARSET_GBK},
        {"GB18030", CHARSET_GB18030}, {"54936", CHARSET_GB18030},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        charset_id cs = CHARSET_UNKNOWN;
        CHECK_EQ_INT(charset_from_name(ok[i].name, &cs), 0);
        CHECK_EQ_INT(cs, ok[i].cs);
    }
    charset_id cs = CHARSET_GBK;
    CHECK_EQ_INT(charset_from_name("big6", &cs), -1);
    CHECK_EQ_INT(charset_from_name("", &cs), -1);
    CHECK_EQ_INT(charset_from_name("gbk2", &cs), -1);
    CHECK_EQ_INT(cs, CHARSET_GBK);
    CHECK(strcmp(charset_name(CHARSET_GB18030), "gb18030") == 0);
    CHECK(strcmp(charset_name(CHARSET_UNKNOWN), "unknown") == 0);
    CHECK(strcmp(charset_known_list(), "utf-8, gbk, gb18030") == 0);
    cs = charset_locale();
    CHECK(cs == CHARSET_UTF8 || cs == CHARSET_GBK || cs == CHARSET_GB18030);
}

static void test_detect(void)
{
    CHECK_EQ_INT(charset_detect("", 0), CHARSET_UNKNOWN);
    CHECK_EQ_INT(charset_detect("hello, world\n", 13), CHARSET_UNKNOWN);
    CHECK_EQ_INT(charset_detect("hi \xE4\xBD\xA0\xE5\xA5\xBD", 9), CHARSET_UTF8);
    CHECK_EQ_INT(charset_detect("hi \xC4\xE3\xBA\xC3", 7), CHARSET_GB18030);
    CHECK_EQ_INT(charset_detect("\x95\x32\x82\x36", 4), CHARSET_GB18030);
    CHECK_EQ_INT(charset_detect("\xE4\xBD", 2), CHARSET_GB18030); /* truncated is not UTF-8 */
}

static void test_known_vectors(void)
{
    DEC(CHARSET_GBK, "\xC4\xE3\xBA\xC3", 1, "\xE4\xBD\xA0\xE5\xA5\xBD", 4); /* 你好 */
    DEC(CHARSET_GB18030, "\xC4\xE3\xBA\xC3", 1, "\xE4\xBD\xA0\xE5\xA5\xBD", 4);
    DEC(CHARSET_GBK, "\x80", 1, "\xE2\x82\xAC", 1);                         /* € */
    DEC(CHARSET_GB18030, "\x80", 1, "\xE2\x82\xAC", 1);                     /* lenient */
    DEC(CHARSET_GB18030, "\xA2\xE3", 1, "\xE2\x82\xAC", 2);
    DEC(CHARSET_GB18030, "\x95\x32\x82\x36", 1, "\xF0\xA0\x80\x80", 4);     /* U+20000 */
    DEC(CHARSET_GB18030, "\x81\x30\x81\x30", 1, "\xC2\x80", 4);             /* U+0080 */
    DEC(CHARSET_GB18030, "\x84\x31\xA4\x39", 1, "\xEF\xBF\xBF", 4);         /* U+FFFF */
    DEC(CHARSET_GB18030, "\xE3\x32\x9A\x35", 1, "\xF4\x8F\xBF\xBF", 4);     /* U+10FFFF */
    DEC(CHARSET_GBK, "\xA1\xA4\xA1\xAA", 1, "\xC2\xB7\xE2\x80\x94", 4);     /* · — */
    DEC(CHARSET_GBK, "\xAA\xA1\xFE\xFE\xA1\x40", 1, "\xEE\x80\x80\xEE\x93\x85\xEE\x93\x86", 6);
    DEC(CHARSET_GB18030, "\xA8\xBC\x81\x35\xF4\x37", 1, "\xE1\xB8\xBF\xEE\x9F\x87", 6);
    DEC(CHARSET_GB18030, "\xA6\xD9\x84\x31\x82\x36", 1, "\xEF\xB8\x90\xEF\xB8\x90", 6); /* 2022, 2005 */
    DEC(CHARSET_UTF8, "a\xE4\xBD\xA0", 1, "a\xE4\xBD\xA0", 4);
    ENC(CHARSET_GBK, "\xE4\xBD\xA0\xE5\xA5\xBD", "\xC4\xE3\xBA\xC3");
    ENC(CHARSET_GBK, "x\xE2\x82\xAC", "x\x80");
    ENC(CHARSET_GB18030, "\xE2\x82\xAC", "\xA2\xE3");
    ENC(CHARSET_GB18030, "\xF0\xA0\x80\x80", "\x95\x32\x82\x36");
    ENC(CHARSET_GB18030, "\xF4\x8F\xBF\xBF", "\xE3\x32\x9A\x35");
    ENC(CHARSET_GB18030, "\xE1\xB8\xBF\xEE\x9F\x87", "\xA8\xBC\x81\x35\xF4\x37");
    ENC(CHARSET_GB18030, "\xEF\xB8\x90\xEE\x9E\x8D", "\xA6\xD9\xA6\xD9");     /* U+FE10, U+E78D */
    ENC(CHARSET_GBK, "\xEE\x80\x80\xEE\x9D\xA5", "\xAA\xA1\xA7\xA0");       /* U+E000, U+E765 */
    ENC(CHARSET_UTF8, "ok\xE4\xBD\xA0", "ok\xE4\xBD\xA0");
}

static void test_decode_errors(void)
{
    DEC(CHARSET_GBK, "\xFF" "a", 1, FFFD "a", 2);                 /* 0xFF never valid */
    DEC(CHARSET_GBK, "\xC4!", 1, FFFD "!", 2);                    /* lead + non-trail: '!' kept */
    DEC(CHARSET_GBK, "\xC4" "A", 1, "\xE8\x85\x81", 2);            /* 'A' is a trail byte */
    DEC(CHARSET_GBK, "\xC4\x7F", 1, FFFD "\x7F", 2);
    DEC(CHARSET_GBK, "\xC4\xFF", 1, FFFD FFFD, 2);
    DEC(CHARSET_GBK, "\xC4\x30", 1, FFFD "0", 2);                 /* no 4-byte in GBK */
    DEC(CHARSET_GBK, "\xA2\xAB", 1, FFFD, 2);                     /* well formed, unmapped */
    DEC(CHARSET_GB18030, "\xA2\xAB", 1, "\xEE\x9D\xA6", 2);        /* U+E766 in GB18030 */
    DEC(CHARSET_GBK, "\xA2\xE3", 1, FFFD, 2);                     /* GB18030's euro sign */
    DEC(CHARSET_GBK, "\xA2\xA0", 1, "\xEE\x96\x85", 2);            /* user-defined: U+E585 */
    DEC(CHARSET_GBK, "\xFE\x50", 1, FFFD, 2);
    DEC(CHARSET_GBK, "a\xC4\xE3\xA2\xAB\xBA\xC3", 1, "a\xE4\xBD\xA0" FFFD "\xE5\xA5\xBD", 7);
    DEC(CHARSET_GBK, "\xC4", 0, "", 0);                           /* truncated, not final */
    DEC(CHARSET_GBK, "ab\xC4", 0, "ab", 2);
    DEC(CHARSET_GBK, "ab\xC4", 1, "ab" FFFD, 3);                  /* truncated, final */
    DEC(CHARSET_GB18030, "\x81\x30", 0, "", 0);
    DEC(CHARSET_GB18030, "\x81\x30\x81", 0, "", 0);
    DEC(CHARSET_GB18030, "\x81\x30\x81", 1, FFFD "0" FFFD, 3);
    DEC(CHARSET_GB18030, "\x81\x30" "x", 0, FFFD "0x", 3);        /* third not a lead */
    DEC(CHARSET_GB18030, "\x81\x30\x81 ", 0, FFFD "0" FFFD " ", 4);
    DEC(CHARSET_GB18030, "\x84\x31\xA5\x30", 1, FFFD, 4);         /* beyond U+FFFF, < 0x90 */
    DEC(CHARSET_GB18030, "\x8F\x39\xFE\x39", 1, FFFD, 4);
    DEC(CHARSET_GB18030, "\xE3\x32\x9A\x36", 1, FFFD, 4);         /* > U+10FFFF */
    DEC(CHARSET_GB18030, "\xFE\x39\xFE\x39", 1, FFFD, 4);
    DEC(CHARSET_UTF8, "\xC0\xAF", 1, FFFD FFFD, 2);               /* overlong */
    DEC(CHARSET_UTF8, "\xED\xA0\x80", 1, FFFD FFFD FFFD, 3);      /* surrogate */
    DEC(CHARSET_UTF8, "\xF4\x90\x80\x80", 1, FFFD FFFD FFFD FFFD, 4);
    DEC(CHARSET_UTF8, "a\xE4\xBD", 0, "a", 1);
    DEC(CHARSET_UTF8, "a\xE4\xBD", 1, "a" FFFD, 3);
    DEC(CHARSET_UTF8, "\xE4\xBD" "b", 0, FFFD "b", 3);
}

static void test_encode_errors(void)
{
    ENC(CHARSET_GBK, "\xF0\x9F\x98\x80", "?");                    /* emoji: not in GBK */
    ENC(CHARSET_GBK, "a\xC2\x80" "b", "a?b");                     /* U+0080 */
    ENC(CHARSET_GBK, "\xEF\xBF\xBD", "?");                        /* U+FFFD */
    ENC(CHARSET_GBK, "\xEE\x9D\xA6", "?");                        /* U+E766, past the EUDC */
    ENC(CHARSET_GBK, "\xC0\xAF\xE4\xBD\xA0", "??\xC4\xE3");       /* invalid -> U+FFFD -> ? */
    ENC(CHARSET_GBK, "\xED\xA0\x80", "???");                      /* surrogate */
    ENC(CHARSET_GB18030, "\xFF", "\x84\x31\xA4\x37");             /* invalid -> U+FFFD */
    ENC(CHARSET_GB18030, "\xC2\x80", "\x81\x30\x81\x30");
    expect_enc(CHARSET_GBK, "a\xE4\xBD", 3, 0, "a", 1, 1);        /* truncated, not final */
    expect_enc(CHARSET_GBK, "a\xE4\xBD", 3, 1, "a?", 2, 3);       /* truncated, final */
    expect_enc(CHARSET_GB18030, "\xF0\xA0\x80", 3, 0, "", 0, 0);
}

/* Feeding one byte at a time with final=0 must give what one call gives. */
static void expect_streamed(charset_id cs, int encode, const char *in, size_t len)
{
    buf whole = {0}, parts = {0}, carry = {0};
    if (encode) charset_encode(cs, in, len, 1, &whole);
    else charset_decode(cs, in, len, 1, &whole);
    for (size_t i = 0; i <= len; i++) {
        if (i < len) buf_append(&carry, in + i, 1);
        int final = i == len;
        size_t used = encode ? charset_encode(cs, carry.data, carry.len, final, &parts)
                             : charset_decode(cs, carry.data, carry.len, final, &parts);
        buf_consume(&carry, used);
    }
    CHECK_EQ_INT(carry.len, 0);
    CHECK_MEM(parts.data, parts.len, whole.data, whole.len);
    buf_free(&whole);
    buf_free(&parts);
    buf_free(&carry);
}

static void test_streaming(void)
{
    static const char gb[] = "a\xC4\xE3\x95\x32\x82\x36\x81\x30x\x80\xFF\xA2\xA0\xC4" "b\x81";
    static const char u8[] = "a\xE4\xBD\xA0\xF0\xA0\x80\x80\xE2\x82\xAC\xC0\xE4\xBD" "b\xF0\x9F";
    expect_streamed(CHARSET_GBK, 0, gb, sizeof gb - 1);
    expect_streamed(CHARSET_GB18030, 0, gb, sizeof gb - 1);
    expect_streamed(CHARSET_UTF8, 0, u8, sizeof u8 - 1);
    expect_streamed(CHARSET_GBK, 1, u8, sizeof u8 - 1);
    expect_streamed(CHARSET_GB18030, 1, u8, sizeof u8 - 1);
}

/* The 24 2-byte codes GB18030-2022 (and glibc) map to standard characters, where 2005 had
 * Private Use code points; old4 is the 4-byte code 2005 gave the standard character. */
static const struct gb2022 {
    uint16_t code;
    uint32_t cp, pua, old4;
} changed_2022[24] = {
    {0xA6D9, 0x0FE10, 0xE78D, 0x84318236},
    {0xA6DA, 0x0FE12, 0xE78E, 0x84318238},
    {0xA6DB, 0x0FE11, 0xE78F, 0x84318237},
    {0xA6DC, 0x0FE13, 0xE790, 0x84318239},
    {0xA6DD, 0x0FE14, 0xE791, 0x84318330},
    {0xA6DE, 0x0FE15, 0xE792, 0x84318331},
    {0xA6DF, 0x0FE16, 0xE793, 0x84318332},
    {0xA6EC, 0x0FE17, 0xE794, 0x84318333},
    {0xA6ED, 0x0FE18, 0xE795, 0x84318334},
    {0xA6F3, 0x0FE19, 0xE796, 0x84318335},
    {0xFE59, 0x09FB4, 0xE81E, 0x82359037},
    {0xFE61, 0x09FB5, 0xE826, 0x82359038},
    {0xFE66, 0x09FB6, 0xE82B, 0x82359039},
    {0xFE67, 0x09FB7, 0xE82C, 0x82359130},
    {0xFE6D, 0x09FB8, 0xE832, 0x82359131},
    {0xFE7E, 0x09FB9, 0xE843, 0x82359132},
    {0xFE90, 0x09FBA, 0xE854, 0x82359133},
    {0xFEA0, 0x09FBB, 0xE864, 0x82359134},
    {0xFE51, 0x20087, 0xE816, 0x95329031},
    {0xFE52, 0x20089, 0xE817, 0x95329033},
    {0xFE53, 0x200CC, 0xE818, 0x95329730},
    {0xFE6C, 0x215D7, 0xE831, 0x9536B937},
    {0xFE76, 0x2298F, 0xE83B, 0x9630BA35},
    {0xFE91, 0x241FE, 0xE855, 0x9635B630},
};

static void put_bytes(buf *b, uint32_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) buf_append(b, (const char[]){(char)(v >> (8 * i))}, 1);
}

/* What each of the 24 does, both ways: the code and the 2005 4-byte code decode to the
 * 2022 character, which encodes to the code; the 2005 PUA code point still encodes to the
 * code (so 2005 text gets its bytes back) but nothing decodes to it. GBK is unchanged. */
static void test_gb18030_2022(void)
{
    for (size_t i = 0; i < sizeof changed_2022 / sizeof changed_2022[0]; i++) {
        const struct gb2022 *c = &changed_2022[i];
        buf code = {0}, old4 = {0}, ch = {0}, pua = {0};
        put_bytes(&code, c->code, 2);
        put_bytes(&old4, c->old4, 4);
        utf8_encode_one(c->cp, &ch);
        utf8_encode_one(c->pua, &pua);
        expect_dec(CHARSET_GB18030, code.data, 2, 1, ch.data, 2);
        expect_dec(CHARSET_GB18030, old4.data, 4, 1, ch.data, 4);
        expect_enc(CHARSET_GB18030, ch.data, ch.len, 1, code.data, 2, ch.len);
        expect_enc(CHARSET_GB18030, pua.data, pua.len, 1, code.data, 2, pua.len);
        expect_dec(CHARSET_GBK, code.data, 2, 1, FFFD, 2);
        expect_enc(CHARSET_GBK, ch.data, ch.len, 1, "?", 1, ch.len);
        expect_enc(CHARSET_GBK, pua.data, pua.len, 1, "?", 1, pua.len);
        buf_free(&code);
        buf_free(&old4);
        buf_free(&ch);
        buf_free(&pua);
    }
    DEC(CHARSET_GB18030, "\xFE\x51\x95\x32\x90\x31", 1, "\xF0\xA0\x82\x87\xF0\xA0\x82\x87", 6);
    ENC(CHARSET_GB18030, "\xF0\xA0\x82\x87\xEE\xA0\x96", "\xFE\x51\xFE\x51"); /* U+20087, U+E816 */
    ENC(CHARSET_GB18030, "\xE9\xBE\xB4\xEE\xA0\x9E", "\xFE\x59\xFE\x59"); /* U+9FB4, U+E81E */
    /* Neighbours that did not change: U+E78C (A6C0), U+E797 (A6F6), U+FE1A (4 bytes). */
    ENC(CHARSET_GB18030, "\xEE\x9E\x8C\xEE\x9E\x97\xEF\xB8\x9A", "\xA6\xC0\xA6\xF6\x84\x31\x83\x36");
    DEC(CHARSET_GB18030, "\xA6\xC0\xA6\xF6\x84\x31\x83\x36", 1, "\xEE\x9E\x8C\xEE\x9E\x97\xEF\xB8\x9A", 8);
    /* A 2005 round trip: bytes -> (2005 decoder) PUA -> here -> the same bytes. */
    ENC(CHARSET_GB18030, "a\xEE\x9E\x8D\xEE\xA1\xA4" "b", "a\xA6\xD9\xFE\xA0" "b");
}

/* Every BMP scalar value encodes and decodes back, but the 24 PUA code points above, which
 * come back as their 2022 characters (six of them outside the BMP). */
static void test_round_trip_bmp(void)
{
    buf u = {0}, want = {0}, g = {0}, back = {0};
    for (uint32_t cp = 1; cp < 0x10000; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        uint32_t now = cp;
        for (size_t i = 0; i < sizeof changed_2022 / sizeof changed_2022[0]; i++)
            if (changed_2022[i].pua == cp) now = changed_2022[i].cp;
        utf8_encode_one(cp, &u);
        utf8_encode_one(now, &want);
    }
    CHECK_EQ_INT(charset_encode(CHARSET_GB18030, u.data, u.len, 1, &g), u.len);
    CHECK_EQ_INT(charset_decode(CHARSET_GB18030, g.data, g.len, 1, &back), g.len);
    CHECK_MEM(back.data, back.len, want.data, want.len);
    buf_free(&u);
    buf_free(&want);
    buf_free(&g);
    buf_free(&back);
}

int main(void)
{
    RUN(test_names);
    RUN(test_detect);
    RUN(test_known_vectors);
    RUN(test_decode_errors);
    RUN(test_encode_errors);
    RUN(test_streaming);
    RUN(test_gb18030_2022);
    RUN(test_round_trip_bmp);
    return th_finish();
}
