/* lan_compat.c -- what IPMsg, FeiQ and iptux expect of a LAN peer: names, newlines, quit reasons */
#include "lan_extras.h"

#include <stdlib.h>
#include <string.h>

#include "udpchat/mem.h"
#include "udpchat/utf8.h"

#define QUIT_KEY "\nUCQUIT:"
#define QUIT_BYTES 200 /* bytes of a reason we send */
#define QUIT_CHARS 128 /* characters of a reason we keep */

static int is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

void lan_user_sanitize(char *user)
{
    size_t n = strlen(user);
    if (n < 17 || user[n - 17] != '-') return;
    for (size_t i = n - 16; i < n; i++)
        if (!is_hex(user[i])) return;
    user[n - 17] = '_';
}

void lan_newlines(char *t)
{
    char *w = t;
    for (const char *r = t; *r; r++) {
        if (*r == '\r') {
            *w++ = '\n';
            if (r[1] == '\n') r++;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

static size_t count_q(const char *s, size_t n)
{
    size_t q = 0;
    for (size_t i = 0; i < n; i++) q += s[i] == '?';
    return q;
}

size_t lan_lossy_count(const char *utf8, const char *encoded, size_t enc_len)
{
    size_t before = count_q(utf8, strlen(utf8)), after = count_q(encoded, enc_len);
    return after > before ? after - before : 0;
}

static int blank(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

char *lan_one_line(const char *s, size_t n, size_t max)
{
    buf fixed = {0}, b = {0};
    utf8_repair(s, n, &fixed);
    size_t chars = 0;
    for (size_t i = 0; i < fixed.len && chars < max; chars++) {
        uint32_t cp;
        size_t bad = 1;
        int k = utf8_decode_one(fixed.data + i, fixed.len - i, &cp, &bad);
        if (k <= 0) k = (int)bad;
        if (blank(cp)) buf_append_byte(&b, ' ');
        else buf_append(&b, fixed.data + i, (size_t)k);
        i += (size_t)k;
    }
    buf_free(&fixed);
    buf_append(&b, "", 0);
    size_t start = 0;
    while (start < b.len && b.data[start] == ' ') start++;
    while (b.len > start && b.data[b.len - 1] == ' ') b.len--;
    char *out = xstrndup(b.data + start, b.len - start);
    buf_free(&b);
    return out;
}

void lan_quit_section(const char *reason, buf *out)
{
    if (!reason) return;
    char *line = lan_one_line(reason, strlen(reason), QUIT_CHARS);
    size_t n = strlen(line);
    if (n > QUIT_BYTES) {
        n = QUIT_BYTES;
        while (n > 0 && ((unsigned char)line[n] & 0xC0) == 0x80) n--;
    }
    if (n) {
        buf_append_str(out, QUIT_KEY);
        buf_append(out, line, n);
    }
    free(line);
}

char *lan_quit_reason(const char *sec, size_t len)
{
    size_t k = strlen(QUIT_KEY);
    for (size_t i = 0; i + k <= len; i++) { /* our key may follow other "\nXX:" lines */
        if (memcmp(sec + i, QUIT_KEY, k) != 0) continue;
        size_t start = i + k, end = start;
        while (end < len && sec[end] != '\n') end++;
        char *r = lan_one_line(sec + start, end - start, QUIT_CHARS);
        if (*r) return r;
        free(r);
        return NULL;
    }
    return NULL;
}
