/* relay_input.h -- what arrives at the relay: protocol datagrams, plain-text lines (not installed) */
#ifndef UDPCHAT_RELAY_INPUT_H
#define UDPCHAT_RELAY_INPUT_H
#include "relay_room.h"

/* relay_hello.c: a datagram of protocol 2 (or a calling card's content). */
void relay_on_protocol(relay *r, const net_addr *from, const void *data, size_t len, uint64_t now);
/* relay_legacy.c: a plain-text datagram; m is the member at that address, or NULL. */
void legacy_on_text(relay *r, member *m, const net_addr *from, const char *data, size_t len,
                    uint64_t now);
/* A plain-text member timed out: remember its address and nick for its return. */
void legacy_remember(relay *r, const member *m, uint64_t now);

#endif
