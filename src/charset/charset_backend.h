/* charset_backend.h -- the table lookups a platform backend (iconv, win32) gives charset.c */
#ifndef UDPCHAT_CHARSET_BACKEND_H
#define UDPCHAT_CHARSET_BACKEND_H
#include <stddef.h>
#include "udpchat/charset.h"

/* charset.c decides everything about structure, errors, ASCII, 0x80, the user-defined
 * areas, the GB18030 2005 fix-ups and the supplementary planes; a backend only maps
 * what is left through the platform's table, so both backends behave identically.
 * Both functions may be called from any thread at the same time. */

/* Decodes `in[0..len)`, a concatenation of complete, structurally valid GBK 2-byte or
 * GB18030 2-/4-byte (BMP) sequences, appending UTF-8 to out. Stops at the first
 * sequence the table does not map and returns the bytes converted (len if all). */
size_t charset_backend_decode(charset_id cs, const char *in, size_t len, buf *out);

/* Encodes `in[0..len)`, valid UTF-8 of non-ASCII BMP scalars, to cs. Stops at the first
 * character the table cannot represent and returns the bytes converted (len if all). */
size_t charset_backend_encode(charset_id cs, const char *in, size_t len, buf *out);

/* For backends that fall back to one sequence at a time: the length of the structural
 * sequence at in[0..len) of a buffer that charset_backend_decode was given. */
size_t charset_seq_len(charset_id cs, const char *in, size_t len);

#endif
