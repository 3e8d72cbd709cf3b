/* nick.h -- what a nickname may be, when two nicks look the same, and the login-name default */
#ifndef UDPCHAT_NICK_H
#define UDPCHAT_NICK_H
#include <stddef.h>
#include "udpchat/buf.h"

/* 1 if nick is valid UTF-8 of 1..WIRE_MAX_NICK scalar values, does not start with '/' and
 * holds no control, space, separator, invisible (default-ignorable), bidi control,
 * noncharacter or private-use code point; else 0 and *why (static string) says what is
 * wrong. */
int nick_valid(const char *nick, const char **why);
/* Appends to out the comparison key of nick: invisible characters dropped, fullwidth and
 * halfwidth forms narrowed, case folded, Latin/Greek/Cyrillic look-alikes mapped to one
 * Latin prototype. Always valid UTF-8 (bad input bytes become U+FFFD), at most 3 bytes
 * per input byte, and key(key(s)) == key(s). out keeps ownership of its memory. */
void nick_skeleton(const char *nick, buf *out);
/* 1 if a and b have the same key (nick_skeleton): they look alike, for uniqueness. */
int nick_equal(const char *a, const char *b);
/* Appends to out a valid nick made from arbitrary text (a plain-text client's first line,
 * an IPMsg peer's name): invisible characters dropped; controls, spaces, separators,
 * noncharacters, private-use code points and bad UTF-8 become '_'; leading '/' dropped;
 * at most WIRE_MAX_NICK - 8 characters (room for a "-N" suffix); "guest" if nothing is
 * left. Returns the number of characters (scalar values) appended. */
size_t nick_sanitize(const char *in, buf *out);
/* Writes a default nick (the login name, made valid, or "user") into out. */
void nick_default(char *out, size_t n);

#endif
