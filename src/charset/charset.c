/* charset.c -- charset names, detection, and the decode/encode policy every backend shares */
#include "udpchat/charset.h"

#include <stdint.h>

#include "charset_backend.h"
#include "gb18030.h"
#include "udpchat/utf8.h"

static const char replacement[3] = {'\xEF', '\xBF', '\xBD'}; /* U+FFFD in UTF-8 */

typedef struct charset_alias {
    const char *name;
    charset_id cs;
} charset_alias;

static const charset_alias aliases[] = {
    {"utf-8", CHARSET_UTF8}, {"utf8", CHARSET_UTF8},     {"gbk", CHARSET_GBK},
    {"cp936", CHARSET_GBK},  {"gb2312", CHARSET_GBK},    {"936", CHARSET_GBK},
    {"gb18030", CHARSET_GB18030}, {"54936", CHARSET_GB18030}, {NULL, CHARSET_UNKNOWN},
};

static int ascii_lower(int c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

static int ascii_equal_nocase(const char *a, const char *b)
{
    while (*a && ascii_lower((unsigned char)*a) == ascii_lower((unsigned char)*b)) a++, b++;
    return *a == '\0' && *b == '\0';
}

int charset_from_name(const char *name, charset_id *out)
{
    for (const charset_alias *a = aliases; name && a->name; a++) {
        if (ascii_equal_nocase(name, a->name)) {
            *out = a->cs;
            return 0;
        }
    }
    return -1;
}

const char *charset_name(charset_id cs)
{
    switch (cs) {
    case CHARSET_UTF8: return "utf-8";
    case CHARSET_GBK: return "gbk";
    case CHARSET_GB18030: return "gb18030";
    default: return "unknown";
    }
}

const char *charset_known_list(void) { return "utf-8, gbk, gb18030"; }

charset_id charset_detect(const char *in, size_t len)
{
    size_t i = 0;
    while (i < len && (unsigned char)in[i] < 0x80) i++;
    if (i == len) return CHARSET_UNKNOWN;
    return utf8_valid(in + i, len - i) ? CHARSET_UTF8 : CHARSET_GB18030;
}

/* ---- UTF-8 to UTF-8: validation with the same replacement policy ---- */

static size_t recode_utf8(const char *in, size_t len, int final, buf *out)
{
    size_t i = 0, bad;
    uint32_t cp;
    while (i < len) {
        size_t run = i;
        while (run < len && (unsigned char)in[run] < 0x80) run++;
        buf_append(out, in + i, run - i);
        if ((i = run) == len) break;
        int r = utf8_decode_one(in + i, len - i, &cp, &bad);
        if (r == -2 && !final) break;
        if (r > 0) buf_append(out, in + i, (size_t)r);
        else buf_append(out, replacement, sizeof replacement);
        i += r > 0 ? (size_t)r : bad;
    }
    return i;
}

/* ---- mappings charset.c owns, so no platform table can disagree ---- */

/* User-defined areas AAA1-AFFE, F8A1-FEFE, A140-A7A0 <-> U+E000..U+E765, as Windows
 * code page 936 and GB18030 map them. b2 is a valid trail byte. */
static int eudc_decode(uint8_t b1, uint8_t b2, uint32_t *cp)
{
    unsigned trail = (unsigned)b2 - (b2 > 0x7F ? 0x41u : 0x40u); /* 0..189 */
    if (b1 >= 0xAA && b1 <= 0xAF && b2 >= 0xA1) *cp = 0xE000u + (b1 - 0xAAu) * 94u + (b2 - 0xA1u);
    else if (b1 >= 0xF8 && b2 >= 0xA1) *cp = 0xE234u + (b1 - 0xF8u) * 94u + (b2 - 0xA1u);
    else if (b1 >= 0xA1 && b1 <= 0xA7 && b2 <= 0xA0) *cp = 0xE4C6u + (b1 - 0xA1u) * 96u + trail;
    else return 0;
    return 1;
}

static int eudc_encode(uint32_t cp, uint8_t *b)
{
    uint32_t i;
    if (cp < 0xE000 || cp > 0xE765) return 0;
    if (cp < 0xE234) {
        i = cp - 0xE000;
        b[0] = (uint8_t)(0xAA + i / 94), b[1] = (uint8_t)(0xA1 + i % 94);
    } else if (cp < 0xE4C6) {
        i = cp - 0xE234;
        b[0] = (uint8_t)(0xF8 + i / 94), b[1] = (uint8_t)(0xA1 + i % 94);
    } else {
        i = cp - 0xE4C6;
        b[0] = (uint8_t)(0xA1 + i / 96), b[1] = (uint8_t)(0x40 + i % 96 + (i % 96 >= 0x3F));
    }
    return 2;
}

static uint32_t gb4_linear(const uint8_t *p)
{
    return (((p[0] - 0x81u) * 10 + (p[1] - 0x30u)) * 126 + (p[2] - 0x81u)) * 10 + (p[3] - 0x30u);
}

static int gb4_bytes(uint32_t linear, uint8_t *b)
{
    b[3] = (uint8_t)(0x30 + linear % 10), linear /= 10;
    b[2] = (uint8_t)(0x81 + linear % 126), linear /= 126;
    b[1] = (uint8_t)(0x30 + linear % 10), linear /= 10;
    b[0] = (uint8_t)(0x81 + linear);
    return 4;
}

/* ---- splitting GBK / GB18030 into structural sequences ---- */

typedef enum seq_kind {
    SEQ_TABLE, /* a 2-byte code the platform's code page 936 table maps (or not) */
    SEQ_OWN,   /* well formed; charset.c maps it to `cp` */
    SEQ_BAD,   /* one U+FFFD for `len` bytes */
    SEQ_TRUNC  /* the start of a sequence at the end of non-final input */
} seq_kind;

typedef struct seq {
    seq_kind kind;
    size_t len;
    uint32_t cp;
} seq;

static seq mkseq(seq_kind kind, size_t len, uint32_t cp)
{
    seq s = {kind, len, cp};
    return s;
}

static int is_lead(uint8_t b) { return b >= 0x81 && b <= 0xFE; }
static int is_trail2(uint8_t b) { return b >= 0x40 && b <= 0xFE && b != 0x7F; }
static int is_digit(uint8_t b) { return b >= 0x30 && b <= 0x39; }

static seq classify_four(const uint8_t *p, size_t len, int final)
{
    seq bad1 = mkseq(SEQ_BAD, 1, 0xFFFD);
    if (len >= 3 && !is_lead(p[2])) return bad1;
    if (len < 4) return final ? bad1 : mkseq(SEQ_TRUNC, 0, 0);
    if (!is_digit(p[3])) return bad1;
    uint32_t lin = gb4_linear(p), cp = 0x10000 + lin - GB18030_SUPPLEMENTARY;
    if (p[0] >= 0x90) return cp <= 0x10FFFF ? mkseq(SEQ_OWN, 4, cp) : mkseq(SEQ_BAD, 4, 0xFFFD);
    if (lin > GB18030_BMP_LAST) return mkseq(SEQ_BAD, 4, 0xFFFD);
    return mkseq(SEQ_OWN, 4, gb18030_four_byte_decode(lin));
}

/* The sequence at p[0..len), p[0] >= 0x80. */
static seq classify(charset_id cs, const uint8_t *p, size_t len, int final)
{
    uint32_t cp;
    if (p[0] == 0x80) return mkseq(SEQ_OWN, 1, 0x20AC);
    if (p[0] == 0xFF) return mkseq(SEQ_BAD, 1, 0xFFFD);
    if (len < 2) return final ? mkseq(SEQ_BAD, 1, 0xFFFD) : mkseq(SEQ_TRUNC, 0, 0);
    if (is_trail2(p[1])) {
        if (eudc_decode(p[0], p[1], &cp)) return mkseq(SEQ_OWN, 2, cp);
        if (!gb18030_two_byte_decode((uint16_t)(p[0] << 8 | p[1]), &cp))
            return mkseq(SEQ_TABLE, 2, 0);
        return cs == CHARSET_GB18030 ? mkseq(SEQ_OWN, 2, cp) : mkseq(SEQ_BAD, 2, 0xFFFD);
    }
    if (cs == CHARSET_GB18030 && is_digit(p[1])) return classify_four(p, len, final);
    return mkseq(SEQ_BAD, 1, 0xFFFD); /* only the lead is bad; p[1] is read again */
}

/* ---- decoding ---- */

static void out_truncate(buf *out, size_t len)
{
    out->len = len;
    if (out->data) out->data[len] = '\0';
}

/* 1 if UTF-8 s[0..n) holds a Private Use character U+E000..U+F8FF (EE xx xx, EF 80-A3 xx). */
static int has_private_use(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)s[i];
        if (b == 0xEE || (b == 0xEF && i + 1 < n && (uint8_t)s[i + 1] <= 0xA3)) return 1;
    }
    return 0;
}

