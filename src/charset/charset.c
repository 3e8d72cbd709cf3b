/* charset.c -- charset names, detection, and the decode/encode policy every backend shares */
#include "udpchat/charset.h"

#include <SDL_atomic.h>
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

int charset_from_name(const char *name, charset_id *out)
{
    for (const charset_alias *a = aliases; name && a->name; a++) {
        if (str_ieq(name, a->name)) {
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
    size_t i = 0, good = 0, bad; /* in[good..i) is valid and not yet appended */
    uint32_t cp;
    while (i < len) {
        if ((unsigned char)in[i] < 0x80) {
            i++;
            continue;
        }
        int r = utf8_decode_one(in + i, len - i, &cp, &bad);
        if (r > 0) {
            i += (size_t)r;
            continue;
        }
        buf_append(out, in + good, i - good);
        if (r == UTF8_TRUNCATED && !final) return i;
        buf_append(out, replacement, sizeof replacement);
        good = i += bad;
    }
    buf_append(out, in + good, i - good);
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

/* ---- the platform's code page 936 table, asked once and cached ----
 * The backend (iconv, Win32) stays the authority on code page 936, but asking it for every
 * character costs a call, a lock and a re-scan each time. So the first conversion asks it
 * once for every 2-byte code and every BMP character that charset.c does not map itself,
 * and keeps the answers in two flat tables (48 KiB + 128 KiB, read-only afterwards). */

#define T936_INDEX(b1, b2) (((size_t)(b1) - 0x81u) * 191u + ((size_t)(b2) - 0x40u))

static uint16_t dec936[126 * 191]; /* code -> BMP character, 0 = the table maps it to nothing */
static uint16_t enc936[0x10000];   /* BMP character -> code, 0 = not representable */
static SDL_atomic_t t936_ready;
static SDL_SpinLock t936_lock;

static size_t table_decode(const char *in, size_t len, buf *out);
static int own_encode(charset_id cs, uint32_t cp, uint8_t *b);

static void t936_add_code(uint8_t b1, uint8_t b2, buf *tmp)
{
    const char code[2] = {(char)b1, (char)b2};
    uint32_t cp;
    size_t bad;
    buf_clear(tmp);
    if (table_decode(code, 2, tmp) != 2) return;
    if (utf8_decode_one(tmp->data, tmp->len, &cp, &bad) == (int)tmp->len && cp >= 0x80 && cp < 0x10000)
        dec936[T936_INDEX(b1, b2)] = (uint16_t)cp;
}

static void t936_add_char(uint32_t cp, buf *tmp)
{
    uint8_t b[4];
    buf u = {0};
    if (own_encode(CHARSET_GBK, cp, b) || own_encode(CHARSET_GB18030, cp, b)) return;
    utf8_encode_one(cp, &u);
    buf_clear(tmp);
    if (charset_backend_encode(u.data, u.len, tmp) == u.len && tmp->len == 2)
        enc936[cp] = (uint16_t)((uint8_t)tmp->data[0] << 8 | (uint8_t)tmp->data[1]);
    buf_free(&u);
}

static void t936_build(void)
{
    buf tmp = {0};
    uint32_t cp;
    for (unsigned b1 = 0x81; b1 <= 0xFE; b1++)
        for (unsigned b2 = 0x40; b2 <= 0xFE; b2++)
            if (b2 != 0x7F && !eudc_decode((uint8_t)b1, (uint8_t)b2, &cp) &&
                !gb18030_two_byte_decode((uint16_t)(b1 << 8 | b2), &cp))
                t936_add_code((uint8_t)b1, (uint8_t)b2, &tmp);
    for (cp = 0x80; cp < 0x10000; cp++)
        if (cp < 0xD800 || cp > 0xDFFF) t936_add_char(cp, &tmp);
    buf_free(&tmp);
}

static void t936_init(void)
{
    if (SDL_AtomicGet(&t936_ready)) return;
    SDL_AtomicLock(&t936_lock);
    if (!SDL_AtomicGet(&t936_ready)) {
        t936_build();
        SDL_AtomicSet(&t936_ready, 1); /* a full barrier: the tables are visible first */
    }
    SDL_AtomicUnlock(&t936_lock);
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

/* Appends the UTF-8 of scalar value cp; the caller reserved room (4 bytes). */
static void put_utf8(buf *out, uint32_t cp)
{
    uint8_t *o = (uint8_t *)out->data + out->len;
    if (cp < 0x80) o[0] = (uint8_t)cp, out->len += 1;
    else if (cp < 0x800) o[0] = (uint8_t)(0xC0 | cp >> 6), o[1] = (uint8_t)(0x80 | (cp & 0x3F)), out->len += 2;
    else if (cp < 0x10000)
        o[0] = (uint8_t)(0xE0 | cp >> 12), o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F)),
        o[2] = (uint8_t)(0x80 | (cp & 0x3F)), out->len += 3;
    else
        o[0] = (uint8_t)(0xF0 | cp >> 18), o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F)),
        o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F)), o[3] = (uint8_t)(0x80 | (cp & 0x3F)), out->len += 4;
}

