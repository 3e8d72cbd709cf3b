/* token.c -- SipHash-2-4 and the tokens built on it (cookies, reply tokens) */
#include "udpchat/token.h"

/* SipHash-2-4 keeps four 64-bit words of state; each 8-byte little-endian block of the
 * message is mixed in by two rounds, the last block carries the length in its top byte,
 * and four more rounds finish. The output depends on every key and message bit; without
 * the key it cannot be predicted, which is all a token needs. */

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void sip_round(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = ROTL(v[1], 13);
    v[1] ^= v[0];
    v[0] = ROTL(v[0], 32);
    v[2] += v[3];
    v[3] = ROTL(v[3], 16);
    v[3] ^= v[2];
    v[0] += v[3];
    v[3] = ROTL(v[3], 21);
    v[3] ^= v[0];
    v[2] += v[1];
    v[1] = ROTL(v[1], 17);
    v[1] ^= v[2];
    v[2] = ROTL(v[2], 32);
}

static uint64_t load_le(const uint8_t *p, size_t n)
{
    uint64_t m = 0;
    for (size_t i = 0; i < n; i++) m |= (uint64_t)p[i] << (8 * i);
    return m;
}

static void sip_block(uint64_t v[4], uint64_t m)
{
    v[3] ^= m;
    sip_round(v);
    sip_round(v);
    v[0] ^= m;
}

uint64_t token_siphash(const token_key *k, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t v[4] = {k->k0 ^ 0x736f6d6570736575ull, k->k1 ^ 0x646f72616e646f6dull,
                     k->k0 ^ 0x6c7967656e657261ull, k->k1 ^ 0x7465646279746573ull};
    size_t whole = len - len % 8;
    for (size_t i = 0; i < whole; i += 8) sip_block(v, load_le(p + i, 8));
    sip_block(v, load_le(p + whole, len % 8) | ((uint64_t)(len & 0xFF) << 56));
    v[2] ^= 0xFF;
    for (int i = 0; i < 4; i++) sip_round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}

/* The MAC of a domain letter (so a cookie is never a link token), an address, a session
 * and one more number; never 0 (0 means "no token" on the wire). */
static uint64_t token_mac(const token_key *k, char domain, const net_addr *a, uint32_t session,
                          uint32_t extra)
{
    uint8_t m[15];
    m[0] = (uint8_t)domain;
    put_be(m + 1, a->host, 4);
    put_be(m + 5, a->port, 2);
    put_be(m + 7, session, 4);
    put_be(m + 11, extra, 4);
    uint64_t t = token_siphash(k, m, sizeof m);
    return t ? t : 1;
}

uint64_t token_cookie(const token_key *k, const net_addr *a, uint32_t session, uint32_t ts)
{
    return token_mac(k, 'C', a, session, ts);
}

uint64_t token_link(const token_key *k, const net_addr *a, uint32_t session, uint32_t epoch)
{
    return token_mac(k, 'L', a, session, epoch);
}

uint64_t token_next(const token_key *k, uint64_t *counter)
{
    uint8_t m[9];
    m[0] = 'N';
    put_be(m + 1, ++*counter, 8);
    uint64_t t = token_siphash(k, m, sizeof m);
    return t ? t : 1;
}
