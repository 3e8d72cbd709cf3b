/* card.c -- the calling card: a HELLO wrapped in one line of printable ASCII (base64) */
#include <string.h>

#include "udpchat/wire.h"

/* A plain-text program (the seed tutorials) prints whatever arrives and dies on a byte
 * its charset cannot decode. Before an address has shown it speaks udpchat, a HELLO is
 * therefore sent as a line of 7-bit ASCII, readable as UTF-8 and as GBK alike, that tells
 * a person what is calling and carries the binary HELLO in base64 (RFC 4648, standard
 * alphabet, no padding) between WIRE_CARD_TAG and ']'. */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(uint8_t c)
{
    const char *p = c ? memchr(b64, c, 64) : NULL;
    return p ? (int)(p - b64) : -1;
}

/* The first occurrence of the tag in t[0..len) (memmem is not on every platform). */
static const char *find_tag(const char *t, size_t len)
{
    size_t n = sizeof WIRE_CARD_TAG - 1;
    for (size_t i = 0; i + n <= len; i++)
        if (t[i] == '[' && memcmp(t + i, WIRE_CARD_TAG, n) == 0) return t + i;
    return NULL;
}

void wire_card_write(buf *out, const void *datagram, size_t len)
{
    const uint8_t *p = datagram;
    buf_append_str(out, WIRE_CARD_TEXT WIRE_CARD_TAG);
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < len ? p[i + 2] : 0);
        size_t chars = len - i >= 3 ? 4 : len - i + 1;
        for (size_t k = 0; k < chars; k++) buf_append_byte(out, b64[(v >> (18 - 6 * k)) & 63]);
    }
    buf_append_str(out, "]\n");
}

size_t wire_card_read(const void *text, size_t len, uint8_t *out, size_t cap)
{
    const char *t = text, *tag = find_tag(t, len);
    if (!tag) return 0;
    const char *p = tag + sizeof WIRE_CARD_TAG - 1, *end = memchr(p, ']', len - (size_t)(p - t));
    if (!end) return 0;
    uint32_t acc = 0;
    size_t n = 0, bits = 0;
    for (; p < end; p++) {
        int v = b64_value((uint8_t)*p);
        if (v < 0) return 0;
        acc = (acc << 6 | (uint32_t)v) & 0xFFFFFF;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n == cap) return 0;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    return wire_is_ours(out, n) ? n : 0;
}