/* Code page 936 proper has no Private Use characters (charset.c maps the user-defined
 * areas and GB18030's additions itself); a table that maps more (Windows does, e.g. A8BC ->
 * U+E7C7) is overruled: such codes are redone one at a time and count as unmapped. */
static size_t table_decode(const char *in, size_t len, buf *out)
{
    size_t mark = out->len, done = charset_backend_decode(in, len, out);
    if (!has_private_use(out->data + mark, out->len - mark)) return done;
    out_truncate(out, mark);
    for (done = 0; done < len; done += 2) {
        mark = out->len;
        if (charset_backend_decode(in + done, 2, out) != 2 ||
            has_private_use(out->data + mark, out->len - mark)) {
            out_truncate(out, mark);
            break;
        }
    }
    return done;
}

/* in[0..len) is a run of SEQ_TABLE codes, all 2 bytes long. */
static void decode_table_run(const char *in, size_t len, buf *out)
{
    size_t off = 0;
    while (off < len) {
        off += table_decode(in + off, len - off, out);
        if (off == len) break;
        buf_append(out, replacement, sizeof replacement);
        off += 2;
    }
}

static size_t decode_multibyte(charset_id cs, const char *in, size_t len, int final, buf *out)
{
    const uint8_t *p = (const uint8_t *)in;
    size_t i = 0, run = 0; /* in[run..i) is a pending run of SEQ_TABLE sequences */
    while (i < len) {
        size_t ascii = i;
        while (ascii < len && p[ascii] < 0x80) ascii++;
        if (ascii > i) {
            decode_table_run(in + run, i - run, out);
            buf_append(out, in + i, ascii - i);
            run = i = ascii;
            continue;
        }
        seq s = classify(cs, p + i, len - i, final);
        if (s.kind == SEQ_TRUNC) break;
        i += s.len;
        if (s.kind == SEQ_TABLE) continue;
        decode_table_run(in + run, i - s.len - run, out);
        run = i;
        utf8_encode_one(s.cp, out); /* SEQ_BAD carries U+FFFD */
    }
    decode_table_run(in + run, i - run, out);
    return i;
}

