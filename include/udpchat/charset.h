/* charset.h -- UTF-8 inside; GBK (CP936) and GB18030 converted at the edges */
#ifndef UDPCHAT_CHARSET_H
#define UDPCHAT_CHARSET_H
#include <stddef.h>
#include <stdio.h>
#include "udpchat/buf.h"

typedef enum charset_id {
    CHARSET_UNKNOWN = 0, /* detection: nothing decisive seen yet (pure ASCII) */
    CHARSET_UTF8,
    CHARSET_GBK,         /* Windows code page 936: 0x80 = U+20AC, user-defined areas =
                            U+E000..U+E765 (docs/CHARSET.md) */
    CHARSET_GB18030      /* all of GB18030-2005: 1, 2 and 4-byte sequences */
} charset_id;

/* Looks up a charset by name, case-insensitively: utf-8/utf8, gbk/cp936/gb2312/936,
 * gb18030/54936. Returns 0 and sets *out, or -1 for an unknown name. */
int charset_from_name(const char *name, charset_id *out);
/* Canonical lower-case name ("utf-8", "gbk", "gb18030"; "unknown"). Static string. */
const char *charset_name(charset_id cs);
/* "utf-8, gbk, gb18030" -- for error messages. Static string. */
const char *charset_known_list(void);

/* Decodes `len` bytes in charset `cs` and appends UTF-8 to `out` (CHARSET_UNKNOWN is
 * read as UTF-8). Invalid input becomes U+FFFD, one per bad sequence; never reads past
 * `len`. If `final` is 0, an incomplete sequence at the very end is left unconsumed so
 * the caller can feed the rest later (at most 3 bytes); if `final` is 1 it is bad too.
 * Returns the number of input bytes consumed. The same input gives the same output on
 * every platform (docs/CHARSET.md); safe to call from several threads at once.
 *
 * What one U+FFFD stands for:
 *  - UTF-8: the "maximal subpart" (Unicode ch. 3): overlongs, surrogates, > U+10FFFF and
 *    stray bytes give one U+FFFD per byte, a cut-off sequence (E2 82 'A') one in all.
 *  - GBK/GB18030: 00-7F is ASCII; 0x80 is U+20AC (in both); 0xFF is bad (1 byte);
 *    81-FE followed by 40-7E/80-FE is a 2-byte sequence, and in GB18030 81-FE 30-39
 *    81-FE 30-39 a 4-byte one. A well-formed sequence that maps to nothing (GBK A2AB,
 *    GB18030 84 31 A5 30 or beyond U+10FFFF) is one U+FFFD for all its bytes. A broken
 *    one costs only its lead byte: the bytes after it are read again, so in C4 21 the
 *    '!' survives and in 81 30 41 the "0A" does (but C4 41 is a character: 0x41 is a
 *    trail byte). With final=1 a cut-off sequence is broken the same way. */
size_t charset_decode(charset_id cs, const char *in, size_t len, int final, buf *out);

/* Encodes UTF-8 `in` to charset `cs`, appending to `out`. A character `cs` cannot
 * represent becomes '?' (GB18030 represents every scalar value); invalid UTF-8 input is
 * treated as U+FFFD first (one per maximal subpart, so '?' in GBK and 84 31 A4 37 in
 * GB18030). `final` and the return value work as in charset_decode. */
size_t charset_encode(charset_id cs, const char *in, size_t len, int final, buf *out);

/* Guesses the charset of bytes nobody declared: pure ASCII -> CHARSET_UNKNOWN,
 * valid UTF-8 -> CHARSET_UTF8, anything else -> CHARSET_GB18030 (a superset of GBK;
 * a UTF-8 sequence cut off at the end counts as invalid). */
charset_id charset_detect(const char *in, size_t len);

/* How many bytes of the encoded text p[0..n) fit in max bytes without cutting a
 * character: n if it all fits, else the longest prefix that ends on a character boundary
 * (UTF-8: before a lead byte; GBK/GB18030: after a whole 1-, 2- or 4-byte sequence).
 * Never 0 for n > 0 and max >= 4. */
size_t charset_fit(charset_id cs, const char *p, size_t n, size_t max);

/* The charset of the local console/locale (nl_langinfo(CODESET) on POSIX, or the
 * codeset in LC_ALL/LC_CTYPE/LANG while the program is still in the "C" locale; the
 * ANSI code page on Windows); CHARSET_UTF8 when it is none of the known ones. */
charset_id charset_locale(void);

/* Makes the program's arguments UTF-8, like every string inside udpchat; call it first in
 * main(). On Windows main()'s argv is in the ANSI code page (GBK bytes on a Chinese Windows,
 * '?' for what it lacks), so *argv is replaced by the UTF-8 form of the UTF-16 command line,
 * split the same way (allocated once, kept until exit). POSIX: argv is left as it is. */
void charset_utf8_args(int argc, char ***argv);

/* Makes stdin and stdout carry bytes as they are (Windows: no CRLF translation, no ^Z
 * end of file); nothing to do on POSIX. For `convert`, which streams raw bytes. */
void charset_binary_stdio(void);

/* fopen() for a UTF-8 path such as one from the command line (Windows: _wfopen). */
FILE *charset_fopen(const char *utf8_path, const char *mode);

#endif
