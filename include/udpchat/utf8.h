/* utf8.h -- UTF-8 validation, decoding, display width and sanitising of network text */
#ifndef UDPCHAT_UTF8_H
#define UDPCHAT_UTF8_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/buf.h"

/* What utf8_decode_one returns when it decodes nothing (the values are stable). */
enum {
    UTF8_INVALID = -1,  /* a bad sequence: skip *bad_len bytes */
    UTF8_TRUNCATED = -2 /* the beginning of a valid sequence cut short by len */
};
/* Decodes one scalar value from s[0..len). Returns the sequence length (1-4) and sets
 * *cp; returns 0 if len is 0; returns UTF8_INVALID for a bad sequence (overlong,
 * surrogate, > U+10FFFF, bad continuation: *cp = 0xFFFD and *bad_len = bytes to skip,
 * >= 1: the "maximal subpart" of Unicode ch. 3, so E2 82 41 skips E2 82 and keeps the
 * 'A'), or UTF8_TRUNCATED if s holds only the beginning of a valid sequence (*cp = 0xFFFD
 * and *bad_len = len, so a caller at end of input can replace the rest with one U+FFFD). */
int utf8_decode_one(const char *s, size_t len, uint32_t *cp, size_t *bad_len);
/* Appends the UTF-8 encoding of scalar value cp (U+FFFD for a non-scalar). */
void utf8_encode_one(uint32_t cp, buf *out);
/* 1 if s[0..len) is entirely valid UTF-8, else 0. */
int utf8_valid(const char *s, size_t len);
/* Appends s to out with every bad sequence replaced by U+FFFD. */
void utf8_repair(const char *s, size_t len, buf *out);
/* Makes network text harmless for a terminal: appends valid UTF-8 (bad sequences become
 * U+FFFD) in which no escape sequence, cursor move or title change survives:
 * tab becomes a space; other C0 controls are shown in caret notation (ESC -> "^[",
 * BEL -> "^G", CR -> "^M"); newline stays "\n" only if keep_newlines is 1, else "^J";
 * DEL, C1 controls (U+0080..U+009F), the bidi controls U+202A..U+202E and
 * U+2066..U+2069, and U+2028/U+2029 are shown as "<U+009B>"-style text. The output
 * has no byte < 0x20 (except '\n' when kept), no 0x7F and no C1 code point. */
void utf8_sanitize(const char *s, size_t len, int keep_newlines, buf *out);
/* Terminal columns of one scalar value: 0 for combining marks, other zero-width
 * characters (ZWSP, ZWJ, ...) and controls, 2 for East Asian wide/fullwidth (CJK,
 * Hangul syllables, fullwidth forms, emoji), 1 otherwise. Unicode 14 tables. */
int utf8_cp_width(uint32_t cp);
/* Total columns of a UTF-8 string (a bad sequence counts as U+FFFD, 1 column). */
size_t utf8_width(const char *s, size_t len);

#endif
