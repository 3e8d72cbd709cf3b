/* runner.c -- receive thread + service thread around a chat core, queues between them */
#include "udpchat/runner.h"
#include "udpchat/mem.h"

#include <SDL.h>
#include <stdlib.h>
#include <string.h>

#include "udpchat/buf.h"
#include "udpchat/queue.h"

#define INBOX_LIMIT 16384   /* datagrams waiting for the core; beyond, drop and count */
#define INBOX_BYTES ((size_t)8 << 20) /* ... and their bytes */
#define UI_BYTES ((size_t)4 << 20) /* events waiting for the front end: beyond, the core holds them */
#define HELD_WAIT_MS 50     /* how soon to look again when events are held back */
#define BATCH_LIMIT 512     /* items handled before timers run again */

typedef enum item_kind { ITEM_DATAGRAM, ITEM_COMMAND, ITEM_STOP } item_kind;

typedef struct item {
    item_kind kind;
    net_addr from;
    core_command *cmd;
    size_t len;
    uint8_t data[];
} item;

struct runner {
    net_socket *sock;
    void *core;
    const core_ops *ops;
    queue *inbox, *events;
    SDL_Thread *rx_thread, *svc_thread;
    SDL_atomic_t stop;
    SDL_mutex *stats_lock; /* a mutex: SDL's spinlock unlocks with a plain store, which
                              ThreadSanitizer cannot see as a release */
    runner_stats stats;
    int held;                 /* the core may have events the UI queue had no room for */
    uint64_t reported_drops, report_at; /* inbox drops already reported; when */
};


static void free_item(void *p)
{
    item *it = p;
    if (it->kind == ITEM_COMMAND) core_command_free(it->cmd);
    free(it);
}

typedef struct rx_batch {
    runner *r;
    void *items[NET_BATCH];
    size_t sizes[NET_BATCH];
    size_t n, bytes;
} rx_batch;

/* 0: keep; 1: oversize; 2: the inbox is full (items or bytes). */
static int rx_verdict(rx_batch *b, size_t len)
{
    queue *in = b->r->inbox;
    if (len > 65507) return 1;
    if (queue_length(in) + b->n >= INBOX_LIMIT || queue_bytes(in) + b->bytes + len > INBOX_BYTES) return 2;
    return 0;
}

static void rx_one(void *ctx, const net_addr *from, const void *data, size_t len)
{
    rx_batch *b = ctx;
    runner *r = b->r;
    int drop = rx_verdict(b, len);
    SDL_LockMutex(r->stats_lock);
    r->stats.datagrams++;
    if (drop == 1) r->stats.dropped_oversize++;
    if (drop == 2) r->stats.dropped_overflow++;
    SDL_UnlockMutex(r->stats_lock);
    if (drop) return;
    item *it = xmalloc(sizeof *it + len);
    it->kind = ITEM_DATAGRAM;
    it->from = *from;
    it->cmd = NULL;
    it->len = len;
    memcpy(it->data, data, len);
    b->sizes[b->n] = sizeof *it + len;
    b->bytes += sizeof *it + len;
    b->items[b->n++] = it;
}

static int rx_main(void *arg)
{
    runner *r = arg;
    rx_batch b = {r, {0}, {0}, 0, 0};
    while (!SDL_AtomicGet(&r->stop)) {
        b.n = b.bytes = 0;
        net_recv_batch(r->sock, rx_one, &b, 1000);
        if (SDL_AtomicGet(&r->stop)) {
            for (size_t i = 0; i < b.n; i++) free(b.items[i]);
            break;
        }
        queue_push_many_sized(r->inbox, b.items, b.sizes, b.n);
    }
    return 0;
}

/* Moves the core's events to the UI queue while it holds less than UI_BYTES: a slow front
 * end leaves them in the core's evq, which drops messages past its own budget. */
static void pump_events(runner *r)
{
    chat_event ev;
    r->held = 0;
    for (;;) {
        if (queue_bytes(r->events) >= UI_BYTES) {
            r->held = 1;
            return;
        }
        if (!r->ops->poll_event(r->core, &ev)) return;
        chat_event *copy = xmalloc(sizeof *copy);
        *copy = ev;
        queue_push_sized(r->events, copy, chat_event_bytes(copy));
    }
}

static void post_simple(runner *r, chat_event_type t, uint32_t id, const char *text)
{
    chat_event *ev = xcalloc(1, sizeof *ev);
    ev->type = t;
    ev->id = id;
    if (text) ev->text = str_dup(text);
    queue_push_sized(r->events, ev, chat_event_bytes(ev));
}

/* EV_SENT: the message's id, text, recipient and flags (the model files it with them). */
static void post_sent(runner *r, uint32_t id, const core_command *c)
{
    chat_event *ev = xcalloc(1, sizeof *ev);
    ev->type = EV_SENT;
    ev->id = id;
    ev->flags = c->flags;
    ev->text = str_dup(c->text);
    if (c->to) ev->to = str_dup(c->to);
    queue_push_sized(r->events, ev, chat_event_bytes(ev));
}

