/* charset.h -- UTF-8 inside; GBK (CP936) and GB18030 converted at the edges */
#ifndef UDPCHAT_CHARSET_H
#define UDPCHAT_CHARSET_H
#include <stddef.h>
#include "udpchat/buf.h"

typedef enum charset_id {
    CHARSET_UNKNOWN = 0, /* detection: nothing decisive seen yet (pure ASCII) */
    CHARSET_UTF8,
    CHARSET_GBK,         /* exactly Windows code page 936 (0x80 = U+20AC) */
    CHARSET_GB18030      /* all of GB18030-2005: 1, 2 and 4-byte sequences */
} charset_id;

/* Looks up a charset by name, case-insensitively: utf-8/utf8, gbk/cp936/gb2312/936,
 * gb18030/54936. Returns 0 and sets *out, or -1 for an unknown name. */
int charset_from_name(const char *name, charset_id *out);
/* Canonical lower-case name ("utf-8", "gbk", "gb18030"; "unknown"). Static string. */
const char *charset_name(charset_id cs);
/* "utf-8, gbk, gb18030" -- for error messages. Static string. */
const char *charset_known_list(void);

/* Decodes `len` bytes in charset `cs` and appends UTF-8 to `out`.
 * Invalid input becomes U+FFFD, one per bad sequence; never reads past `len`.
 * If `final` is 0, an incomplete sequence at the very end is left unconsumed so the
 * caller can feed the rest later; if `final` is 1 it becomes U+FFFD.
 * Returns the number of input bytes consumed. CHARSET_UTF8 input is validated the
 * same way (overlongs, surrogates and > U+10FFFF are bad sequences). */
size_t charset_decode(charset_id cs, const char *in, size_t len, int final, buf *out);

/* Encodes UTF-8 `in` to charset `cs`, appending to `out`. A character `cs` cannot
 * represent becomes '?'; invalid UTF-8 input is treated as U+FFFD first (so '?' in
 * GBK). `final` and the return value work as in charset_decode. */
size_t charset_encode(charset_id cs, const char *in, size_t len, int final, buf *out);

/* Guesses the charset of bytes nobody declared: pure ASCII -> CHARSET_UNKNOWN,
 * valid UTF-8 -> CHARSET_UTF8, anything else -> CHARSET_GB18030. */
charset_id charset_detect(const char *in, size_t len);

/* The charset of the local console/locale (nl_langinfo(CODESET) on POSIX, the ANSI
 * code page on Windows); CHARSET_UTF8 when it is none of the known ones. */
charset_id charset_locale(void);

#endif
