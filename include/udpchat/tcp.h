/* tcp.h -- the TCP edge for file transfers: a listener and connections through SDL_net, with
 * timeouts (no chat logic) */
#ifndef UDPCHAT_TCP_H
#define UDPCHAT_TCP_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/addr.h"

typedef struct tcp_listener tcp_listener;
typedef struct tcp_conn tcp_conn;

/* Listens on 0.0.0.0:port. NULL and a user-facing message in err if the port is taken. */
tcp_listener *tcp_listen(uint16_t port, char *err, size_t errlen);
void tcp_listener_close(tcp_listener *l); /* accepts NULL */
/* Waits up to timeout_ms for a connection: a new one (the caller owns it), or NULL. Only one
 * thread may accept on a listener. */
tcp_conn *tcp_accept(tcp_listener *l, uint32_t timeout_ms);

/* Connects to `to` (blocking, as the system allows). NULL and a message in err. */
tcp_conn *tcp_connect(const net_addr *to, char *err, size_t errlen);
/* The remote's address (port: its own, usually ephemeral). */
net_addr tcp_peer(const tcp_conn *c);

enum { TCP_CLOSED = 0, TCP_ERROR = -1, TCP_TIMEOUT = -2 };
/* Waits up to timeout_ms, then reads what is there (at most n bytes): how many (> 0), or
 * TCP_CLOSED, TCP_ERROR, TCP_TIMEOUT. */
int tcp_recv(tcp_conn *c, void *buf, size_t n, uint32_t timeout_ms);
/* Sends all n bytes: 0, or -1 (the connection is broken). */
int tcp_send(tcp_conn *c, const void *data, size_t n);
void tcp_close(tcp_conn *c); /* accepts NULL */

#endif
