/* utf16.h -- UTF-8 <-> UTF-16 for the wide strings of the Windows API (Windows only) */
#ifndef UDPCHAT_UTF16_H
#define UDPCHAT_UTF16_H
#ifdef _WIN32
#include <stddef.h>
#include <wchar.h>

#include "udpchat/buf.h"

/* UTF-8 s, up to its NUL, as a NUL-terminated UTF-16 string; NULL if s is not valid UTF-8
 * (nothing is replaced: a path that is not UTF-8 names no file). The result is the
 * caller's: free it with free(). */
wchar_t *utf16_from_utf8(const char *s);

/* Appends UTF-16 w[0..n) to out as UTF-8, NUL-terminated there (a NUL inside w is kept;
 * pass wcslen(w) for a whole string). An unpaired surrogate becomes U+FFFD, as Windows
 * converts it. Returns 0, or -1 with nothing appended if Windows does not convert it.
 * out stays the caller's, as ever (buf_free, or buf_detach for a string to free()). */
int utf8_from_utf16(buf *out, const wchar_t *w, size_t n);

#endif /* _WIN32 */
#endif
