/* fuzz_charset.c -- libFuzzer target: charset decode/encode, UTF-8 validation, sanitising */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udpchat/charset.h"
#include "udpchat/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond)                                                              \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                               \
        }                                                                          \
    } while (0)

static int same(const buf *a, const buf *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* Output is valid UTF-8; everything is consumed when final; feeding the input in two
 * parts (final=0, then the carry-over with final=1) gives the same bytes. */
static void check_decode(charset_id cs, const char *in, size_t len, size_t cut, buf *whole)
{
    buf parts = {0}, carry = {0};
    REQUIRE(charset_decode(cs, in, len, 1, whole) == len);
    REQUIRE(utf8_valid(whole->data, whole->len));
    size_t used = charset_decode(cs, in, cut, 0, &parts);
    REQUIRE(used <= cut && cut - used < 4);
    buf_append(&carry, in + used, len - used);
    REQUIRE(charset_decode(cs, carry.data, carry.len, 1, &parts) == carry.len);
    REQUIRE(same(whole, &parts));
    buf_free(&parts);
    buf_free(&carry);
}

/* Encoding consumes everything; GB18030 and UTF-8 give back exactly what they got. */
static void check_encode(charset_id cs, const char *raw, size_t raw_len, const buf *text)
{
    buf enc = {0}, back = {0}, junk = {0};
    REQUIRE(charset_encode(cs, raw, raw_len, 1, &junk) == raw_len);
    REQUIRE(charset_encode(cs, text->data, text->len, 1, &enc) == text->len);
    REQUIRE(charset_decode(cs, enc.data, enc.len, 1, &back) == enc.len);
    REQUIRE(utf8_valid(back.data, back.len));
    if (cs != CHARSET_GBK) REQUIRE(same(text, &back));
    buf_free(&enc);
    buf_free(&back);
    buf_free(&junk);
}

/* No C0 control (but a kept newline), no DEL, no C1 control survives sanitising. */
static void check_sanitize(const char *in, size_t len, int keep_newlines)
{
    buf out = {0};
    utf8_sanitize(in, len, keep_newlines, &out);
    REQUIRE(utf8_valid(out.data, out.len));
    for (size_t i = 0; i < out.len; i++) {
        uint8_t c = (uint8_t)out.data[i];
        REQUIRE(c >= 0x20 || (keep_newlines && c == '\n'));
        REQUIRE(c != 0x7F);
        REQUIRE(!(c == 0xC2 && i + 1 < out.len && (uint8_t)out.data[i + 1] < 0xA0));
    }
    (void)utf8_width(out.data, out.len);
    buf_free(&out);
}

static void check_utf8(const char *in, size_t len)
{
    buf fixed = {0};
    utf8_repair(in, len, &fixed);
    REQUIRE(utf8_valid(fixed.data, fixed.len));
    REQUIRE(utf8_valid(in, len) == (fixed.len == len && (len == 0 || !memcmp(in, fixed.data, len))));
    charset_id guess = charset_detect(in, len);
    for (size_t i = 0; guess == CHARSET_UNKNOWN && i < len; i++) REQUIRE((uint8_t)in[i] < 0x80);
    buf_free(&fixed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    static const charset_id sets[3] = {CHARSET_UTF8, CHARSET_GBK, CHARSET_GB18030};
    charset_id cs = sets[data[0] % 3];
    const char *in = (const char *)data + 1;
    size_t len = size - 1, cut = len ? (data[0] >> 2) % (len + 1) : 0;
    buf text = {0};
    check_decode(cs, in, len, cut, &text);
    check_encode(cs, in, len, &text);
    check_sanitize(in, len, data[0] & 1);
    check_utf8(in, len);
    buf_free(&text);
    return 0;
}
