/* charset_backend.h -- the one table a platform backend (iconv, win32) gives charset.c */
#ifndef UDPCHAT_CHARSET_BACKEND_H
#define UDPCHAT_CHARSET_BACKEND_H
#include <stddef.h>
#include "udpchat/buf.h"

/* A backend only looks characters up in the platform's Windows code page 936 table
 * (glibc "CP936", Windows 936). charset.c decides everything else itself: structure
 * and errors, ASCII, 0x80, the user-defined areas, GB18030's additions to 936 and its
 * 4-byte codes (gb18030.c), so GBK and GB18030 come out the same on every platform.
 * Both functions may be called from several threads at the same time. */

/* Decodes in[0..len), a run of well-formed 2-byte codes (lead 81-FE, trail 40-7E or
 * 80-FE), appending UTF-8 to out. Stops at the first code the table does not map and
 * returns the bytes converted (len if all). */
size_t charset_backend_decode(const char *in, size_t len, buf *out);

/* Encodes in[0..len), valid UTF-8 of BMP characters >= U+0080, to code page 936. Stops at
 * the first character the table cannot represent exactly and returns the bytes
 * converted (len if all). */
size_t charset_backend_encode(const char *in, size_t len, buf *out);

#endif
