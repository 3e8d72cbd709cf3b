/* nick.c -- nickname rules shared by every mode: what is refused, and the look-alike key */
#include "udpchat/nick.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "udpchat/utf8.h"
#include "udpchat/wire.h"

/*
 * Invariants. nick_valid refuses: the empty string, bad UTF-8, more than WIRE_MAX_NICK
 * scalar values, a leading '/', and any code point that is a C0/C1 control or DEL, a
 * space (Zs) or U+2028/U+2029, default-ignorable (Unicode DerivedCoreProperties; this
 * includes every bidi control), a noncharacter, or private use (U+E000-F8FF, planes
 * 15-16). Unassigned code points are allowed. nick_skeleton maps a nick to a key made of
 * per-code-point replacements only (no context, no normalisation): default-ignorables
 * are dropped, fullwidth/halfwidth forms narrowed, Latin-1/Latin Extended-A/Greek/
 * Cyrillic case folded, and Latin/Greek/Cyrillic look-alikes replaced by one Latin
 * prototype (Unicode TR39 confusables.txt where it has one). Every replacement is a
 * fixed point, so key(key(s)) == key(s); the key is valid UTF-8 and at most 3 bytes per
 * input byte; other scripts (CJK, ...) pass through unchanged.
 */

enum cp_kind { K_OK, K_IGNORABLE, K_BIDI, K_CONTROL, K_SPACE, K_LINE, K_NONCHAR, K_PRIVATE };

typedef struct kind_range {
    uint32_t lo, hi;
    uint8_t kind;
} kind_range;

/* Code points a nick may not hold, sorted; K_IGNORABLE and K_BIDI together are exactly
 * Default_Ignorable_Code_Point (Unicode 15). Noncharacters U+xxFFFE/F are computed. */
static const kind_range kinds[] = {
    {0x0000, 0x001F, K_CONTROL},     {0x0020, 0x0020, K_SPACE},
    {0x007F, 0x009F, K_CONTROL},     {0x00A0, 0x00A0, K_SPACE},
    {0x00AD, 0x00AD, K_IGNORABLE},   {0x034F, 0x034F, K_IGNORABLE},
    {0x061C, 0x061C, K_BIDI},        {0x115F, 0x1160, K_IGNORABLE},
    {0x1680, 0x1680, K_SPACE},       {0x17B4, 0x17B5, K_IGNORABLE},
    {0x180B, 0x180F, K_IGNORABLE},   {0x2000, 0x200A, K_SPACE},
    {0x200B, 0x200D, K_IGNORABLE},   {0x200E, 0x200F, K_BIDI},
    {0x2028, 0x2029, K_LINE},        {0x202A, 0x202E, K_BIDI},
    {0x202F, 0x202F, K_SPACE},       {0x205F, 0x205F, K_SPACE},
    {0x2060, 0x2065, K_IGNORABLE},   {0x2066, 0x2069, K_BIDI},
    {0x206A, 0x206F, K_IGNORABLE},   {0x3000, 0x3000, K_SPACE},
    {0x3164, 0x3164, K_IGNORABLE},   {0xE000, 0xF8FF, K_PRIVATE},
    {0xFDD0, 0xFDEF, K_NONCHAR},     {0xFE00, 0xFE0F, K_IGNORABLE},
    {0xFEFF, 0xFEFF, K_IGNORABLE},   {0xFFA0, 0xFFA0, K_IGNORABLE},
    {0xFFF0, 0xFFF8, K_IGNORABLE},   {0x1BCA0, 0x1BCA3, K_IGNORABLE},
    {0x1D173, 0x1D17A, K_IGNORABLE}, {0xE0000, 0xE0FFF, K_IGNORABLE},
    {0xF0000, 0x10FFFF, K_PRIVATE},
};

static const char *const kind_why[] = {
    [K_IGNORABLE] = "a nick cannot contain invisible characters",
    [K_BIDI] = "a nick cannot contain text-direction controls",
    [K_CONTROL] = "a nick cannot contain control characters",
    [K_SPACE] = "a nick cannot contain spaces",
    [K_LINE] = "a nick cannot contain line or paragraph separators",
    [K_NONCHAR] = "a nick cannot contain noncharacters",
    [K_PRIVATE] = "a nick cannot contain private-use characters",
};

