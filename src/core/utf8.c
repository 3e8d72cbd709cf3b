/* utf8.c -- UTF-8 validation, decoding, repair and terminal-safe sanitising */
#include "udpchat/utf8.h"

#include <stdio.h>

static const char replacement[3] = {'\xEF', '\xBF', '\xBD'};

/* Allowed range of the second byte after lead b0 (the first continuation byte). */
static void second_byte_range(uint8_t b0, uint8_t *lo, uint8_t *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (b0 == 0xE0) *lo = 0xA0;      /* overlong 3-byte */
    else if (b0 == 0xED) *hi = 0x9F; /* surrogates */
    else if (b0 == 0xF0) *lo = 0x90; /* overlong 4-byte */
    else if (b0 == 0xF4) *hi = 0x8F; /* > U+10FFFF */
}

static uint32_t assemble(const uint8_t *u, int n)
{
    static const uint8_t lead_mask[5] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    uint32_t cp = u[0] & lead_mask[n];
    for (int i = 1; i < n; i++) cp = (cp << 6) | (u[i] & 0x3F);
    return cp;
}

int utf8_decode_one(const char *s, size_t len, uint32_t *cp, size_t *bad_len)
{
    const uint8_t *u = (const uint8_t *)s;
    if (len == 0) return 0;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    *cp = 0xFFFD;
    *bad_len = 1;
    if (u[0] < 0xC2 || u[0] > 0xF4) return UTF8_INVALID;
    int need = u[0] < 0xE0 ? 2 : u[0] < 0xF0 ? 3 : 4;
    uint8_t lo, hi;
    second_byte_range(u[0], &lo, &hi);
    for (int i = 1; i < need; i++) {
        if ((size_t)i >= len) {
            *bad_len = len;
            return UTF8_TRUNCATED;
        }
        if (u[i] < lo || u[i] > hi) {
            *bad_len = (size_t)i;
            return UTF8_INVALID;
        }
        lo = 0x80;
        hi = 0xBF;
    }
    *cp = assemble(u, need);
    return need;
}

void utf8_encode_one(uint32_t cp, buf *out)
{
    uint8_t b[4];
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
    if (cp < 0x80) {
        buf_append_byte(out, (uint8_t)cp);
        return;
    }
    int n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static const uint8_t lead[5] = {0, 0, 0xC0, 0xE0, 0xF0};
    for (int i = n - 1; i > 0; i--) {
        b[i] = (uint8_t)(0x80 | (cp & 0x3F));
        cp >>= 6;
    }
    b[0] = (uint8_t)(lead[n] | cp);
    buf_append(out, b, (size_t)n);
}

int utf8_valid(const char *s, size_t len)
{
    size_t i = 0, bad;
    uint32_t cp;
    while (i < len) {
        int r = utf8_decode_one(s + i, len - i, &cp, &bad);
        if (r <= 0) return 0;
        i += (size_t)r;
    }
    return 1;
}

void utf8_repair(const char *s, size_t len, buf *out)
{
    size_t i = 0, bad;
    uint32_t cp;
    while (i < len) {
        size_t run = i;
        while (run < len && (uint8_t)s[run] < 0x80) run++;
        buf_append(out, s + i, run - i);
        i = run;
        if (i == len) break;
        int r = utf8_decode_one(s + i, len - i, &cp, &bad);
        if (r > 0) {
            buf_append(out, s + i, (size_t)r);
            i += (size_t)r;
        } else {
            buf_append(out, replacement, sizeof replacement);
            i += bad;
        }
    }
}

/* Bidi overrides/embeddings/isolates and line/paragraph separators: invisible, yet they
 * reorder or break what follows, so a sender could disguise text ("Trojan Source"). */
static int is_invisible_control(uint32_t cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0x2028 || cp == 0x2029;
}

static void sanitize_cp(uint32_t cp, int keep_newlines, buf *out)
{
    if (cp == '\t') {
        buf_append_byte(out, ' ');
    } else if (cp == '\n' && keep_newlines) {
        buf_append_byte(out, '\n');
    } else if (cp < 0x20) {
        buf_append_byte(out, '^');
        buf_append_byte(out, (uint8_t)(cp + 0x40)); /* ESC -> ^[, BEL -> ^G, LF -> ^J */
    } else if ((cp >= 0x7F && cp <= 0x9F) || is_invisible_control(cp)) {
        buf_printf(out, "<U+%04X>", (unsigned)cp);
    } else {
        utf8_encode_one(cp, out);
    }
}

void utf8_sanitize(const char *s, size_t len, int keep_newlines, buf *out)
{
    size_t i = 0, bad;
    uint32_t cp;
    while (i < len) {
        int r = utf8_decode_one(s + i, len - i, &cp, &bad);
        if (r > 0) {
            sanitize_cp(cp, keep_newlines, out);
            i += (size_t)r;
        } else {
            buf_append(out, replacement, sizeof replacement);
            i += bad;
        }
    }
}