size_t charset_decode(charset_id cs, const char *in, size_t len, int final, buf *out)
{
    if (len == 0) return 0; /* in may be NULL then (an empty buf) */
    if (cs == CHARSET_GBK || cs == CHARSET_GB18030)
        return decode_multibyte(cs, in, len, final, out);
    return recode_utf8(in, len, final, out);
}

/* ---- encoding ---- */

/* Bytes for cp when charset.c owns its mapping (0 if code page 936's table decides). */
static int own_encode(charset_id cs, uint32_t cp, uint8_t *b)
{
    uint16_t extra;
    if (cp < 0x80) return b[0] = (uint8_t)cp, 1;
    if (eudc_encode(cp, b)) return 2;
    if (cs == CHARSET_GBK) {
        if (cp == 0x20AC) return b[0] = 0x80, 1;
        if ((cp >= 0xE000 && cp <= 0xF8FF) || cp >= 0x10000 || gb18030_two_byte_encode(cp))
            return b[0] = '?', 1; /* not in GBK, whatever a platform table says */
        return 0;
    }
    if (cp >= 0x10000) return gb4_bytes(cp - 0x10000 + GB18030_SUPPLEMENTARY, b);
    if ((extra = gb18030_two_byte_encode(cp)) != 0)
        return b[0] = (uint8_t)(extra >> 8), b[1] = (uint8_t)extra, 2;
    if (cp >= 0xE000 && cp <= 0xF8FF) return gb4_bytes(gb18030_four_byte_encode(cp), b);
    return 0;
}