static int cp_kind(uint32_t cp)
{
    size_t lo = 0, hi = sizeof kinds / sizeof kinds[0];
    if ((cp & 0xFFFE) == 0xFFFE) return K_NONCHAR;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < kinds[mid].lo) hi = mid;
        else if (cp > kinds[mid].hi) lo = mid + 1;
        else return kinds[mid].kind;
    }
    return K_OK;
}

static int kind_dropped(int kind) { return kind == K_IGNORABLE || kind == K_BIDI; }

/* lo + k*stride maps to to + k*step, for lo..hi; other code points in lo..hi are kept. */
typedef struct map_range {
    uint32_t lo, hi;
    uint8_t stride;
    uint32_t to;
    uint8_t step;
} map_range;

/* Fullwidth and halfwidth forms to their ordinary forms (the <wide>/<narrow>
 * decompositions of UnicodeData.txt). Halfwidth kana voicing marks are not composed. */
static const map_range widths[] = {
    {0xFF01, 0xFF5E, 1, 0x0021, 1}, {0xFF5F, 0xFF60, 1, 0x2985, 1},
    {0xFF61, 0xFF61, 1, 0x3002, 1}, {0xFF62, 0xFF63, 1, 0x300C, 1},
    {0xFF64, 0xFF64, 1, 0x3001, 1}, {0xFF65, 0xFF65, 1, 0x30FB, 1},
    {0xFF66, 0xFF66, 1, 0x30F2, 1}, {0xFF67, 0xFF6B, 1, 0x30A1, 2},
    {0xFF6C, 0xFF6E, 1, 0x30E3, 2}, {0xFF6F, 0xFF6F, 1, 0x30C3, 1},
    {0xFF70, 0xFF70, 1, 0x30FC, 1}, {0xFF71, 0xFF75, 1, 0x30A2, 2},
    {0xFF76, 0xFF81, 1, 0x30AB, 2}, {0xFF82, 0xFF84, 1, 0x30C4, 2},
    {0xFF85, 0xFF8A, 1, 0x30CA, 1}, {0xFF8B, 0xFF8E, 1, 0x30D2, 3},
    {0xFF8F, 0xFF93, 1, 0x30DE, 1}, {0xFF94, 0xFF96, 1, 0x30E4, 2},
    {0xFF97, 0xFF9B, 1, 0x30E9, 1}, {0xFF9C, 0xFF9C, 1, 0x30EF, 1},
    {0xFF9D, 0xFF9D, 1, 0x30F3, 1}, {0xFF9E, 0xFF9F, 1, 0x3099, 1},
    {0xFFA1, 0xFFBE, 1, 0x3131, 1}, {0xFFC2, 0xFFC7, 1, 0x314F, 1},
    {0xFFCA, 0xFFCF, 1, 0x3155, 1}, {0xFFD2, 0xFFD7, 1, 0x315B, 1},
    {0xFFDA, 0xFFDC, 1, 0x3161, 1}, {0xFFE0, 0xFFE1, 1, 0x00A2, 1},
    {0xFFE2, 0xFFE2, 1, 0x00AC, 1}, {0xFFE3, 0xFFE3, 1, 0x00AF, 1},
    {0xFFE4, 0xFFE4, 1, 0x00A6, 1}, {0xFFE5, 0xFFE5, 1, 0x00A5, 1},
    {0xFFE6, 0xFFE6, 1, 0x20A9, 1}, {0xFFE8, 0xFFE8, 1, 0x2502, 1},
    {0xFFE9, 0xFFEC, 1, 0x2190, 1}, {0xFFED, 0xFFED, 1, 0x25A0, 1},
    {0xFFEE, 0xFFEE, 1, 0x25CB, 1},
};

/* Simple case folding (CaseFolding.txt, status C and S) for ASCII, Latin-1, Latin
 * Extended-A, Greek and Cyrillic (U+0000-052F except Latin Extended-B, U+0130 dotted I,
 * U+0345 and U+00DF, whose folds are not one letter or not simple). */
