/* utf8.h -- UTF-8 validation, decoding, display width and sanitising of network text */
#ifndef UDPCHAT_UTF8_H
#define UDPCHAT_UTF8_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/buf.h"

/* Decodes one scalar value from s[0..len). Returns the sequence length (1-4) and sets
 * *cp; returns 0 if len is 0; returns -1 for a bad sequence (overlong, surrogate,
 * > U+10FFFF, bad continuation: *cp = 0xFFFD and *bad_len = bytes to skip, >= 1), or
 * -2 if s holds only the beginning of a valid sequence (truncated). */
int utf8_decode_one(const char *s, size_t len, uint32_t *cp, size_t *bad_len);
/* Appends the UTF-8 encoding of scalar value cp (U+FFFD for a non-scalar). */
void utf8_encode_one(uint32_t cp, buf *out);
/* 1 if s[0..len) is entirely valid UTF-8, else 0. */
int utf8_valid(const char *s, size_t len);
/* Appends s to out with every bad sequence replaced by U+FFFD. */
void utf8_repair(const char *s, size_t len, buf *out);
/* Makes network text harmless for a terminal: appends valid UTF-8 in which C0 controls
 * (except none; tab becomes a space), DEL and C1 controls are shown as visible text
 * (ESC -> "^[", other C0 -> "^X" caret notation, C1 and DEL -> "<U+0085>" style), so no
 * escape sequence, cursor move or title change survives. Newlines become "\n"
 * display breaks only if keep_newlines is 1, otherwise "^J". */
void utf8_sanitize(const char *s, size_t len, int keep_newlines, buf *out);
/* Terminal columns of one scalar value: 0 for combining marks, 2 for East Asian
 * wide/fullwidth, 1 otherwise. */
int utf8_cp_width(uint32_t cp);
/* Total columns of a valid UTF-8 string. */
size_t utf8_width(const char *s, size_t len);

#endif
