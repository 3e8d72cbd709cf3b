/* linebreak.c -- the wrap points of a line: between CJK characters, at spaces, kinsoku */
#include "udpchat/linebreak.h"

#include "udpchat/utf8.h"

int linebreak_is_cjk(uint32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303F) || /* hangul jamo, radicals, CJK punct */
           (cp >= 0x3040 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) || /* kana .. CJK compat, ext A */
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) || /* unified, hangul */
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || /* compat, vertical forms */
           (cp >= 0xFF00 && cp <= 0xFFEF) || (cp >= 0x20000 && cp <= 0x3FFFF); /* fullwidth, ext B.. */
}

int linebreak_is_closing(uint32_t cp)
{
    static const uint32_t closing[] = {
        0xFF0C, 0x3002, 0xFF01, 0xFF1F, 0xFF1B, 0xFF1A, 0x3001, 0xFF09, 0x300B, 0x300D, 0x300F,
        0x3011, 0x3015, 0x3009, 0x201D, 0x2019, 0xFF3D, 0xFF5D, 0xFF0E, 0x2026, 0x30FC, 0xFF60,
        ',', '.', '!', '?', ';', ':', ')', ']', '}', 0};
    for (const uint32_t *c = closing; *c; c++)
        if (*c == cp) return 1;
    return 0;
}

static int is_opening(uint32_t cp)
{
    return cp == 0xFF08 || cp == 0x300A || cp == 0x300C || cp == 0x300E || cp == 0x3010 || cp == 0x3014 ||
           cp == 0x3008 || cp == 0x201C || cp == 0x2018 || cp == '(' || cp == '[' || cp == '{';
}

/* The code point at s[i] and its length (a bad byte is one "character" U+FFFD). */
static size_t char_at(const char *s, size_t len, size_t i, uint32_t *cp)
{
    size_t bad = 0;
    int n = utf8_decode_one(s + i, len - i, cp, &bad);
    if (n > 0) return (size_t)n;
    *cp = 0xFFFD;
    return bad ? bad : 1;
}

/* 1 if a line may end between a (before) and b (after), b not a space. */
static int may_break(uint32_t a, uint32_t b)
{
    if (linebreak_is_closing(b) || is_opening(a)) return 0;
    return linebreak_is_cjk(a) || linebreak_is_cjk(b);
}

/* A cut between characters: as many as fit (one at least), and not before closing punctuation. */
static size_t forced_cut(const char *s, size_t len, size_t fit)
{
    size_t i = 0, last = 0;
    uint32_t cp;
    while (i < len) {
        size_t n = char_at(s, len, i, &cp);
        if (i > 0 && i + n > fit) break;
        last = i;
        i += n;
    }
    if (i < len) { /* the next line would start with s[i]: not with closing punctuation */
        char_at(s, len, i, &cp);
        if (linebreak_is_closing(cp) && last > 0) i = last;
    }
    return i;
}

size_t linebreak_find(const char *s, size_t len, size_t fit, size_t *next)
{
    if (fit >= len) return *next = len, len;
    size_t best = 0, best_next = 0, i = 0;
    uint32_t prev = 0, cp;
    while (i <= fit && i < len) {
        size_t n = char_at(s, len, i, &cp);
        if (cp == ' ' && i > 0 && prev != ' ') {
            size_t j = i;
            uint32_t after = 0;
            while (j < len && s[j] == ' ') j++;
            if (j < len) char_at(s, len, j, &after);
            if (!linebreak_is_closing(after)) best = i, best_next = j;
        } else if (i > 0 && prev != ' ' && may_break(prev, cp)) {
            best = i, best_next = i;
        }
        prev = cp;
        i += n;
    }
    if (best == 0) best = best_next = forced_cut(s, len, fit);
    *next = best_next;
    return best;
}
