/* nick.c -- nickname rules shared by every mode */
#include "udpchat/nick.h"

#include <stdlib.h>
#include <string.h>

#include "udpchat/utf8.h"
#include "udpchat/wire.h"

int nick_valid(const char *nick, const char **why)
{
    size_t len = strlen(nick), chars = 0;
    *why = NULL;
    if (len == 0) *why = "a nick cannot be empty";
    else if (!utf8_valid(nick, len)) *why = "a nick must be valid text";
    else if (nick[0] == '/') *why = "a nick cannot start with '/'";
    for (size_t i = 0; !*why && i < len;) {
        uint32_t cp;
        size_t bad;
        int n = utf8_decode_one(nick + i, len - i, &cp, &bad);
        if (n <= 0) return 0;
        if (cp < 0x21 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x3000)
            *why = "a nick cannot contain spaces or control characters";
        i += (size_t)n;
        chars++;
    }
    if (!*why && chars > WIRE_MAX_NICK) *why = "a nick has 32 characters at most";
    return *why == NULL;
}

int nick_equal(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
        if (x != y) return 0;
    }
    return *a == *b;
}

void nick_default(char *out, size_t n)
{
    const char *env = getenv("USER");
    const char *why;
    if (!env || !*env) env = getenv("USERNAME");
    if (!env || !*env || strlen(env) >= n || !nick_valid(env, &why)) env = "user";
    strncpy(out, env, n - 1);
    out[n - 1] = '\0';
}
