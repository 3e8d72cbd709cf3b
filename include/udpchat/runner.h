/* runner.h -- the threads: a receive thread, a service (send) thread, and the front end */
#ifndef UDPCHAT_RUNNER_H
#define UDPCHAT_RUNNER_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/event.h"
#include "udpchat/net.h"
#include "udpchat/queue.h"

typedef enum ui_cmd_type {
    CMD_SAY = 1,   /* text (flags CHAT_ACTION / CHAT_PRIVATE, to) */
    CMD_QUIT,      /* text: optional reason */
    CMD_NICK,      /* text: new nick */
    CMD_WHO,
    CMD_KICK,      /* to: nick, text: reason (server) */
    CMD_NOTICE,    /* text (server /say) */
    CMD_SHUTDOWN   /* text (server) */
} ui_cmd_type;

/* A command from the front end. Strings are heap-owned (free with ui_command_free). */
typedef struct ui_command {
    ui_cmd_type type;
    int flags;
    char *to, *text;
} ui_command;

void ui_command_free(ui_command *c); /* frees the strings and c itself */

/* How the service thread drives a chat core. Every call happens on the service thread. */
typedef struct core_ops {
    void (*on_datagram)(void *core, const net_addr *from, const void *data, size_t len, uint64_t now);
    void (*flush)(void *core);                     /* after a batch of datagrams */
    void (*service)(void *core, uint64_t now);     /* timers */
    uint64_t (*next_deadline)(void *core, uint64_t now);
    int (*poll_event)(void *core, chat_event *ev);
    uint32_t (*command)(void *core, const ui_command *cmd, uint64_t now); /* id for CMD_SAY */
    int (*done)(void *core);                       /* 1: the core has finished (quit) */
} core_ops;

/* Extra event type the runner adds: EV_SENT (id, text) after a CMD_SAY was queued. */
#define EV_SENT ((chat_event_type)100)
/* And EV_FINISHED once the core is done; no event follows it. */
#define EV_FINISHED ((chat_event_type)101)

/* And EV_INPUT: a line the user typed (text, UTF-8), or end of input (text NULL). */
#define EV_INPUT ((chat_event_type)102)

typedef struct runner runner;

/* Starts the receive and service threads around `core`, posting events to `events`
 * (items are heap chat_event*). The runner owns none of socket, core or queue;
 * runner_stop must be called before any of them is destroyed. The events queue may
 * outlive the runner (the input thread keeps posting to it). */
runner *runner_start(net_socket *sock, void *core, const core_ops *ops, queue *events);
/* The process-wide queue of front-end events (created on first use, never freed: the
 * detached input thread may post to it until the process exits). */
queue *runner_ui_queue(void);
/* Hands a command to the service thread (takes ownership of cmd). */
void runner_command(runner *r, ui_command *cmd);
/* Queues an input line for the front end (any thread; takes ownership; NULL = end). */
void runner_post_input(queue *events, char *line);
/* Waits up to timeout_ms for the next event (caller owns it: chat_event_free + free). */
chat_event *runner_next_event(runner *r, uint32_t timeout_ms);
/* Stops and joins both threads; frees the runner. */
void runner_stop(runner *r);

/* Datagrams received; dropped because the inbox held 16384 items or 8 MiB
 * (overflow) or because they were over 65507 bytes (oversize). Drops are reported to the
 * front end as one EV_ERROR a second at most. Events wait in the core (whose evq has its own
 * byte budget) while the UI queue holds 4 MiB or more. */
typedef struct runner_stats {
    uint64_t datagrams, dropped_overflow, dropped_oversize;
} runner_stats;
runner_stats runner_get_stats(runner *r);

#endif