static size_t decode_multibyte(charset_id cs, const char *in, size_t len, int final, buf *out)
{
    const uint8_t *p = (const uint8_t *)in;
    size_t i = 0;
    buf_reserve(out, len * 3 + 4); /* a bad byte -> U+FFFD (3), 2 -> 3 or 4 (FE51), 4 -> 4 */
    while (i < len) {
        if (p[i] < 0x80) {
            out->data[out->len++] = (char)p[i++];
            continue;
        }
        uint16_t fast = i + 1 < len && is_lead(p[i]) && is_trail2(p[i + 1])
                            ? dec936[T936_INDEX(p[i], p[i + 1])] : 0;
        seq s = fast ? mkseq(SEQ_OWN, 2, fast) : classify(cs, p + i, len - i, final);
        if (s.kind == SEQ_TRUNC) break;
        if (s.kind == SEQ_TABLE) s.cp = 0xFFFD; /* a code the table maps to nothing */
        i += s.len;
        put_utf8(out, s.cp); /* SEQ_BAD carries U+FFFD */
    }
    out->data[out->len] = '\0';
    return i;
}

size_t charset_decode(charset_id cs, const char *in, size_t len, int final, buf *out)
{
    if (len == 0) return 0; /* in may be NULL then (an empty buf) */
    if (cs == CHARSET_GBK || cs == CHARSET_GB18030) t936_init();
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
    /* GB18030-2022's 2-byte codes first (six are for Ext-B characters: U+20087 -> FE51),
     * then the Private Use code points 2005 gave to 18 + 6 of them (U+E78D -> A6D9) */
    if ((extra = gb18030_two_byte_encode(cp)) != 0 || (extra = gb18030_legacy_pua_encode(cp)) != 0)
        return b[0] = (uint8_t)(extra >> 8), b[1] = (uint8_t)extra, 2;
    if (cp >= 0x10000) return gb4_bytes(cp - 0x10000 + GB18030_SUPPLEMENTARY, b);
    if (cp >= 0xE000 && cp <= 0xF8FF) return gb4_bytes(gb18030_four_byte_encode(cp), b);
    return 0;
}

/* One character (or U+FFFD for a bad sequence) to GBK or GB18030, into room the caller
 * reserved (4 bytes). */
static void encode_char(charset_id cs, uint32_t cp, buf *out)
{
    uint8_t *b = (uint8_t *)out->data + out->len;
    int n;
    uint16_t code = cp < 0x10000 ? enc936[cp] : 0;
    if (code) {
        b[0] = (uint8_t)(code >> 8), b[1] = (uint8_t)code, n = 2;
    } else if ((n = own_encode(cs, cp, b)) == 0) {
        if (cs == CHARSET_GB18030) n = gb4_bytes(gb18030_four_byte_encode(cp), b);
        else b[0] = '?', n = 1; /* GBK cannot hold it */
    }
    out->len += (size_t)n;
}

/* A well-formed 3-byte UTF-8 sequence (U+0800..U+FFFF, no surrogates) at p, or 0. */
static uint32_t utf8_three(const uint8_t *p, size_t left)
{
    if (left < 3 || (p[0] & 0xF0) != 0xE0 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
    uint32_t cp = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    return cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF) ? cp : 0;
}

static size_t encode_multibyte(charset_id cs, const char *in, size_t len, int final, buf *out)
{
    const uint8_t *p = (const uint8_t *)in;
    size_t i = 0, bad;
    uint32_t cp;
    buf_reserve(out, len * 4 + 4); /* a bad byte can become a 4-byte GB18030 U+FFFD */
    while (i < len) {
        if (p[i] < 0x80) {
            out->data[out->len++] = (char)p[i++];
            continue;
        }
        if ((cp = utf8_three(p + i, len - i)) != 0) {
            encode_char(cs, cp, out);
            i += 3;
            continue;
        }
        int r = utf8_decode_one(in + i, len - i, &cp, &bad);
        if (r == UTF8_TRUNCATED && !final) break;
        encode_char(cs, r > 0 ? cp : 0xFFFD, out);
        i += r > 0 ? (size_t)r : bad;
    }
    out->data[out->len] = '\0';
    return i;
}

size_t charset_encode(charset_id cs, const char *in, size_t len, int final, buf *out)
{
    if (len == 0) return 0; /* in may be NULL then (an empty buf) */
    if (cs == CHARSET_GBK || cs == CHARSET_GB18030) t936_init();
    if (cs == CHARSET_GBK || cs == CHARSET_GB18030)
        return encode_multibyte(cs, in, len, final, out);
    return recode_utf8(in, len, final, out);
}

size_t charset_fit(charset_id cs, const char *p, size_t n, size_t max)
{
    size_t k = 0;
    if (n <= max) return n;
    if (cs != CHARSET_GBK && cs != CHARSET_GB18030) { /* UTF-8: back up to a lead byte */
        k = max;
        while (k > 0 && ((uint8_t)p[k] & 0xC0) == 0x80) k--;
        return k ? k : max;
    }
    while (k < n) { /* walk the sequences from the start */
        uint8_t c = (uint8_t)p[k], d = k + 1 < n ? (uint8_t)p[k + 1] : 0;
        size_t step = c < 0x80 ? 1 : (d >= 0x30 && d <= 0x39) ? 4 : 2;
        if (k + step > max) break;
        k += step;
    }
    return k ? k : max;
}