/* Tells the front end, at most once a second, that the inbox overflowed. */
static void report_drops(runner *r, uint64_t now)
{
    runner_stats s = runner_get_stats(r);
    uint64_t lost = s.dropped_overflow + s.dropped_oversize;
    if (lost == r->reported_drops || now < r->report_at) return;
    buf b = {0};
    buf_printf(&b, "%llu datagram%s dropped: arriving faster than they can be handled",
               (unsigned long long)(lost - r->reported_drops), lost - r->reported_drops == 1 ? "" : "s");
    post_simple(r, EV_ERROR, 0, b.data);
    buf_free(&b);
    r->reported_drops = lost;
    r->report_at = now + 1000;
}

static int handle_item(runner *r, item *it, uint64_t now)
{
    int stop = it->kind == ITEM_STOP;
    if (it->kind == ITEM_DATAGRAM) {
        r->ops->on_datagram(r->core, &it->from, it->data, it->len, now);
    } else if (it->kind == ITEM_COMMAND) {
        uint32_t id = r->ops->command(r->core, it->cmd, now);
        if (it->cmd->type == CMD_SAY && id) {
            pump_events(r); /* errors about this command come before it is reported sent */
            post_sent(r, id, it->cmd);
        }
    }
    free_item(it);
    return stop;
}

static uint32_t wait_time(runner *r, uint64_t now)
{
    uint64_t deadline = r->ops->next_deadline(r->core, now);
    if (r->held && deadline > now + HELD_WAIT_MS) deadline = now + HELD_WAIT_MS;
    if (deadline <= now) return 0;
    uint64_t t = deadline - now;
    return t > 60000 ? 60000 : (uint32_t)t;
}

static int svc_main(void *arg)
{
    runner *r = arg;
    int stop = 0;
    while (!stop) {
        uint32_t wait = wait_time(r, net_now_ms());
        item *it = wait ? queue_pop(r->inbox, wait) : queue_try_pop(r->inbox);
        for (int n = 0; it && !stop; n++) {
            stop = handle_item(r, it, net_now_ms());
            it = !stop && n < BATCH_LIMIT ? queue_try_pop(r->inbox) : NULL;
        }
        uint64_t t = net_now_ms();
        r->ops->flush(r->core, t);
        r->ops->service(r->core, t);
        pump_events(r);
        report_drops(r, net_now_ms());
        if (r->ops->done(r->core)) break;
    }
    post_simple(r, EV_FINISHED, 0, NULL);
    return 0;
}

queue *runner_ui_queue(void)
{
    static queue *q;
    if (!q) q = queue_create(); /* first called by the main thread before any other */
    return q;
}

runner *runner_start(net_socket *sock, void *core, const core_ops *ops, queue *events)
{
    runner *r = xcalloc(1, sizeof *r);
    r->sock = sock;
    r->core = core;
    r->ops = ops;
    r->inbox = queue_create();
    r->events = events;
    r->stats_lock = SDL_CreateMutex();
    if (!r->stats_lock) mem_fail_what("a mutex");
    r->rx_thread = SDL_CreateThread(rx_main, "udpchat-recv", r);
    r->svc_thread = SDL_CreateThread(svc_main, "udpchat-send", r);
    if (!r->rx_thread || !r->svc_thread) mem_fail_what("a thread");
    return r;
}

void runner_command(runner *r, core_command *cmd)
{
    item *it = xcalloc(1, sizeof *it);
    it->kind = ITEM_COMMAND;
    it->cmd = cmd;
    queue_push(r->inbox, it);
}

void runner_post_input(queue *events, char *line)
{
    chat_event *ev = xcalloc(1, sizeof *ev);
    ev->type = EV_INPUT;
    ev->text = line;
    queue_push_sized(events, ev, chat_event_bytes(ev));
}

chat_event *runner_next_event(runner *r, uint32_t timeout_ms) { return queue_pop(r->events, timeout_ms); }

void runner_stop(runner *r)
{
    if (!r) return;
    SDL_AtomicSet(&r->stop, 1);
    item *it = xcalloc(1, sizeof *it);
    it->kind = ITEM_STOP;
    queue_push(r->inbox, it);
    net_addr self = {0x7F000001, net_local_port(r->sock)};
    net_send(r->sock, &self, "", 0); /* wakes the receive thread at once */
    SDL_WaitThread(r->svc_thread, NULL);
    SDL_WaitThread(r->rx_thread, NULL);
    queue_destroy(r->inbox, free_item);
    SDL_DestroyMutex(r->stats_lock);
    free(r);
}

runner_stats runner_get_stats(runner *r)
{
    SDL_LockMutex(r->stats_lock);
    runner_stats s = r->stats;
    SDL_UnlockMutex(r->stats_lock);
    return s;
}