/* What a character code page 936 cannot represent becomes: '?' in GBK, its 4-byte
 * code in GB18030 (which represents every scalar value). */
static void encode_unmapped(charset_id cs, const char *in, size_t len, buf *out, size_t *used)
{
    size_t bad;
    uint32_t cp;
    uint8_t b[4];
    int r = utf8_decode_one(in, len, &cp, &bad);
    *used = r > 0 ? (size_t)r : 1;
    if (cs == CHARSET_GB18030 && r > 0) {
        int n = gb4_bytes(gb18030_four_byte_encode(cp), b);
        buf_append(out, b, (size_t)n);
    } else {
        buf_append_byte(out, '?');
    }
}

/* in[0..len) is valid UTF-8 of BMP characters that own_encode left to the table. */
static void encode_table_run(charset_id cs, const char *in, size_t len, buf *out)
{
    size_t off = 0, used;
    while (off < len) {
        off += charset_backend_encode(in + off, len - off, out);
        if (off == len) break;
        encode_unmapped(cs, in + off, len - off, out, &used);
        off += used;
    }
}

static void encode_one(charset_id cs, uint32_t cp, const char *utf8, size_t n, buf *out)
{
    uint8_t b[4];
    int own = own_encode(cs, cp, b);
    if (own) buf_append(out, b, (size_t)own);
    else encode_table_run(cs, utf8, n, out);
}

static size_t encode_multibyte(charset_id cs, const char *in, size_t len, int final, buf *out)
{
    size_t i = 0, run = 0, bad; /* in[run..i) is a pending run for the platform table */
    uint32_t cp;
    uint8_t b[4];
    while (i < len) {
        size_t ascii = i;
        while (ascii < len && (uint8_t)in[ascii] < 0x80) ascii++;
        if (ascii > i) {
            encode_table_run(cs, in + run, i - run, out);
            buf_append(out, in + i, ascii - i);
            run = i = ascii;
            continue;
        }
        int r = utf8_decode_one(in + i, len - i, &cp, &bad);
        if (r == -2 && !final) break;
        if (r > 1 && !own_encode(cs, cp, b)) {
            i += (size_t)r;
            continue;
        }
        encode_table_run(cs, in + run, i - run, out);
        if (r > 0) encode_one(cs, cp, in + i, (size_t)r, out);
        else encode_one(cs, 0xFFFD, replacement, sizeof replacement, out);
        i += r > 0 ? (size_t)r : bad;
        run = i;
    }
    encode_table_run(cs, in + run, i - run, out);
    return i;
}

size_t charset_encode(charset_id cs, const char *in, size_t len, int final, buf *out)
{
    if (len == 0) return 0; /* in may be NULL then (an empty buf) */
    if (cs == CHARSET_GBK || cs == CHARSET_GB18030)
        return encode_multibyte(cs, in, len, final, out);
    return recode_utf8(in, len, final, out);
}
