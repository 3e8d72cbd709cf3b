/* runner.h -- the threads: a receive thread, a service (send) thread, and the front end */
#ifndef UDPCHAT_RUNNER_H
#define UDPCHAT_RUNNER_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/core.h"
#include "udpchat/event.h"
#include "udpchat/net.h"
#include "udpchat/queue.h"

/* The runner adds EV_SENT, EV_FINISHED and EV_INPUT (event.h) to what the core says. */

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
void runner_command(runner *r, core_command *cmd);
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