static const map_range folds[] = {
    {0x0041, 0x005A, 1, 0x0061, 1}, {0x00B5, 0x00B5, 1, 0x03BC, 1},
    {0x00C0, 0x00D6, 1, 0x00E0, 1}, {0x00D8, 0x00DE, 1, 0x00F8, 1},
    {0x0100, 0x012E, 2, 0x0101, 2}, {0x0132, 0x0136, 2, 0x0133, 2},
    {0x0139, 0x0147, 2, 0x013A, 2}, {0x014A, 0x0176, 2, 0x014B, 2},
    {0x0178, 0x0178, 1, 0x00FF, 1}, {0x0179, 0x017D, 2, 0x017A, 2},
    {0x017F, 0x017F, 1, 0x0073, 1}, {0x0370, 0x0372, 2, 0x0371, 2},
    {0x0376, 0x0376, 1, 0x0377, 1}, {0x037F, 0x037F, 1, 0x03F3, 1},
    {0x0386, 0x0386, 1, 0x03AC, 1}, {0x0388, 0x038A, 1, 0x03AD, 1},
    {0x038C, 0x038C, 1, 0x03CC, 1}, {0x038E, 0x038F, 1, 0x03CD, 1},
    {0x0391, 0x03A1, 1, 0x03B1, 1}, {0x03A3, 0x03AB, 1, 0x03C3, 1},
    {0x03C2, 0x03C2, 1, 0x03C3, 1}, {0x03CF, 0x03CF, 1, 0x03D7, 1},
    {0x03D0, 0x03D0, 1, 0x03B2, 1}, {0x03D1, 0x03D1, 1, 0x03B8, 1},
    {0x03D5, 0x03D5, 1, 0x03C6, 1}, {0x03D6, 0x03D6, 1, 0x03C0, 1},
    {0x03D8, 0x03EE, 2, 0x03D9, 2}, {0x03F0, 0x03F0, 1, 0x03BA, 1},
    {0x03F1, 0x03F1, 1, 0x03C1, 1}, {0x03F4, 0x03F4, 1, 0x03B8, 1},
    {0x03F5, 0x03F5, 1, 0x03B5, 1}, {0x03F7, 0x03F7, 1, 0x03F8, 1},
    {0x03F9, 0x03F9, 1, 0x03F2, 1}, {0x03FA, 0x03FA, 1, 0x03FB, 1},
    {0x03FD, 0x03FF, 1, 0x037B, 1},
    {0x0400, 0x040F, 1, 0x0450, 1}, {0x0410, 0x042F, 1, 0x0430, 1},
    {0x0460, 0x0480, 2, 0x0461, 2}, {0x048A, 0x04BE, 2, 0x048B, 2},
    {0x04C0, 0x04C0, 1, 0x04CF, 1}, {0x04C1, 0x04CD, 2, 0x04C2, 2},
    {0x04D0, 0x052E, 2, 0x04D1, 2},
};

static uint32_t map_cp(const map_range *t, size_t n, uint32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < t[mid].lo) hi = mid;
        else if (cp > t[mid].hi) lo = mid + 1;
        else if ((cp - t[mid].lo) % t[mid].stride) return cp;
        else return t[mid].to + (cp - t[mid].lo) / t[mid].stride * t[mid].step;
    }
    return cp;
}

typedef struct look_alike {
    uint32_t cp;
    char proto[4];
} look_alike;

/* Look-alikes, after case folding, to a Latin prototype; sorted. TR39 confusables.txt
 * prototypes, lower-cased, where they are Latin (0->O, 1/I/|->l, m->rn, `->', Cyrillic
 * а е о р с у х і ј ѕ ԁ һ ӏ ԛ ԝ, Greek α ο ν ι ρ). Because the key ignores case, I (TR39:
 * l) and i must agree, so i and its look-alikes (ı, ι, і) map to l too. Where TR39 has no
 * Latin prototype, a capital that looks Latin decides for its small form (Cyrillic в к м
 * н т, Greek β ε ζ η κ μ τ χ: В->b, ...), except υ->u. w->vv is ours (TR39 has none).
 * Prototypes use only fixed points of the key: no i, m or w. */
