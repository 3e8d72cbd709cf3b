/* net.h -- the UDP edge: one socket through SDL_net, addresses, name resolution */
#ifndef UDPCHAT_NET_H
#define UDPCHAT_NET_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/addr.h"


typedef struct net_socket net_socket;

/* Starts SDL (timers, threads) and SDL_net. Returns 0, or -1 with a message in err. */
int net_init(char *err, size_t errlen);
void net_quit(void);

/* Opens a UDP socket bound to 0.0.0.0:port (0: any free port). Returns NULL and a
 * user-facing message in err ("port 10888 is in use: pass --port ..."). */
net_socket *net_open(uint16_t port, char *err, size_t errlen);
void net_close(net_socket *s); /* accepts NULL */
uint16_t net_local_port(const net_socket *s);

/* Sends one datagram. Returns 0, or -1 (the datagram is dropped; UDP may drop anyway). */
int net_send(net_socket *s, const net_addr *to, const void *data, size_t len);
/* Receives a burst: waits up to timeout_ms for the socket to be readable, then takes
 * every datagram already queued (up to NET_BATCH), calling fn for each. Returns how many
 * (0 on timeout or a transient error). Only one thread may receive on a socket. */
#define NET_BATCH 8
typedef void (*net_datagram_fn)(void *ctx, const net_addr *from, const void *data, size_t len);
int net_recv_batch(net_socket *s, net_datagram_fn fn, void *ctx, uint32_t timeout_ms);

/* What net_resolve found (the values are stable: callers may still test < 0). */
typedef enum net_resolve_result {
    NET_RESOLVE_OK = 0,
    NET_RESOLVE_BAD_PORT = -1, /* ":port" is not 1..65535: a usage error */
    NET_RESOLVE_NO_HOST = -2   /* empty, too long, or the name does not resolve */
} net_resolve_result;
/* Resolves "host" or "host:port" (port defaults to default_port) into *out. */
net_resolve_result net_resolve(const char *spec, uint16_t default_port, net_addr *out);
/* Sends one datagram on the socket `sock` (a net_socket *): a core_emit_fn for the cores. */
void net_emit(void *sock, const net_addr *to, const void *data, size_t len);

/* Milliseconds since start (monotonic). */
uint64_t net_now_ms(void);

/* A non-zero id that differs between runs (seeded from the high-resolution clock and
 * addresses; not cryptographic). */
uint32_t net_random_session(void);

/* n bytes from the operating system's cryptographic random source (getrandom on Linux,
 * RtlGenRandom on Windows). Returns 0, or -1 if it failed (then do not run). */
int net_random_bytes(void *out, size_t n);
#endif
