/* token.h -- secret tokens: a keyed MAC (SipHash-2-4) over addresses and sessions (no I/O) */
#ifndef UDPCHAT_TOKEN_H
#define UDPCHAT_TOKEN_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/addr.h"

/* A 128-bit secret, drawn from the operating system's random source by the edge
 * (net_random_bytes) once per run. Whoever knows it can forge this run's tokens, so it
 * never leaves the process. */
typedef struct token_key {
    uint64_t k0, k1;
} token_key;

/* SipHash-2-4 of data under the key (Aumasson and Bernstein, 2012). */
uint64_t token_siphash(const token_key *k, const void *data, size_t len);

/* The cookie a CHALLENGE hands to `a` for its session at time ts (seconds): the MAC of
 * all three, never 0. Only the holder of the key can make one, only `a` receives it. */
uint64_t token_cookie(const token_key *k, const net_addr *a, uint32_t session, uint32_t ts);

/* The token an endpoint expects on every datagram of its link with `a`'s session, in its
 * link generation `epoch`: the same inputs give the same token, so both sides of a
 * simultaneous opening agree, and a new epoch (a reset link) gives a new one. */
uint64_t token_link(const token_key *k, const net_addr *a, uint32_t session, uint32_t epoch);

/* A fresh unpredictable non-zero token: the MAC of a counter the caller keeps. */
uint64_t token_next(const token_key *k, uint64_t *counter);

#endif
