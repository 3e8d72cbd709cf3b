/* nick.h -- what a nickname may be, and the login-name default */
#ifndef UDPCHAT_NICK_H
#define UDPCHAT_NICK_H
#include <stddef.h>

/* 1 if nick is valid UTF-8 of 1..WIRE_MAX_NICK characters with no control characters,
 * spaces or '/'-prefix; else 0 and *why (static string) says what is wrong. */
int nick_valid(const char *nick, const char **why);
/* Case-insensitive (ASCII letters) equality, for uniqueness. */
int nick_equal(const char *a, const char *b);
/* Writes a default nick (the login name, made valid, or "user") into out. */
void nick_default(char *out, size_t n);

#endif
