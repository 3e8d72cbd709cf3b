/* core.h -- the one interface of every chat core (session, relay, lan): datagrams, time,
 * commands in; datagrams and events out (no I/O) */
#ifndef UDPCHAT_CORE_H
#define UDPCHAT_CORE_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/addr.h"
#include "udpchat/event.h"

/* Sends one datagram to `to`. Every core emits through one of these, given at creation
 * with its ctx (the edge passes net_emit and the socket). */
typedef void (*core_emit_fn)(void *ctx, const net_addr *to, const void *data, size_t len);

typedef enum core_cmd_type {
    CMD_SAY = 1,   /* text (flags CHAT_ACTION / CHAT_PRIVATE, to) */
    CMD_QUIT,      /* text: optional reason */
    CMD_NICK,      /* text: new nick */
    CMD_WHO,
    CMD_KICK,      /* to: nick, text: reason (server) */
    CMD_NOTICE,    /* text (server /say) */
    CMD_SHUTDOWN,  /* text (server) */
    CMD_AWAY,      /* text: away status (lan) */
    CMD_BACK,      /* no longer away (lan) */
    CMD_OPEN,      /* text: the number of a sealed message to open (lan) */
    CMD_REFRESH,   /* ask every peer to answer; the silent ones are gone (lan) */
    CMD_SEND_FILES,   /* LAN: to (a peer), text (lan_file.h's offer spec); returns the share id */
    CMD_RELEASE_FILES /* LAN: to ("IP[:PORT]"), text (packet number): decline an offer */
} core_cmd_type;

/* A command from the front end. Strings are heap-owned (free with core_command_free). */
typedef struct core_command {
    core_cmd_type type;
    int flags;
    char *to, *text;
} core_command;

void core_command_free(core_command *c); /* frees the strings and c itself; accepts NULL */

/* How a runner drives a core, from one thread. Each core module exports its table:
 * session_ops (session.h), relay_ops (relay.h), lan_ops (lan.h). */
typedef struct core_ops {
    /* a datagram from any address (the core decides what it accepts) */
    void (*on_datagram)(void *core, const net_addr *from, const void *data, size_t len, uint64_t now);
    void (*flush)(void *core, uint64_t now);       /* after a batch of datagrams */
    void (*service)(void *core, uint64_t now);     /* timers */
    uint64_t (*next_deadline)(void *core, uint64_t now);
    int (*poll_event)(void *core, chat_event *ev);  /* 1 and an event the caller owns, or 0 */
    uint32_t (*command)(void *core, const core_command *cmd, uint64_t now); /* CMD_SAY: id */
    int (*done)(void *core);                        /* 1: the core has finished (quit) */
    void (*destroy)(void *core);                    /* accepts NULL */
} core_ops;

#endif