static const look_alike look_alikes[] = {
    {0x0022, "''"}, {0x0030, "o"},  {0x0031, "l"},  {0x0060, "'"},  {0x0069, "l"},
    {0x006D, "rn"}, {0x0077, "vv"}, {0x007C, "l"},  {0x00B4, "'"},  {0x00B8, ","},
    {0x00D7, "x"},  {0x00E6, "ae"}, {0x0131, "l"},  {0x0133, "lj"}, {0x01C0, "l"},
    {0x03B1, "a"},  {0x03B2, "b"},  {0x03B5, "e"},  {0x03B6, "z"},  {0x03B7, "h"},
    {0x03B9, "l"},  {0x03BA, "k"},  {0x03BC, "rn"}, {0x03BD, "v"},  {0x03BF, "o"},
    {0x03C1, "p"},  {0x03C4, "t"},  {0x03C5, "u"},  {0x03C7, "x"},  {0x03F2, "c"},
    {0x03F3, "j"},  {0x0430, "a"},  {0x0432, "b"},  {0x0435, "e"},  {0x043A, "k"},
    {0x043C, "rn"}, {0x043D, "h"},  {0x043E, "o"},  {0x0440, "p"},  {0x0441, "c"},
    {0x0442, "t"},  {0x0443, "y"},  {0x0445, "x"},  {0x0455, "s"},  {0x0456, "l"},
    {0x0458, "j"},  {0x0475, "v"},  {0x04AF, "y"},  {0x04BB, "h"},  {0x04CF, "l"},
    {0x0501, "d"},  {0x051B, "q"},  {0x051D, "vv"},
};

static const char *look_alike_of(uint32_t cp)
{
    size_t lo = 0, hi = sizeof look_alikes / sizeof look_alikes[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < look_alikes[mid].cp) hi = mid;
        else if (cp > look_alikes[mid].cp) lo = mid + 1;
        else return look_alikes[mid].proto;
    }
    return NULL;
}

int nick_valid(const char *nick, const char **why)
{
    size_t len = strlen(nick), chars = 0;
    *why = NULL;
    if (len == 0) *why = "a nick cannot be empty";
    else if (!utf8_valid(nick, len)) *why = "a nick must be valid text";
    else if (nick[0] == '/') *why = "a nick cannot start with '/'";
    for (size_t i = 0; !*why && i < len;) {
        uint32_t cp;
        size_t bad;
        int n = utf8_decode_one(nick + i, len - i, &cp, &bad);
        if (n <= 0) return 0;
        int kind = cp_kind(cp);
        if (kind != K_OK) *why = kind_why[kind];
        i += (size_t)n;
        chars++;
    }
    if (!*why && chars > WIRE_MAX_NICK) *why = "a nick has 32 characters at most";
    return *why == NULL;
}

static void skeleton_cp(uint32_t cp, buf *out)
{
    if (kind_dropped(cp_kind(cp))) return;
    cp = map_cp(widths, sizeof widths / sizeof widths[0], cp);
    cp = map_cp(folds, sizeof folds / sizeof folds[0], cp);
    const char *proto = look_alike_of(cp);
    if (proto) buf_append_str(out, proto);
    else utf8_encode_one(cp, out);
}

void nick_skeleton(const char *nick, buf *out)
{
    size_t len = strlen(nick);
    buf_append(out, "", 0); /* out->data is a string even when nick is "" */
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t bad = 1;
        int n = utf8_decode_one(nick + i, len - i, &cp, &bad);
        skeleton_cp(n > 0 ? cp : 0xFFFD, out);
        i += n > 0 ? (size_t)n : bad;
    }
}

int nick_equal(const char *a, const char *b)
{
    buf ka = {0}, kb = {0};
    nick_skeleton(a, &ka);
    nick_skeleton(b, &kb);
    int same = ka.len == kb.len && memcmp(ka.data, kb.data, ka.len) == 0;
    buf_free(&ka);
    buf_free(&kb);
    return same;
}

size_t nick_sanitize(const char *in, buf *out)
{
    size_t len = strlen(in), chars = 0;
    for (size_t i = 0; i < len && chars < WIRE_MAX_NICK - 8;) {
        uint32_t cp;
        size_t bad = 1;
        int n = utf8_decode_one(in + i, len - i, &cp, &bad);
        i += n > 0 ? (size_t)n : bad;
        int kind = n > 0 ? cp_kind(cp) : K_CONTROL;
        if (kind_dropped(kind) || (chars == 0 && cp == '/')) continue;
        utf8_encode_one(kind == K_OK ? cp : '_', out);
        chars++;
    }
    if (chars == 0) buf_append_str(out, "guest");
    return chars ? chars : 5;
}

void nick_default(char *out, size_t n)
{
    const char *env = getenv("USER");
    const char *why;
    if (!env || !*env) env = getenv("USERNAME");
    if (!env || !*env || strlen(env) >= n || !nick_valid(env, &why)) env = "user";
    strncpy(out, env, n - 1);
    out[n - 1] = '\0';
}
