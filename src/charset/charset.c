/* charset.c -- charset names, detection, and the decode/encode policy every backend shares */
#include "udpchat/charset.h"

#include <stdint.h>

#include "charset_backend.h"
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

/* GB18030-2005 where platform tables differ (glibc follows GB18030-2022 for these,
 * older Windows GB18030-2000): A8BC <-> U+1E3F is the 2005 change; the rest keep
 * the 2005 Private Use mapping and their 4-byte twins. Big-endian byte values. */
typedef struct gb_fixup {
    uint32_t bytes, cp;
} gb_fixup;

static const gb_fixup gb_fixups[] = {
    {0xA6D9, 0xE78D}, {0xA6DA, 0xE78E}, {0xA6DB, 0xE78F}, {0xA6DC, 0xE790}, {0xA6DD, 0xE791},
    {0xA6DE, 0xE792}, {0xA6DF, 0xE793}, {0xA6EC, 0xE794}, {0xA6ED, 0xE795}, {0xA6F3, 0xE796},
    {0xA8BC, 0x1E3F}, {0xFE51, 0xE816}, {0xFE52, 0xE817}, {0xFE53, 0xE818}, {0xFE59, 0xE81E},
    {0xFE61, 0xE826}, {0xFE66, 0xE82B}, {0xFE67, 0xE82C}, {0xFE6C, 0xE831}, {0xFE6D, 0xE832},
    {0xFE76, 0xE83B}, {0xFE7E, 0xE843}, {0xFE90, 0xE854}, {0xFE91, 0xE855}, {0xFEA0, 0xE864},
    {0x84318236, 0xFE10}, {0x84318237, 0xFE11}, {0x84318238, 0xFE12}, {0x84318239, 0xFE13},
    {0x84318330, 0xFE14}, {0x84318331, 0xFE15}, {0x84318332, 0xFE16}, {0x84318333, 0xFE17},
    {0x84318334, 0xFE18}, {0x84318335, 0xFE19}, {0x8135F437, 0xE7C7}, {0x82359037, 0x9FB4},
    {0x82359038, 0x9FB5}, {0x82359039, 0x9FB6}, {0x82359130, 0x9FB7}, {0x82359131, 0x9FB8},
    {0x82359132, 0x9FB9}, {0x82359133, 0x9FBA}, {0x82359134, 0x9FBB},
};
enum { GB_FIXUPS = sizeof gb_fixups / sizeof gb_fixups[0] };

static int fixup_decode(uint32_t bytes, uint32_t *cp)
{
    for (size_t i = 0; i < GB_FIXUPS; i++)
        if (gb_fixups[i].bytes == bytes) return *cp = gb_fixups[i].cp, 1;
    return 0;
}

static int fixup_encode(uint32_t cp, uint8_t *b)
{
    if (cp != 0x1E3F && (cp < 0x9FB4 || cp > 0x9FBB) && (cp < 0xE78D || cp > 0xE864) &&
        (cp < 0xFE10 || cp > 0xFE19))
        return 0;
    for (size_t i = 0; i < GB_FIXUPS; i++) {
        if (gb_fixups[i].cp != cp) continue;
        uint32_t v = gb_fixups[i].bytes;
        int n = v > 0xFFFF ? 4 : 2;
        for (int k = n - 1; k >= 0; k--, v >>= 8) b[k] = (uint8_t)v;
        return n;
    }
    return 0;
}

/* GB18030 4-byte sequences count up from 81 30 81 30; U+10000 is 90 30 81 30. */
enum { GB4_BMP_LAST = 39419, GB4_SUPPLEMENTARY = 189000 };

static uint32_t gb4_linear(const uint8_t *p)
{
    return (((p[0] - 0x81u) * 10 + (p[1] - 0x30u)) * 126 + (p[2] - 0x81u)) * 10 + (p[3] - 0x30u);
}

static int gb4_encode_supplementary(uint32_t cp, uint8_t *b)
{
    uint32_t lin = cp - 0x10000 + GB4_SUPPLEMENTARY;
    b[3] = (uint8_t)(0x30 + lin % 10), lin /= 10;
    b[2] = (uint8_t)(0x81 + lin % 126), lin /= 126;
    b[1] = (uint8_t)(0x30 + lin % 10), lin /= 10;
    b[0] = (uint8_t)(0x81 + lin);
    return 4;
}

/* ---- splitting GBK / GB18030 into structural sequences ---- */

