/* linebreak.h -- where a line of text may wrap: CJK, spaces, closing punctuation (no I/O) */
#ifndef UDPCHAT_LINEBREAK_H
#define UDPCHAT_LINEBREAK_H
#include <stddef.h>
#include <stdint.h>

/* The rules: a line may end between two CJK characters (or a CJK character and any other),
 * at a space (the spaces are dropped at the break), never inside a UTF-8 sequence, and no
 * line starts with closing punctuation (，。！？；：、）》」 and their ASCII kin) nor ends
 * with opening punctuation (（《「“). A word longer than the line is cut between characters. */

/* 1 if cp is a CJK ideograph, kana, hangul, CJK or fullwidth punctuation. */
int linebreak_is_cjk(uint32_t cp);
/* 1 if no line may start with cp (closing punctuation). */
int linebreak_is_closing(uint32_t cp);

/* s[0..len) is the rest of one paragraph (valid UTF-8 or not, no '\n'); fit is how many of
 * its bytes fit on the line (the caller measured them). Returns the bytes the line takes
 * (at least one character, even when fit is 0), and sets *next to where the next line
 * starts (after the spaces of a break at a space; len when the rest fits). */
size_t linebreak_find(const char *s, size_t len, size_t fit, size_t *next);

#endif