typedef enum seq_kind {
    SEQ_TABLE, /* well formed; the platform table maps it (or not) */
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
    uint32_t lin = gb4_linear(p), cp;
    if (p[0] >= 0x90) {
        cp = 0x10000 + lin - GB4_SUPPLEMENTARY;
        return cp <= 0x10FFFF ? mkseq(SEQ_OWN, 4, cp) : mkseq(SEQ_BAD, 4, 0xFFFD);
    }
    if (lin > GB4_BMP_LAST) return mkseq(SEQ_BAD, 4, 0xFFFD);
    uint32_t bytes = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return fixup_decode(bytes, &cp) ? mkseq(SEQ_OWN, 4, cp) : mkseq(SEQ_TABLE, 4, 0);
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
        if (cs == CHARSET_GB18030 && fixup_decode((uint32_t)p[0] << 8 | p[1], &cp))
            return mkseq(SEQ_OWN, 2, cp);
        return mkseq(SEQ_TABLE, 2, 0);
    }
    if (cs == CHARSET_GB18030 && is_digit(p[1])) return classify_four(p, len, final);
    return mkseq(SEQ_BAD, 1, 0xFFFD); /* only the lead is bad; p[1] is read again */
}

size_t charset_seq_len(charset_id cs, const char *in, size_t len)
{
    const uint8_t *p = (const uint8_t *)in;
    return p[0] < 0x80 ? 1 : classify(cs, p, len, 1).len;
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

/* GBK's only Private Use characters are the user-defined areas charset.c maps itself, so
 * a table that maps more (some Windows versions) is overruled, one sequence at a time. */
static size_t table_decode(charset_id cs, const char *in, size_t len, buf *out)
{
    size_t mark = out->len, done = charset_backend_decode(cs, in, len, out), n;
    if (cs != CHARSET_GBK || !has_private_use(out->data + mark, out->len - mark)) return done;
    out_truncate(out, mark);
    for (done = 0; done < len; done += n) {
        n = charset_seq_len(cs, in + done, len - done);
        mark = out->len;
        if (charset_backend_decode(cs, in + done, n, out) != n ||
            has_private_use(out->data + mark, out->len - mark)) {
            out_truncate(out, mark);
            break;
        }
    }
    return done;
}

static void decode_table_run(charset_id cs, const char *in, size_t len, buf *out)
{
    size_t off = 0;
    while (off < len) {
        off += table_decode(cs, in + off, len - off, out);
        if (off == len) break;
        buf_append(out, replacement, sizeof replacement);
        off += charset_seq_len(cs, in + off, len - off);
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
            decode_table_run(cs, in + run, i - run, out);
            buf_append(out, in + i, ascii - i);
            run = i = ascii;
            continue;
        }
        seq s = classify(cs, p + i, len - i, final);
        if (s.kind == SEQ_TRUNC) break;
        i += s.len;
        if (s.kind == SEQ_TABLE) continue;
        decode_table_run(cs, in + run, i - s.len - run, out);
        run = i;
        utf8_encode_one(s.cp, out); /* SEQ_BAD carries U+FFFD */
    }
    decode_table_run(cs, in + run, i - run, out);
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

/* Bytes for cp when charset.c owns its mapping (0 if the platform table decides). */
static int own_encode(charset_id cs, uint32_t cp, uint8_t *b)
{
    if (cp < 0x80) return b[0] = (uint8_t)cp, 1;
    if (cs == CHARSET_GBK) {
        if (cp == 0x20AC) return b[0] = 0x80, 1;
        if (cp >= 0xE000 && cp <= 0xF8FF) return eudc_encode(cp, b) ? 2 : (b[0] = '?', 1);
        if (cp >= 0x10000) return b[0] = '?', 1;
        return 0;
    }
    if (cp >= 0x10000) return gb4_encode_supplementary(cp, b);
    int n = eudc_encode(cp, b);
    return n ? n : fixup_encode(cp, b);
}

static void encode_table_run(charset_id cs, const char *in, size_t len, buf *out)
{
    size_t off = 0, bad;
    uint32_t cp;
    while (off < len) {
        off += charset_backend_encode(cs, in + off, len - off, out);
        if (off == len) break;
        buf_append_byte(out, '?');
        int r = utf8_decode_one(in + off, len - off, &cp, &bad);
        off += r > 0 ? (size_t)r : 1;
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
